/**
 * Units of a weight of any shape: the entries of a weight that belong to one
 * output unit of its layer (a Dense kernel's column, a convolution kernel's
 * `[..., c]` slice). The axes that index the units are consecutive, so in
 * row-major order the weight is `[outer, units, inner]`: a Dense kernel
 * `[inputs, units]` is `[inputs, units, 1]`, a Conv2D kernel `[kh, kw, in,
 * filters]` is `[kh·kw·in, filters, 1]`, a Conv2DTranspose kernel `[kh, kw,
 * filters, in]` is `[kh·kw, filters, in]`, and a DepthwiseConv2D kernel
 * `[kh, kw, channels, multiplier]`, whose output channel `c·multiplier + m`
 * is a unit, is `[kh·kw, channels·multiplier, 1]`.
 */

import { checkDimension } from '../checks';

/**
 * A weight as `[outer, units, inner]` in row-major order.
 *
 * ```js
 * layer.maskedWeights[0].units; // a Conv2D kernel [5, 5, 20, 50]: {outer: 500, units: 50, inner: 1}
 * ```
 */
export interface UnitLayout {
  /** Product of the axes before the unit axes. */
  outer: number;
  /** Number of units: product of the unit axes. */
  units: number;
  /** Product of the axes after the unit axes. */
  inner: number;
}

/**
 * The layout of a weight of `shape` whose units are indexed by `unitAxes`
 * (consecutive axes, in order; negative ones count from the end).
 *
 * ```ts
 * unitLayout([5, 5, 20, 50], [-1]);    // {outer: 500, units: 50, inner: 1}
 * unitLayout([3, 3, 16, 2], [-2, -1]); // {outer: 9, units: 32, inner: 1}
 * ```
 */
export function unitLayout(shape: readonly number[], unitAxes: readonly number[]): UnitLayout {
  const axes = unitAxes.map((a) => (a < 0 ? shape.length + a : a));
  if (axes.length === 0 || axes.some((a, i) => a < 0 || a >= shape.length || (i > 0 && a !== axes[i - 1] + 1))) {
    throw new Error(`unitAxes must be consecutive axes of a rank-${shape.length} weight; received [${unitAxes.join(', ')}]`);
  }
  shape.forEach((d, i) => checkDimension(d, `shape[${i}]`));
  const product = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const first = axes[0];
  const end = axes[axes.length - 1] + 1;
  return { outer: product(0, first), units: product(first, end), inner: product(end, shape.length) };
}

/** The number of entries of a weight of `layout`. */
export function layoutSize({ outer, units, inner }: UnitLayout): number {
  return outer * units * inner;
}

/**
 * The unit of each entry of a row of `layout` (its `units · inner` entries
 * after one outer index). The loops below visit a weight in row-major
 * (memory) order, row by row, reading an entry's unit from this table: as
 * fast as a Dense kernel's two plain loops, where a third loop over `inner`
 * (mostly 1) makes them twice as slow, and a callback per entry four times
 * (a 4096 x 4096 kernel, bench:mask).
 */
function unitOfRowEntry({ units, inner }: UnitLayout): Uint32Array {
  const unitOf = new Uint32Array(units * inner);
  for (let u = 0, t = 0; u < units; u++) for (let j = 0; j < inner; j++, t++) unitOf[t] = u;
  return unitOf;
}

/**
 * Number of nonzero entries of each unit of `values`, such as a mask or a
 * kernel: a unit without any is pruned.
 *
 * ```ts
 * nonzeroPerUnit([1, 0, 2, 0], {outer: 2, units: 2, inner: 1}); // Uint32Array [2, 0]: unit 1 is pruned
 * ```
 */
export function nonzeroPerUnit(values: ArrayLike<number>, layout: UnitLayout): Uint32Array {
  const counts = new Uint32Array(layout.units);
  const unitOf = unitOfRowEntry(layout);
  const row = unitOf.length;
  for (let o = 0, i = 0; o < layout.outer; o++) {
    // Conditional moves, not branches: a random mask would mispredict them.
    for (let t = 0; t < row; t++, i++) counts[unitOf[t]] += values[i] !== 0 ? 1 : 0;
  }
  return counts;
}

/**
 * Adds each unit's sum of squares of the effective weights `values ⊙
 * mask` (Float64) to `sumSquares`, and marks in `live` the units that still
 * have an entry the mask keeps. Returns a checksum that is 0 unless a weight
 * is NaN or infinite or a mask entry is not 0 or 1 (a square of a finite
 * float32 cannot overflow a Float64), so that the caller validates only bad
 * input, without a branch per entry.
 */
export function accumulateUnitNorms(values: Float32Array, layout: UnitLayout, mask: Float32Array | undefined,
  sumSquares: Float64Array, live: Uint8Array): number {
  const unitOf = unitOfRowEntry(layout);
  const row = unitOf.length;
  let checksum = 0;
  for (let o = 0, i = 0; o < layout.outer; o++) {
    if (mask === undefined) {
      for (let t = 0; t < row; t++, i++) sumSquares[unitOf[t]] += values[i] * values[i];
    } else {
      // No branch on the mask: a random 0/1 mask would mispredict it half the time.
      for (let t = 0; t < row; t++, i++) {
        const u = unitOf[t];
        const m = mask[i];
        const v = values[i] * m;
        sumSquares[u] += v * v;
        live[u] |= m;
        checksum += Math.abs(m * (1 - m));
      }
    }
  }
  if (mask === undefined) live.fill(1);
  for (let u = 0; u < layout.units; u++) checksum += sumSquares[u] * 0;
  return checksum;
}

/**
 * Which units to keep (1) or prune (0): the `max(count, alreadyPruned)`
 * units of smallest `norms` go, where a unit not `live` counts as already
 * pruned and ranks first; equal norms prune the lower unit first.
 */
export function chooseUnits(norms: Float64Array, live: Uint8Array, count: number): Float32Array {
  const units = norms.length;
  const keys = Float64Array.from(norms, (n, u) => (live[u] === 0 ? -1 : n));
  // Units are few next to weights, so a comparison sort by (key, index) is cheap and gives the tie order directly.
  const order = Array.from({ length: units }, (_, u) => u);
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  const pruned = Math.max(count, live.reduce((n, l) => n + (l === 0 ? 1 : 0), 0));
  const keep = new Float32Array(units).fill(1);
  for (let i = 0; i < pruned; i++) keep[order[i]] = 0;
  return keep;
}

/**
 * Writes into `out` the mask that keeps the entries of the kept units (`keep`
 * from {@link chooseUnits}) that `mask` keeps (all of them without one): on
 * bit patterns, so a `-0` in `mask` becomes 0.
 */
export function writeKeptUnits(out: Float32Array, layout: UnitLayout, keep: Float32Array, mask: Float32Array | undefined): void {
  const unitOf = unitOfRowEntry(layout);
  const row = unitOf.length;
  // A row of the result without a mask: each unit's keep flag, repeated over its inner entries.
  const keptRow = Float32Array.from(unitOf, (u) => keep[u]);
  if (mask === undefined) {
    for (let o = 0; o < layout.outer; o++) out.set(keptRow, o * row);
    return;
  }
  const keepBits = new Uint32Array(row);
  for (let t = 0; t < row; t++) keepBits[t] = keptRow[t] === 0 ? 0 : 0x7fffffff;
  const maskBits = new Uint32Array(mask.buffer, mask.byteOffset, mask.length);
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let o = 0, i = 0; o < layout.outer; o++) {
    for (let t = 0; t < row; t++, i++) outBits[i] = maskBits[i] & keepBits[t];
  }
}
