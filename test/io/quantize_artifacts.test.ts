import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { quantizeArtifacts } from '../../src/io/quantize_artifacts';
import { expectNoTensorLeak } from '../support/memory';

/** Artifacts holding a float32 weight of odd size, an int32 weight, a 0/1 mask and float32 optimizer state. */
async function mixedArtifacts(): Promise<tf.io.ModelArtifacts> {
  const modelWeights = [
    { name: 'd/kernel', tensor: tf.tensor([0.5, 0, -1.25], [3]) },
    { name: 'counts', tensor: tf.tensor([7, -3], [2], 'int32') },
    { name: 'd/mask', tensor: tf.tensor([1, 0, 1], [3]) },
  ];
  const optimizerWeights = [{ name: 'd/kernel/m', tensor: tf.tensor([0.1, 0.2], [2]) }];
  const model = await tf.io.encodeWeights(modelWeights);
  const optimizer = await tf.io.encodeWeights(optimizerWeights, 'optimizer');
  tf.dispose([...modelWeights, ...optimizerWeights].map((w) => w.tensor));
  return {
    modelTopology: { note: 'untouched' },
    weightSpecs: [...model.specs, ...optimizer.specs],
    weightData: tf.io.CompositeArrayBuffer.join([model.data, optimizer.data]),
  };
}

function decoded(artifacts: tf.io.ModelArtifacts): Record<string, number[]> {
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const values = Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, Array.from(t.dataSync())]));
  tf.dispose(Object.values(tensors));
  return values;
}

describe('quantizeArtifacts', () => {
  it('quantizes the float32 model weights only, in a layout tfjs-core decodes', async () => {
    const artifacts = await mixedArtifacts();
    const before = JSON.stringify(artifacts.weightSpecs);
    for (const dtype of ['float16', 'uint8', 'uint16'] as const) {
      const quantized = quantizeArtifacts(artifacts, { dtype });
      const specs = quantized.weightSpecs!;
      expect(specs.map((s) => s.quantization?.dtype)).to.deep.equal([dtype, undefined, dtype, undefined]);
      expect(specs.map(({ quantization: _q, ...rest }) => rest)).to.deep.equal(artifacts.weightSpecs);
      const width = dtype === 'uint8' ? 1 : 2;
      expect((quantized.weightData as ArrayBuffer).byteLength).to.equal(3 * width + 2 * 4 + 3 * width + 2 * 4);
      const values = decoded(quantized);
      expect(values['counts']).to.deep.equal([7, -3]);
      expect(values['d/mask']).to.deep.equal([1, 0, 1]);
      expect(values['d/kernel/m']).to.deep.equal(Array.from(Float32Array.from([0.1, 0.2])));
      expect(values['d/kernel'][1]).to.equal(0);
      expect(values['d/kernel'][0]).to.be.closeTo(0.5, dtype === 'uint8' ? 1.75 / 255 / 2 + 1e-7 : 1e-4);
      expect(quantized.modelTopology).to.equal(artifacts.modelTopology);
    }
    expect(JSON.stringify(artifacts.weightSpecs)).to.equal(before);
  });

  it('returns artifacts without weights as they are, and leaks no tensor', async () => {
    const bare = { modelTopology: {} };
    expect(quantizeArtifacts(bare, { dtype: 'uint8' })).to.equal(bare);
    const artifacts = await mixedArtifacts();
    await expectNoTensorLeak(() => quantizeArtifacts(artifacts, { dtype: 'float16' }));
  });

  it('refuses weight data that does not match its specs', async () => {
    const artifacts = await mixedArtifacts();
    const cut = { ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(0, 10) };
    expect(() => quantizeArtifacts(cut, { dtype: 'uint8' }))
      .to.throw('Cannot quantize the weights: their data holds 10 bytes, but their specs describe 40.');
  });
});
