import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ModelFileError, outputChange, pruneModelFile } from '../../src';
import { artifactsFromModel } from '../../src/model_files/model_artifacts';
import { expectNoTensorLeak } from '../support/memory';

/** A seeded plain MLP's artifacts. */
async function mlpArtifacts(): Promise<tf.io.ModelArtifacts> {
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 16, activation: 'relu', inputShape: [8], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  const artifacts = await artifactsFromModel(model);
  model.dispose();
  return artifacts;
}

describe('outputChange', () => {
  it('is 0 for the same model and grows with the sparsity of one-shot pruning; seeded; leaks nothing', async () => {
    const artifacts = await mlpArtifacts();
    await expectNoTensorLeak(async () => {
      expect(await outputChange(artifacts, artifacts)).to.deep.equal({ relative: 0, maxAbsolute: 0, samples: 32 });
      const changes = [];
      for (const sparsity of [0.2, 0.5, 0.9]) {
        const { artifacts: pruned } = await pruneModelFile(artifacts, { sparsity });
        changes.push((await outputChange(artifacts, pruned, { samples: 64, seed: 3 })).relative);
      }
      expect(changes[0]).to.be.above(0);
      expect(changes[1]).to.be.above(changes[0]);
      expect(changes[2]).to.be.above(changes[1]);
      const { artifacts: pruned } = await pruneModelFile(artifacts, { sparsity: 0.5 });
      expect(await outputChange(artifacts, pruned, { seed: 5 })).to.deep.equal(await outputChange(artifacts, pruned, { seed: 5 }));
    });
  });

  it('refuses bad options by name', async () => {
    const artifacts = await mlpArtifacts();
    for (const [args, subject] of [[{ samples: 0 }, 'samples'], [{ seed: 1.5 }, 'seed']] as const) {
      const error = await outputChange(artifacts, artifacts, args).then(() => null, (e: Error) => e);
      expect(error).to.be.instanceOf(ModelFileError);
      expect((error as ModelFileError).subject).to.equal(subject);
    }
    const unknown = await outputChange(artifacts, artifacts, { sample: 3 } as never).then(() => null, (e: Error) => e);
    expect(unknown!.message).to.match(/sample/);
  });
});
