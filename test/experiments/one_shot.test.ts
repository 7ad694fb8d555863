import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ExperimentContext, measureRow, runSeeds } from '../../experiments/context';
import { loadMnist, mnistTensors } from '../../experiments/data/mnist';
import { lenet5 } from '../../experiments/models';
import { oneShotSweep } from '../../experiments/one_shot';
import { createProgress } from '../../experiments/progress';
import { disposeModel } from '../../experiments/training';
import { expectNoTensorLeak } from '../support/memory';

describe('experiments one-shot sweep', () => {
  const data = loadMnist({ trainSize: 256, testSize: 100 });
  let context: ExperimentContext;
  before(() => {
    const test = mnistTensors(data.test);
    test.ys.dispose();
    context = {
      train: mnistTensors(data.train), test: { xs: test.xs, labels: data.test.labels }, batchSize: 64, learningRate: 0.001,
      deployRoot: fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-one-shot-')), pretrainedRoot: '', fineTuneLearningRate: 0.0001, progress: createProgress(null),
    };
  });
  after(() => {
    tf.dispose([context.train.xs, context.train.ys, context.test.xs]);
    fs.rmSync(context.deployRoot, { recursive: true, force: true });
  });

  it('prunes LeNet-5 from the same weights at each point, fine-tunes with the masks fixed, and restores the weights', async () => {
    await expectNoTensorLeak(async () => {
      const built = lenet5(runSeeds(1).model);
      const before = built.model.getWeights().map((w) => w.dataSync().slice());
      const dense = await measureRow(context, built, {
        row: { experiment: 'cnn-baselines', network: 'LeNet-5', method: 'dense', schedule: 'none', targetSparsity: 0, seed: 1, epochs: 1 },
      }, 5);
      const rows = await oneShotSweep(context, built, dense, {
        choices: [{ choice: 'weight', sparsities: [0.5, 0.9] }, { choice: 'unit', sparsities: [0.5], deployed: 'compacted' }],
        fineTune: { epochs: 1 },
      });
      expect(rows.map((r) => `${r.schedule} ${r.method} ${r.targetSparsity} ${r.deployed}`)).to.deep.equal([
        'one-shot weight 0.5 stripped', 'one-shot + fine-tune weight 0.5 stripped', 'one-shot weight 0.9 stripped',
        'one-shot + fine-tune weight 0.9 stripped', 'one-shot unit 0.5 compacted', 'one-shot + fine-tune unit 0.5 compacted',
      ]);
      for (let i = 0; i < rows.length; i += 2) {
        // Fine-tuning moves the kept weights only: the same sparsity, exactly.
        expect(rows[i + 1].sparsity).to.equal(rows[i].sparsity);
        expect(rows[i]).to.include({ trainSeconds: 0, epochs: 1, seed: 1, experiment: 'cnn-baselines' });
        expect(rows[i + 1].trainSeconds).to.be.above(0);
        expect(rows[i + 1].epochs).to.equal(1);
      }
      expect(rows[0].sparsity).to.be.closeTo(0.5, 1e-3);
      expect(rows[4].totalParameters).to.be.below(dense.totalParameters / 3);
      expect(built.model.getWeights().map((w) => w.dataSync().slice())).to.deep.equal(before);
      disposeModel(built.model);
    });
  });
});
