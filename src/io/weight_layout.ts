import * as tf from '@tensorflow/tfjs-core';

/** Bytes per value of each stored dtype, as tfjs-core's `decodeWeights` reads them. */
const BYTES_PER_VALUE: Readonly<Record<string, number>> = {
  float32: 4, int32: 4, bool: 1, complex64: 8, float16: 2, uint16: 2, uint8: 1,
};

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
