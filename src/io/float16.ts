/** Largest finite float16, 65504. */
export const FLOAT16_MAX = 65504;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE 754 half-precision bits of `value`, rounded to nearest, ties to
 * even, as `numpy.float16` rounds: the encoding tfjs-core's float16 weight
 * decoder reads. Values of magnitude 65520 or more become ±Infinity, NaN
 * stays NaN, and magnitudes below 2^-25 become ±0.
 *
 * ```ts
 * float16Bits(1);   // 0x3c00
 * float16Bits(-2);  // 0xc000
 * ```
 */
export function float16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent >= 1) {
    // Normal: drop 13 mantissa bits; a carry out of the mantissa rightly bumps the exponent (to Infinity at the top).
    return sign | roundShift((halfExponent << 23) | mantissa, 13);
  }
  // Subnormal (or zero): the value is m · 2^-24, m = (1.mantissa · 2^23) >> (14 - halfExponent).
  const shift = 14 - halfExponent;
  return shift > 24 ? sign : sign | roundShift(mantissa | 0x800000, shift);
}

/** `bits >> shift`, rounded to nearest, ties to even. */
function roundShift(bits: number, shift: number): number {
  const kept = bits >>> shift;
  const rest = bits - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}
