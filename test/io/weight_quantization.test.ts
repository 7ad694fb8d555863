import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { checkWeightQuantization, QuantizationDtype, quantizeValues } from '../../src/io/weight_quantization';
import { randomMask, randomWeights } from '../support/random';

/** `values` quantized as `dtype`, then decoded by tfjs-core as tf.loadLayersModel decodes them. */
function roundTrip(values: Float32Array, dtype: QuantizationDtype): { decoded: Float32Array; quantization: tf.io.WeightsManifestEntry['quantization'] } {
  const { bytes, quantization } = quantizeValues(values, dtype, 'w');
  expect(bytes.byteLength).to.equal(values.length * (dtype === 'uint8' ? 1 : 2));
  const tensor = tf.io.decodeWeights(bytes, [{ name: 'w', shape: [values.length], dtype: 'float32', quantization }]).w;
  const decoded = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return { decoded, quantization };
}

/** Pruned-looking weights: normal values, about 70% of them exactly 0. */
function prunedWeights(n: number, seed: number): Float32Array {
  const mask = randomMask(n, seed + 1, 0.7);
  return randomWeights(n, seed, 'normal').map((v, i) => v * mask[i]);
}

describe('quantizeValues', () => {
  it('float16: relative error at most 2^-11, zeros, integers up to 2048 and a mask exact', () => {
    const values = prunedWeights(5000, 3).map((v, i) => (i % 7 === 0 ? v * 1000 : v));
    const { decoded, quantization } = roundTrip(values, 'float16');
    expect(quantization).to.deep.equal({ dtype: 'float16' });
    values.forEach((v, i) => {
      if (v === 0) expect(decoded[i], `index ${i}`).to.equal(0);
      else expect(Math.abs(decoded[i] - v), `index ${i}`).to.be.at.most(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
    });
    const integers = Float32Array.from({ length: 2049 }, (_, i) => i - 1024);
    expect(Array.from(roundTrip(integers, 'float16').decoded)).to.deep.equal(Array.from(integers));
    const mask = randomMask(1000, 4, 0.5);
    expect(Array.from(roundTrip(mask, 'float16').decoded)).to.deep.equal(Array.from(mask));
  });

  for (const [dtype, top] of [['uint8', 255], ['uint16', 65535]] as const) {
    it(`${dtype}: absolute error at most scale / 2 with scale = (max - min) / ${top}, pruned zeros exact`, () => {
      for (const seed of [1, 2, 3]) {
        const values = prunedWeights(4000, seed);
        const { decoded, quantization } = roundTrip(values, dtype);
        const [lo, hi] = [Math.min(...values), Math.max(...values)];
        expect(quantization!.dtype).to.equal(dtype);
        expect(quantization!.scale).to.be.closeTo((hi - lo) / top, 1e-12);
        values.forEach((v, i) => {
          if (v === 0) expect(decoded[i], `index ${i}`).to.equal(0);
          // The decoded value is rounded to float32 too.
          else expect(Math.abs(decoded[i] - v), `index ${i}`).to.be.at.most(quantization!.scale! / 2 + Math.abs(v) * 2 ** -23);
        });
      }
    });

    it(`${dtype}: 0 decodes exactly as 0 whatever the range around it`, () => {
      const ends = randomWeights(2000, 9, 'normal');
      for (let k = 0; k < ends.length; k += 2) {
        const values = Float32Array.from([-Math.abs(ends[k]) * 10 ** (k % 5), 0, Math.abs(ends[k + 1]) / 10 ** (k % 3)]);
        expect(roundTrip(values, dtype).decoded[1], `range [${values[0]}, ${values[2]}]`).to.equal(0);
      }
    });

    it(`${dtype}: masks and other integers in [0, ${top}] exactly (scale 1, min 0); a constant tensor exactly`, () => {
      const mask = randomMask(999, 5, 0.6);
      const masked = roundTrip(mask, dtype);
      expect(masked.quantization).to.deep.equal({ dtype, scale: 1, min: 0 });
      expect(Array.from(masked.decoded)).to.deep.equal(Array.from(mask));
      const counts = Float32Array.from([0, 3, top, 17]);
      expect(Array.from(roundTrip(counts, dtype).decoded)).to.deep.equal(Array.from(counts));
      const constant = new Float32Array(10).fill(-0.3125);
      expect(Array.from(roundTrip(constant, dtype).decoded)).to.deep.equal(Array.from(constant));
      expect(Array.from(roundTrip(new Float32Array(0), dtype).decoded)).to.deep.equal([]);
    });

    it(`${dtype}: a range without 0 (all positive, as variances) is not nudged`, () => {
      const values = Float32Array.from({ length: 100 }, (_, i) => 1 + i / 7);
      const { decoded, quantization } = roundTrip(values, dtype);
      expect(quantization!.min).to.equal(1);
      values.forEach((v, i) => expect(Math.abs(decoded[i] - v)).to.be.at.most(quantization!.scale! / 2 + v * 2 ** -23));
    });
  }

  it('refuses NaN and Infinity, and float16 beyond 65504, naming the weight', () => {
    expect(() => quantizeValues(Float32Array.from([1, NaN]), 'uint8', 'd/kernel'))
      .to.throw("weight 'd/kernel' must not hold NaN or Infinity; found NaN at flat index 1");
    expect(() => quantizeValues(Float32Array.from([0, -70000]), 'float16', 'd/bias'))
      .to.throw(RangeError, "weight 'd/bias' cannot be stored as float16: -70000 at flat index 1 exceeds the largest float16, 65504; use 'uint16' or 'uint8'.");
  });
});

describe('checkWeightQuantization', () => {
  it('accepts {dtype} with a known dtype and names the argument otherwise', () => {
    for (const dtype of ['float16', 'uint8', 'uint16']) checkWeightQuantization({ dtype }, 'q');
    expect(() => checkWeightQuantization('uint8', 'opts.quantization')).to.throw(TypeError,
      "opts.quantization must be an object {dtype: 'float16' | 'uint8' | 'uint16'}; received string \"uint8\".");
    expect(() => checkWeightQuantization({ dtype: 'int8' }, 'q')).to.throw(TypeError,
      "q.dtype must be one of 'float16', 'uint8', 'uint16'; received string \"int8\".");
    expect(() => checkWeightQuantization({}, 'q')).to.throw(TypeError, "q.dtype must be one of 'float16', 'uint8', 'uint16'; received undefined.");
  });
});
