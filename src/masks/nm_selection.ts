/**
 * N:M pruning (tfmot's `sparsity_m_by_n`, NVIDIA's 2:4): along a weight's
 * input axis, every group of `m` consecutive entries keeps its `n` entries
 * of largest |w|, separately for every index of the other axes (each output
 * unit, each kernel position). The pattern, not a threshold, sets the
 * sparsity: `1 - n / m`.
 */

import { checkDimension, checkFinite, checkLength, describeValue, toFloat32Array } from '../checks';
import { checkCurrentMask } from './mask_selection';

/** A weight as `[outer, length, inner]` in row-major order around one axis of `length` entries. */
export interface AxisLayout {
  outer: number;
  length: number;
  inner: number;
}

/**
 * The layout of a weight of `shape` around `axis` (negative counts from the
 * end), which must be a multiple of `m` long.
 *
 * ```ts
 * nmLayout([3, 3, 16, 8], -2, 4); // {outer: 9, length: 16, inner: 8}
 * ```
 */
export function nmLayout(shape: readonly number[], axis: number, m: number): AxisLayout {
  const a = axis < 0 ? shape.length + axis : axis;
  if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
    throw new RangeError(`the input axis must be an axis of a rank-${shape.length} weight; received ${axis}`);
  }
  const length = shape[a];
  if (length % m !== 0) {
    throw new Error(`the input axis (axis ${a} of shape [${shape.join(', ')}], length ${length}) must be a multiple of m = ${m} ` +
      'for N:M pruning');
  }
  const product = (from: number, to: number) => shape.slice(from, to).reduce((x, y) => x * y, 1);
  return { outer: product(0, a), length, inner: product(a + 1, shape.length) };
}

/** Throws a clear error unless `n` and `m` are integers with 1 <= n <= m. */
export function checkNM(n: unknown, m: unknown): asserts n is number {
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) {
    throw new RangeError(`m must be a positive integer (the group size of N:M pruning); received ${describeValue(m)}.`);
  }
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > m) {
    throw new RangeError(`n must be an integer in [1, m = ${m}] (the entries each group of m keeps); received ${describeValue(n)}.`);
  }
}

/**
 * Writes into `out` the N:M mask of `values` (both of `layout`'s size, `out`
 * not aliasing the inputs): in every group, the entries `currentMask`
 * already prunes stay pruned and count, and the `max(m - n, alreadyPruned)`
 * entries of smallest |w| are 0; equal |w| prune the lower index first, as
 * in magnitude pruning. O(size · m) time in the worst case (an insertion
 * sort per group; m is small in practice). Returns `out`.
 */
export function writeNMMask(out: Float32Array, values: Float32Array, layout: AxisLayout, n: number, m: number,
  currentMask?: Float32Array): Float32Array {
  checkNM(n, m);
  const { outer, length, inner } = layout;
  const size = outer * length * inner;
  if (values.length !== size || out.length !== size || length % m !== 0) {
    throw new Error(`values and out must have ${size} entries, the axis a multiple of m = ${m}; received ${values.length}, ` +
      `${out.length} and an axis of ${length}`);
  }
  checkCurrentMask(currentMask, size);
  const keys = new Float64Array(m);
  const order = new Uint32Array(m);
  let checksum = 0;
  for (let o = 0; o < outer; o++) {
    for (let g = 0; g < length; g += m) {
      for (let j = 0; j < inner; j++) {
        const first = (o * length + g) * inner + j;
        let pruned = 0;
        for (let t = 0; t < m; t++) {
          const i = first + t * inner;
          const live = currentMask === undefined || currentMask[i] !== 0;
          const v = values[i];
          // Finite values give 0: a NaN or an Infinity anywhere makes the checksum NaN.
          checksum += v - v;
          keys[t] = live ? Math.abs(v) : -1;
          pruned += live ? 0 : 1;
          out[i] = live ? 1 : 0;
          // Insertion by (key, position): the first entries of `order` are the ones to prune.
          let p = t;
          while (p > 0 && keys[order[p - 1]] > keys[t]) {
            order[p] = order[p - 1];
            p--;
          }
          order[p] = t;
        }
        const toPrune = Math.max(m - n, pruned);
        for (let p = 0; p < toPrune; p++) out[first + order[p] * inner] = 0;
      }
    }
  }
  if (checksum !== 0) checkFinite(values, 'weights');
  return out;
}

/**
 * Selects an N:M mask: along `inputAxis` of a weight of `shape`, every `m`
 * consecutive entries keep the `n` of largest |w| (ties: the lower index is
 * pruned first), separately for every index of the other axes. Entries
 * pruned in `currentMask` stay pruned and count within their group. The
 * axis must be a multiple of `m` long.
 *
 * @param values Weights in row-major order, all finite.
 * @param shape The weight's shape.
 * @param inputAxis The axis of the groups, negative ones from the end (a Dense kernel's 0, a Conv2D kernel's 2).
 * @param n Entries kept per group, an integer in [1, m].
 * @param m Group size, a positive integer.
 * @param currentMask Optional 0/1 mask of the same length; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1.
 *
 * @example
 * ```ts
 * // A [4, 2] Dense kernel: each column keeps the 2 largest of its 4 entries.
 * selectNMMask([1, -8, 5, 2, 3, 7, -4, 1], [4, 2], 0, 2, 4); // [0, 1, 1, 0, 0, 1, 1, 0]
 * ```
 */
export function selectNMMask(values: ArrayLike<number>, shape: readonly number[], inputAxis: number, n: number, m: number,
  currentMask?: ArrayLike<number>): Float32Array {
  const weights = toFloat32Array(values, 'values');
  const mask = currentMask === undefined ? undefined : toFloat32Array(currentMask, 'currentMask');
  checkNM(n, m);
  shape.forEach((d, i) => checkDimension(d, `shape[${i}]`));
  const layout = nmLayout(shape, inputAxis, m);
  checkLength(weights.length, layout.outer * layout.length * layout.inner, 'values', 'the product of shape');
  return writeNMMask(new Float32Array(weights.length), weights, layout, n, m, mask);
}
