import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { loadMnist, mnistTensors } from '../../experiments/data/mnist';
import { lenet300100 } from '../../experiments/models';
import { BatchProgress, disposeModel, stepsPerEpoch, train, TrainArgs } from '../../experiments/training';
import { expectNoTensorLeak } from '../support/memory';

describe('experiments training', () => {
  const { train: split } = loadMnist({ trainSize: 300, testSize: 1 });
  let data: ReturnType<typeof mnistTensors>;
  before(() => {
    data = mnistTensors(split);
  });
  after(() => tf.dispose([data.xs, data.ys]));

  async function trainedKernels(seed: number, dropoutRate: number, progress: BatchProgress[] = [], args: Partial<TrainArgs> = {}): Promise<Float32Array[]> {
    const { model } = lenet300100(1, dropoutRate);
    await train(model, data, { epochs: 2, batchSize: 64, seed, onBatch: (p) => progress.push(p), ...args });
    const kernels = model.getWeights().map((w) => w.dataSync() as Float32Array);
    disposeModel(model);
    return kernels;
  }

  it('gives the same weights for the same seed, dropout included, and other weights for another seed', async () => {
    await expectNoTensorLeak(async () => {
      const progress: BatchProgress[] = [];
      const a = await trainedKernels(1, 0.5, progress);
      expect(await trainedKernels(1, 0.5)).to.deep.equal(a);
      expect(await trainedKernels(2, 0.5)).to.not.deep.equal(a);
      // 300 examples at batch 64: 5 batches per epoch, the last of 44.
      expect(stepsPerEpoch(300, 64)).to.equal(5);
      expect(progress.map((p) => [p.epoch, p.step])).to.deep.equal(
        [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [1, 6], [1, 7], [1, 8], [1, 9], [1, 10]]);
      expect(progress.every((p) => p.loss > 0 && p.accuracy >= 0 && p.accuracy <= 1)).to.equal(true);
    });
  });

  it('drops the learning rate from the epoch `decay` names', async () => {
    const oneEpoch = await trainedKernels(1, 0, [], { epochs: 1 });
    // Adam's step is proportional to its rate: at 0 from the second epoch on, the weights stay those of the first.
    expect(await trainedKernels(1, 0, [], { decay: { rate: 0, fromEpoch: 1 } })).to.deep.equal(oneEpoch);
    expect(await trainedKernels(1, 0, [], { decay: { rate: 0.0001, fromEpoch: 1 } })).to.not.deep.equal(oneEpoch);
  });

  it('learns: loss falls over the epochs', async () => {
    const progress: BatchProgress[] = [];
    await trainedKernels(3, 0, progress);
    expect(progress[progress.length - 1].loss).to.be.below(progress[4].loss);
  });
});
