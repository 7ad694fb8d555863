import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { float16Bits } from '../../src/io/float16';

/** Every float16 bit pattern decoded by tfjs-core, the reader of float16 weights. */
function decodeAllFloat16(): Float32Array {
  const bits = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
  const spec: tf.io.WeightsManifestEntry = { name: 'all', shape: [0x10000], dtype: 'float32', quantization: { dtype: 'float16' } };
  const tensor = tf.io.decodeWeights(bits.buffer, [spec]).all;
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

describe('float16Bits', () => {
  let decoded: Float32Array;
  before(() => {
    decoded = decodeAllFloat16();
  });

  it('encodes every float16 value back to its bits, as tfjs-core decodes them', () => {
    for (let h = 0; h < 0x10000; h++) {
      if (Number.isNaN(decoded[h])) {
        expect(Number.isNaN(decoded[float16Bits(decoded[h])]), `NaN ${h}`).to.equal(true);
      } else if (float16Bits(decoded[h]) !== h) {
        expect.fail(`bits 0x${h.toString(16)} decode to ${decoded[h]}, which encodes to 0x${float16Bits(decoded[h]).toString(16)}`);
      }
    }
  });

  it('rounds to nearest, ties to even, across normals, subnormals and their boundary', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const [a, b] = [decoded[h], decoded[h + 1]];
      const mid = (a + b) / 2; // Exact in float32: a half has 11 significant bits.
      expect(float16Bits(mid), `tie between 0x${h.toString(16)} and the next`).to.equal(h % 2 === 0 ? h : h + 1);
      expect(float16Bits(Math.fround(mid - (mid - a) / 4))).to.equal(h);
      expect(float16Bits(Math.fround(mid + (b - mid) / 4))).to.equal(h + 1);
      expect(float16Bits(-mid)).to.equal(0x8000 | (h % 2 === 0 ? h : h + 1));
    }
  });

  it('overflows to Infinity from 65520 on, and flushes magnitudes up to 2^-25 to zero', () => {
    expect(float16Bits(65504)).to.equal(0x7bff);
    expect(float16Bits(65519.99)).to.equal(0x7bff);
    expect(float16Bits(65520)).to.equal(0x7c00);
    expect(float16Bits(-1e9)).to.equal(0xfc00);
    expect(float16Bits(Infinity)).to.equal(0x7c00);
    expect(float16Bits(2 ** -25)).to.equal(0);
    expect(float16Bits(2 ** -25 * 1.001)).to.equal(1);
    expect(float16Bits(-(2 ** -30))).to.equal(0x8000);
    expect(float16Bits(1e-45)).to.equal(0); // A float32 subnormal.
    expect(float16Bits(0)).to.equal(0);
    expect(float16Bits(-0)).to.equal(0x8000);
  });
});
