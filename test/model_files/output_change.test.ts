import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ModelFileError, outputChange, pruneModelFile } from '../../src';
import { artifactsFromModel } from '../../src/model_files/model_artifacts';
import { drawInputs } from '../../src/model_files/output_change';
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

  it('draws integers in [0, inputDim) for an input an Embedding reads (int32 or float32), and names an int32 input without one', async () => {
    const embedded = async (dtype: 'int32' | 'float32') => {
      const input = tf.input({ shape: [6], dtype, name: 'tokens' });
      const embedding = tf.layers.embedding({ inputDim: 7, outputDim: 4, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }) });
      const output = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })
        .apply(tf.layers.flatten().apply(embedding.apply(input))) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: output });
    };
    for (const dtype of ['int32', 'float32'] as const) {
      const model = await embedded(dtype);
      await expectNoTensorLeak(async () => {
        const [xs] = drawInputs(model, 50, 1);
        const values = Array.from(await xs.data());
        expect([xs.dtype, xs.shape]).to.deep.equal([dtype, [50, 6]]);
        expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < 7), dtype).to.equal(true);
        expect(new Set(values).size, dtype).to.equal(7);
        xs.dispose();
        const artifacts = await artifactsFromModel(model);
        const { artifacts: pruned } = await pruneModelFile(artifacts, { sparsity: 0.5 });
        expect((await outputChange(artifacts, pruned)).relative, dtype).to.be.above(0).and.below(1);
      });
      model.dispose();
    }
    const ids = tf.input({ shape: [6], dtype: 'int32', name: 'ids' });
    const model = tf.model({ inputs: ids, outputs: tf.layers.dense({ units: 2 }).apply(ids) as tf.SymbolicTensor });
    const error = await outputChange(await artifactsFromModel(model), await artifactsFromModel(model)).then(() => null, (e: Error) => e);
    model.dispose();
    expect(error).to.be.instanceOf(ModelFileError);
    expect((error as ModelFileError).subject).to.equal('ids');
    expect(error!.message).to.equal("Cannot draw inputs for the model's input 'ids': it is int32 and no Embedding reads it, so its range is unknown; " +
      'inputs are drawn for float32 inputs and those of Embedding layers.');
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
