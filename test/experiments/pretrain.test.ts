import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ExperimentContext } from '../../experiments/context';
import { loadMnist, mnistTensors } from '../../experiments/data/mnist';
import { pretrainedDir, runPretrain, startingModel } from '../../experiments/pretrain';
import { createProgress } from '../../experiments/progress';
import { disposeModel } from '../../experiments/training';
import { expectNoTensorLeak } from '../support/memory';

describe('experiments pretraining', () => {
  const data = loadMnist({ trainSize: 128, testSize: 50 });
  let context: ExperimentContext;
  let root: string;
  before(() => {
    const test = mnistTensors(data.test);
    test.ys.dispose();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-pretrain-'));
    context = {
      train: mnistTensors(data.train), test: { xs: test.xs, labels: data.test.labels }, batchSize: 64, learningRate: 0.001, fineTuneLearningRate: 0.0001,
      deployRoot: path.join(root, 'deployed'), pretrainedRoot: path.join(root, 'pretrained'), progress: createProgress(null),
    };
  });
  after(() => {
    tf.dispose([context.train.xs, context.train.ys, context.test.xs]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  for (const network of ['LeNet-5', 'residual CNN'] as const) {
    it(`saves the trained ${network} once, and every run of its seed starts from exactly those weights`, async () => {
      const id = `${network} pretrained, seed 1`;
      const [row] = await runPretrain(context, { experiment: 'cnn-baselines', network, seed: 1, epochs: 1, trainSize: 128 }, id);
      expect(row).to.include({ network, method: 'pretrained', schedule: 'none', seed: 1, epochs: 1 });
      expect(fs.existsSync(path.join(pretrainedDir(context.pretrainedRoot, id), 'model.json'))).to.equal(true);
      await expectNoTensorLeak(async () => {
        const fresh = await startingModel(context, network, 1);
        const pretrained = await startingModel(context, network, 1, { from: id });
        const values = (built: typeof fresh) => built.model.getWeights().map((w) => Array.from(w.dataSync()));
        // Trained: not the seed's initialization, which a run without `from` starts from.
        expect(values(pretrained)).to.not.deep.equal(values(fresh));
        const again = await startingModel(context, network, 1, { from: id });
        expect(values(again)).to.deep.equal(values(pretrained));
        for (const built of [fresh, pretrained, again]) disposeModel(built.model);
      });
    });
  }

  it('fails on a pretrained model that is not there, leaking nothing', async () => {
    await expectNoTensorLeak(async () => {
      let error: Error | null = null;
      await startingModel(context, 'LeNet-5', 2, { from: 'LeNet-5 pretrained, seed 2' }).catch((e: Error) => {
        error = e;
      });
      expect(error).to.be.instanceOf(Error);
    });
  });
});
