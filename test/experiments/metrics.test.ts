import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { pruneModel } from '../../src';
import { loadMnist, mnistTensors } from '../../experiments/data/mnist';
import { accuracy, measureModel } from '../../experiments/metrics';
import { lenet300100, lenet5, referenceMlp } from '../../experiments/models';
import { expectNoTensorLeak } from '../support/memory';

describe('experiments metrics', () => {
  const { test } = loadMnist({ trainSize: 1, testSize: 250 });
  let xs: tf.Tensor2D;
  let dir: string;
  let n = 0;
  const stripped = () => ({ dir: path.join(dir, `model-${++n}`), form: 'stripped' as const });
  before(() => {
    const tensors = mnistTensors(test);
    xs = tensors.xs;
    tensors.ys.dispose();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-metrics-'));
  });
  after(() => {
    xs.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

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

  it('measures sparsity, nonzero parameters and the gzipped and uint8 sizes of the stripped weights', async () => {
    const { model, prunable } = lenet300100(1);
    const dense = await measureModel(model, prunable, { xs, labels: test.labels }, stripped());
    // Biases start at zero: 300 + 100 + 10 of the 266,610 parameters.
    expect(dense).to.include({ sparsity: 0, prunedUnits: 0, nonzeroParameters: 266200, totalParameters: 266610, macs: 784 * 300 + 300 * 100 + 100 * 10 });
    // Float32 noise hardly compresses.
    expect(dense.gzipBytes).to.be.within(0.85 * 4 * 266610, 4 * 266610 * 1.01);
    // uint8 quantization stores one byte per value.
    expect(dense).to.include({ deployed: 'stripped', uint8Bytes: 266610 });
    expect(dense.uint8GzipBytes).to.be.below(dense.uint8Bytes);

    pruneModel(model, { method: 'weight', sparsity: 0.9, layers: prunable });
    await expectNoTensorLeak(async () => {
      const pruned = await measureModel(model, prunable, { xs, labels: test.labels }, stripped());
      // 10% of the hidden kernels and the output kernel (1,000).
      expect(pruned).to.include({ sparsity: 0.9, nonzeroParameters: 26520 + 1000, totalParameters: 266610 });
      expect(pruned.gzipBytes).to.be.below(dense.gzipBytes / 3);
    });

    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: prunable });
    expect((await measureModel(model, prunable, { xs, labels: test.labels }, stripped())).prunedUnits).to.be.at.least(200);
    model.dispose();
  });

  it('counts no bias for the reference MLP', async () => {
    const { model, prunable } = referenceMlp(1);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: prunable });
    const few = xs.slice([0, 0], [10, -1]);
    const m = await measureModel(model, prunable, { xs: few, labels: test.labels.subarray(0, 10) }, stripped());
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
      const m = await measureModel(model, prunable, { xs, labels: test.labels }, stripped());
      expect(m).to.include({ sparsity: 0.5, prunedUnits: 200, totalParameters: 266610, nonzeroParameters: 266200 - 150 * 784 - 50 * 300 });
    });
    model.dispose();
  });

  it('measures LeNet-5 on images reshaped to its input, and a filter-pruned one in its compacted form', async () => {
    const { model, prunable } = lenet5(1);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: prunable });
    // The prunable layers keep their masked kernels after an inference: once, before counting.
    tf.tidy(() => {
      model.predict(tf.zeros([1, 28, 28, 1]));
    });
    await expectNoTensorLeak(async () => {
      const pruned = await measureModel(model, prunable, { xs, labels: test.labels }, stripped());
      const compacted = await measureModel(model, prunable, { xs, labels: test.labels }, { dir: path.join(dir, 'compacted'), form: 'compacted' });
      // conv1 keeps 10 of 20 filters, conv2 25 of 50 (of 10 input channels), hidden 250 of 500 (of 4·4·25 inputs); output 10.
      const kept = (5 * 5 * 1 * 10 + 10) + (5 * 5 * 10 * 25 + 25) + (400 * 250 + 250) + (250 * 10 + 10);
      expect(compacted).to.include({ deployed: 'compacted', totalParameters: kept, testAccuracy: pruned.testAccuracy, prunedUnits: 10 + 25 + 250 });
      // Multiply-accumulates per image: conv1 24·24·25 per filter, conv2 8·8·(25·inputs) per filter, hidden and output kernels.
      expect(pruned.macs).to.equal(24 * 24 * 25 * 20 + 8 * 8 * 500 * 50 + 800 * 500 + 500 * 10);
      expect(compacted.macs).to.equal(24 * 24 * 25 * 10 + 8 * 8 * 250 * 25 + 400 * 250 + 250 * 10);
      // Stripped: every kernel and bias at its full shape.
      expect(pruned.totalParameters).to.equal((500 + 20) + (25000 + 50) + (400000 + 500) + (5000 + 10));
      expect(compacted.uint8Bytes).to.equal(kept);
      expect(fs.readdirSync(path.join(dir, 'compacted')).sort()).to.deep.equal(['float32', 'uint8']);
    });
    model.dispose();
  });
});
