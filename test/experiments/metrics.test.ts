import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { pruneModel } from '../../src';
import { loadMnist, mnistTensors } from '../../experiments/data/mnist';
import { accuracy, measureModel } from '../../experiments/metrics';
import { lenet300100, referenceMlp } from '../../experiments/models';
import { expectNoTensorLeak } from '../support/memory';

describe('experiments metrics', () => {
  const { test } = loadMnist({ trainSize: 1, testSize: 250 });
  let xs: tf.Tensor2D;
  before(() => {
    const tensors = mnistTensors(test);
    xs = tensors.xs;
    tensors.ys.dispose();
  });
  after(() => xs.dispose());

  it('counts accuracy over batches that do not divide the test set', async () => {
    const { model } = lenet300100(1);
    const predicted = tf.tidy(() => Array.from(tf.argMax(model.predict(xs) as tf.Tensor, 1).dataSync()));
    const expected = predicted.filter((p, i) => p === test.labels[i]).length / 250;
    await expectNoTensorLeak(() => {
      expect(accuracy(model, xs, test.labels, 100)).to.equal(expected);
      expect(accuracy(model, xs, test.labels)).to.equal(expected);
    });
    model.dispose();
  });

  it('measures sparsity, nonzero parameters and gzipped size of the stripped weights', async () => {
    const { model, prunable } = lenet300100(1);
    const dense = await measureModel(model, prunable, xs, test.labels);
    // Biases start at zero: 300 + 100 + 10 of the 266,610 parameters.
    expect(dense).to.include({ sparsity: 0, prunedUnits: 0, nonzeroParameters: 266200, totalParameters: 266610 });
    // Float32 noise hardly compresses.
    expect(dense.gzipBytes).to.be.within(0.85 * 4 * 266610, 4 * 266610 * 1.01);

    pruneModel(model, { method: 'weight', sparsity: 0.9, layers: prunable });
    await expectNoTensorLeak(async () => {
      const pruned = await measureModel(model, prunable, xs, test.labels);
      // 10% of the hidden kernels and the output kernel (1,000).
      expect(pruned).to.include({ sparsity: 0.9, nonzeroParameters: 26520 + 1000, totalParameters: 266610 });
      expect(pruned.gzipBytes).to.be.below(dense.gzipBytes / 3);
    });

    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: prunable });
    expect((await measureModel(model, prunable, xs, test.labels)).prunedUnits).to.be.at.least(200);
    model.dispose();
  });

  it('counts no bias for the reference MLP', async () => {
    const { model, prunable } = referenceMlp(1);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: prunable });
    const few = xs.slice([0, 0], [10, -1]);
    const m = await measureModel(model, prunable, few, test.labels.subarray(0, 10));
    few.dispose();
    expect(m).to.include({ sparsity: 0.5, prunedUnits: 500 + 500 + 250 + 100, totalParameters: 2386000 });
    expect(m.nonzeroParameters).to.equal(2386000 - (784 * 500 + 1000 * 500 + 1000 * 250 + 500 * 100));
    model.dispose();
  });

  it('strips models with dropout layers too', async () => {
    const { model, prunable } = lenet300100(1, 0.5);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: prunable });
    // Inference keeps each layer's masked kernel until the weights change (see PrunableLayer): once, before measuring.
    tf.tidy(() => {
      model.predict(xs);
    });
    await expectNoTensorLeak(async () => {
      const m = await measureModel(model, prunable, xs, test.labels);
      expect(m).to.include({ sparsity: 0.5, prunedUnits: 200, totalParameters: 266610, nonzeroParameters: 266200 - 150 * 784 - 50 * 300 });
    });
    model.dispose();
  });
});
