import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { joinWeightData, weightLayout } from '../../src/io/weight_layout';

describe('weightLayout', () => {
  it('lays out weights back to back as decodeWeights reads them: numbers, quantized values and strings', async () => {
    const tensors = { a: tf.tensor2d([[1, 2], [3, 4]]), b: tf.tensor1d([7], 'int32'), s: tf.tensor1d(['xy', 'hello'], 'string'), c: tf.tensor1d([true, false, true], 'bool') };
    const { data, specs } = await tf.io.encodeWeights(tensors);
    const layout = weightLayout(specs, data as ArrayBuffer);
    // 'xy' and 'hello' are stored as 4-byte lengths and their bytes.
    expect(layout.byteLengths).to.deep.equal([16, 4, 4 + 2 + 4 + 5, 3]);
    expect(layout.offsets).to.deep.equal([0, 16, 20, 35]);
    expect(layout.byteLength).to.equal((data as ArrayBuffer).byteLength);
    const quantized = [{ name: 'q', shape: [3, 2], dtype: 'float32' as const, quantization: { dtype: 'uint8' as const, min: 0, scale: 1 } }];
    expect(weightLayout(quantized, new ArrayBuffer(6)).byteLength).to.equal(6);
    tf.dispose(Object.values(tensors));
  });

  it('reports a string cut off by the end of the data as extending past it', () => {
    const specs = [{ name: 's', shape: [2], dtype: 'string' as const }];
    const data = new Uint8Array([2, 0, 0, 0, 65, 66]); // one string 'AB', the second missing
    expect(weightLayout(specs, data.buffer).byteLength).to.equal(10);
  });

  it('names a weight of unknown dtype', () => {
    const specs = [{ name: 'w', shape: [2], dtype: 'float64' as unknown as 'float32' }];
    expect(() => weightLayout(specs, new ArrayBuffer(16))).to.throw("Weight 'w' has an unknown dtype 'float64'.");
  });
});

describe('joinWeightData', () => {
  const specs = [{ name: 'a', shape: [2], dtype: 'float32' as const }, { name: 'b', shape: [1], dtype: 'int32' as const }];
  const mismatch = (held: number, described: number) => `held ${held}, described ${described}`;

  it('joins the weight data and lays out the specs in it', () => {
    const { data, layout } = joinWeightData(specs, [new ArrayBuffer(8), new ArrayBuffer(4)], mismatch);
    expect(data.byteLength).to.equal(12);
    expect(layout.offsets).to.deep.equal([0, 8]);
  });

  it('throws the caller\'s message when the data holds more or fewer bytes than the specs describe', () => {
    expect(() => joinWeightData(specs, new ArrayBuffer(8), mismatch)).to.throw('held 8, described 12');
    expect(() => joinWeightData(specs, [new ArrayBuffer(8), new ArrayBuffer(8)], mismatch)).to.throw('held 16, described 12');
  });
});
