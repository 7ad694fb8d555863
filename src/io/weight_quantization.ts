import type * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkOptionNames, checkOptions, describeValue } from '../checks';
import { FLOAT16_MAX, float16Bits } from './float16';

/** The storage types of TF.js weight quantization, as `tensorflowjs_converter` writes them. */
export const QUANTIZATION_DTYPES = ['float16', 'uint8', 'uint16'] as const;
/**
 * A storage type of TF.js weight quantization: `'float16'`, `'uint8'` or `'uint16'`.
 *
 * ```js
 * const dtype = 'uint8'; // fileSystem(dir, {quantization: {dtype}}): one byte per weight
 * ```
 */
export type QuantizationDtype = (typeof QUANTIZATION_DTYPES)[number];

/**
 * How to store weights: TF.js's standard weight quantization, which
 * `tf.loadLayersModel` decodes in any TF.js (4.x and earlier). The errors,
 * per weight tensor, with zeros and 0/1 masks always exact:
 * - `'float16'`: half precision, a relative error of at most 2^-11 (4.9e-4)
 *   for magnitudes in [6.1e-5, 65504], an absolute one of at most 2^-25
 *   below; integers up to 2048 are exact. Larger magnitudes are refused.
 * - `'uint8'` / `'uint16'`: affine, `value ≈ q · scale + min` with
 *   `scale = (max - min) / 255` (or `/ 65535`) over the tensor's range: an
 *   absolute error of at most `scale / 2`. As tensorflowjs_converter does,
 *   the range is nudged so that 0 is one of the levels, so pruned zeros
 *   load as exactly 0. A tensor of integers within [0, 255] (or 65535), such
 *   as a mask, is stored with scale 1 and min 0: exactly.
 *
 * ```js
 * await stripPruning(model).save(fileSystem('./deploy', {quantization: {dtype: 'uint8'}}));
 * ```
 */
export interface WeightQuantization {
  /** The storage type: `'float16'`, `'uint8'` or `'uint16'`. */
  dtype: QuantizationDtype;
}

/** Quantized values and the manifest entry's `quantization` field that decodes them. */
export interface QuantizedValues {
  /** The stored values, little-endian. */
  bytes: ArrayBuffer;
  quantization: NonNullable<tf.io.WeightsManifestEntry['quantization']>;
}

/**
 * Asserts that `value` is a {@link WeightQuantization}; `name` names the
 * argument in the message.
 */
export function checkWeightQuantization(value: unknown, name: string): asserts value is WeightQuantization {
  const allowed = QUANTIZATION_DTYPES.map((d) => `'${d}'`).join(', ');
  checkOptions(value, `${name} must be an object {dtype: ${allowed.replace(/, /g, ' | ')}}`);
  checkOptionNames(value, name, ['dtype']);
  const dtype = (value as { dtype?: unknown }).dtype;
  if (!QUANTIZATION_DTYPES.includes(dtype as QuantizationDtype)) {
    throw new TypeError(`${name}.dtype must be one of ${allowed}; received ${describeValue(dtype)}.`);
  }
}

/**
 * `values` stored as `dtype` (see {@link WeightQuantization} for the
 * errors), with the `quantization` entry that tfjs-core's `decodeWeights`
 * reads back. `name` names the weight in errors: values must be finite, and
 * for float16 of magnitude at most 65504.
 *
 * ```ts
 * const {bytes, quantization} = quantizeValues(Float32Array.from([0, 0.5, -1]), 'uint8', 'dense/kernel');
 * // quantization: {dtype: 'uint8', scale: 0.00588…, min: -1}: 0 is the level q = 170 exactly
 * ```
 */
export function quantizeValues(values: Float32Array, dtype: QuantizationDtype, name: string): QuantizedValues {
  checkFinite(values, `weight '${name}'`);
  if (dtype === 'float16') {
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) {
      if (Math.abs(values[i]) > FLOAT16_MAX) {
        throw new RangeError(`weight '${name}' cannot be stored as float16: ${values[i]} at flat index ${i} ` +
          `exceeds the largest float16, ${FLOAT16_MAX}; use 'uint16' or 'uint8'.`);
      }
      half[i] = float16Bits(values[i]);
    }
    return { bytes: half.buffer, quantization: { dtype } };
  }
  const { levels, scale, min } = affineLevels(values, dtype === 'uint8' ? 0xff : 0xffff);
  const stored = dtype === 'uint8' ? Uint8Array.from(levels) : Uint16Array.from(levels);
  return { bytes: stored.buffer, quantization: { dtype, scale, min } };
}

/**
 * Affine levels in [0, top] with `value ≈ level · scale + min`, computed in
 * double precision as tensorflowjs_converter's `quantize_weights` does:
 * when the range holds 0, `min` is nudged to `-z · scale` for an integer z,
 * so that 0 decodes as z · scale - z · scale, exactly 0.
 */
function affineLevels(values: Float32Array, top: number): { levels: Float64Array; scale: number; min: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let integral = true;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  const levels = new Float64Array(values.length);
  if (values.length === 0 || (integral && lo >= 0 && hi <= top)) {
    levels.set(values);
    return { levels, scale: 1, min: 0 };
  }
  if (lo === hi) return { levels, scale: 1, min: lo };
  const scale = (hi - lo) / top;
  const min = lo <= 0 && hi >= 0 ? -Math.round(-lo / scale) * scale : lo;
  for (let i = 0; i < values.length; i++) {
    levels[i] = Math.min(top, Math.max(0, Math.round((values[i] - min) / scale)));
  }
  return { levels, scale, min };
}

