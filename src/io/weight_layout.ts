import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../checks';

/** Bytes per value of each stored dtype, as tfjs-core's `decodeWeights` reads them. */
const BYTES_PER_VALUE: Readonly<Record<string, number>> = {
  float32: 4, int32: 4, bool: 1, complex64: 8, float16: 2, uint16: 2, uint8: 1,
};

/** The dtypes of a weight spec that tfjs-core decodes. */
const DTYPES = ['float32', 'int32', 'bool', 'string', 'complex64'];
/** The dtypes of a quantized weight's `quantization`, as tensorflowjs_converter writes them. */
const QUANTIZED_DTYPES = ['uint8', 'uint16', 'float16'];

/**
 * Asserts that `specs` is a list of weight specs tfjs-core can decode: each
 * `{name, shape, dtype, quantization?}` with a unique non-empty name, a shape
 * of non-negative integers and a known dtype. A file may come from anyone,
 * and TF.js alone fails on such specs with raw errors (`Cannot read
 * properties of undefined`) or later, after building the model.
 *
 * @param prefix Starts each message, naming the source (`'Cannot load a model from m/model.json: '`).
 * @throws Error naming the weight (or the spec's index) and what is allowed.
 *
 * @example
 * ```ts
 * checkWeightSpecs([{name: 'd/kernel', shape: [2, -1], dtype: 'float32'}], 'm.json: ');
 * // Error: m.json: weight 'd/kernel' must have a shape, an array of non-negative integers; received [2,-1].
 * ```
 */
export function checkWeightSpecs(specs: unknown, prefix: string): asserts specs is tf.io.WeightsManifestEntry[] {
  const fail = (detail: string): never => {
    throw new Error(`${prefix}${detail}.`);
  };
  if (!Array.isArray(specs)) fail(`the weight specs must be a list; received ${describeValue(specs)}`);
  const names = new Set<string>();
  (specs as unknown[]).forEach((spec, i) => {
    if (spec == null || typeof spec !== 'object' || Array.isArray(spec)) {
      fail(`weight spec ${i} must be an object {name, shape, dtype}; received ${describeValue(spec)}`);
    }
    const { name, shape, dtype, quantization } = spec as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') fail(`weight spec ${i} must have a name, a non-empty string; received ${describeValue(name)}`);
    const weight = `weight '${name as string}'`;
    if (names.has(name as string)) fail(`${weight} appears more than once; each weight name must be unique`);
    names.add(name as string);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`${weight} must have a shape, an array of non-negative integers; received ${Array.isArray(shape) ? JSON.stringify(shape) : describeValue(shape)}`);
    }
    if (typeof dtype !== 'string' || !DTYPES.includes(dtype)) fail(`${weight} has dtype ${describeValue(dtype)}; the dtypes are ${quoted(DTYPES)}`);
    if (quantization == null) return;
    const q = quantization as Record<string, unknown>;
    if (typeof q !== 'object' || typeof q.dtype !== 'string' || !QUANTIZED_DTYPES.includes(q.dtype)) {
      fail(`${weight} has quantization dtype ${describeValue(typeof q === 'object' ? q.dtype : q)}; the quantized dtypes are ${quoted(QUANTIZED_DTYPES)}`);
    }
    if (q.dtype !== 'float16' && !(typeof q.scale === 'number' && typeof q.min === 'number')) {
      fail(`${weight} is quantized as '${q.dtype as string}' but lacks the numbers quantization.scale and quantization.min`);
    }
  });
}

function quoted(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** Where each weight of a manifest lies in its weight data. */
export interface WeightLayout {
  /** Byte offset of each weight, in manifest order. */
  offsets: number[];
  /** Byte length of each weight, in manifest order. */
  byteLengths: number[];
  /** Bytes the manifest describes: the end of its last weight. */
  byteLength: number;
}

/**
 * The byte layout of `specs` in `data`, as tfjs-core's `decodeWeights` reads
 * it: values back to back in manifest order, quantized weights at their
 * quantized size, and each string as a 4-byte length and its bytes. String
 * lengths are read from `data`; one cut off by the end of `data` counts its
 * length field only, so a truncated buffer is still reported as too short.
 */
export function weightLayout(specs: readonly tf.io.WeightsManifestEntry[], data: ArrayBuffer): WeightLayout {
  const offsets: number[] = [];
  const byteLengths: number[] = [];
  let offset = 0;
  for (const spec of specs) {
    const size = tf.util.sizeFromShape(spec.shape);
    let byteLength: number;
    if (spec.quantization != null) {
      byteLength = size * BYTES_PER_VALUE[spec.quantization.dtype];
    } else if (spec.dtype === 'string') {
      byteLength = 0;
      for (let i = 0; i < size; i++) {
        const at = offset + byteLength;
        byteLength += 4 + (at + 4 <= data.byteLength ? new DataView(data, at, 4).getUint32(0, true) : 0);
      }
    } else {
      byteLength = size * BYTES_PER_VALUE[spec.dtype];
    }
    if (!Number.isFinite(byteLength)) {
      throw new Error(`Weight '${spec.name}' has an unknown dtype '${spec.quantization?.dtype ?? spec.dtype}'.`);
    }
    offsets.push(offset);
    byteLengths.push(byteLength);
    offset += byteLength;
  }
  return { offsets, byteLengths, byteLength: offset };
}

/**
 * `weightData` joined into one buffer, with the {@link weightLayout} of
 * `specs` in it; throws `mismatch(held, described)` as an Error when the data
 * holds another number of bytes than the specs describe (truncated, or
 * another model's).
 *
 * ```ts
 * const { data, layout } = joinWeightData(specs, artifacts.weightData,
 *   (held, described) => `The weights hold ${held} bytes, but their specs describe ${described}.`);
 * ```
 */
export function joinWeightData(specs: readonly tf.io.WeightsManifestEntry[], weightData: tf.io.WeightData,
  mismatch: (held: number, described: number) => string): { data: ArrayBuffer; layout: WeightLayout } {
  const data = tf.io.CompositeArrayBuffer.join(weightData);
  const layout = weightLayout(specs, data);
  if (layout.byteLength !== data.byteLength) throw new Error(mismatch(data.byteLength, layout.byteLength));
  return { data, layout };
}
