/**
 * Pure mask selection over typed arrays: which weights (or which units) to
 * prune for a target sparsity. No tensors here, so the rules (counts, tie
 * order, what happens to weights pruned before) are exact and testable
 * against a plain sort, and the same code serves every backend.
 */

import {
  checkBinaryMask,
  checkDimension,
  checkFinite,
  checkFraction,
  checkLength,
} from './checks';
import { kthSmallest } from './quickselect';

/**
 * Number of entries to prune for sparsity `k` out of `n`: `Math.round(k * n)`
 * (halves round up, so `k = 0.5, n = 5` prunes 3).
 *
 * @param k Target sparsity in [0, 1].
 * @param n Number of candidates (weights or units), a non-negative integer.
 * @returns An integer in [0, n].
 *
 * @example
 * ```ts
 * prunedCount(0.9, 1000); // 900
 * prunedCount(0.25, 10);  // 3 (2.5 rounds up)
 * ```
 */
export function prunedCount(k: number, n: number): number {
  checkFraction(k);
  checkDimension(n, 'n');
  return Math.round(k * n);
}

/** Validates an optional current mask against the number of weights. */
function checkCurrentMask(currentMask: Float32Array | undefined, n: number): void {
  if (currentMask === undefined) return;
  checkLength(currentMask.length, n, 'currentMask', 'one per weight');
  checkBinaryMask(currentMask, 'currentMask');
}

/**
 * Ranking key of weight i: |w|, or -1 where the (binary) current mask is 0.
 * Arithmetic rather than a branch: a random 0/1 mask would mispredict often.
 * `|w| * m + (m - 1)` is exact for m in {0, 1} (no rounding through |w| + 1).
 */
function keyAt(values: Float32Array, currentMask: Float32Array | undefined, i: number): number {
  const magnitude = Math.abs(values[i]);
  if (currentMask === undefined) return magnitude;
  const m = currentMask[i];
  return magnitude * m + (m - 1);
}

/**
 * Selects a magnitude-pruning mask: 0 for the weights to prune, 1 for the rest.
 *
 * Exactly `max(round(k * n), alreadyPruned)` entries are 0, where
 * `alreadyPruned` is the number of zeros in `currentMask`. Entries already
 * pruned in `currentMask` rank first (so pruned weights stay pruned and
 * sparsity never decreases), then the others by |w| ascending; equal keys
 * prune the lower flat index first, as `tf.nn.top_k` does in the reference
 * Stack Overflow answer.
 *
 * O(n) expected time via {@link kthSmallest} on a scratch copy of the keys,
 * O(n) extra memory. Inputs are not modified.
 *
 * @param values Weights in flat order (any shape), all finite.
 * @param k Target sparsity in [0, 1].
 * @param currentMask Optional 0/1 mask of the same length; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1, the same length as `values`.
 * @throws TypeError / RangeError for a bad `k`; Error for non-finite weights or a bad mask.
 *
 * @example
 * ```ts
 * const w = Float32Array.from([0.3, -0.1, 0.5, 0.1]);
 * selectMagnitudeMask(w, 0.5); // [1, 0, 1, 0]: |-0.1| and |0.1| tie, both pruned
 * selectMagnitudeMask(w, 0.25); // [1, 0, 1, 1]: the tie goes to the lower index
 * selectMagnitudeMask(w, 0, Float32Array.from([0, 1, 1, 1])); // [0, 1, 1, 1]
 * ```
 */
export function selectMagnitudeMask(
  values: Float32Array,
  k: number,
  currentMask?: Float32Array,
): Float32Array {
  checkFraction(k);
  checkFinite(values, 'weights');
  const n = values.length;
  checkCurrentMask(currentMask, n);

  // Keys: |w|, or -1 for entries already pruned, which sorts them below every
  // live weight (|w| >= 0). |w| of a float32 is exactly a float32, so the
  // scratch copy and the keys recomputed by keyAt compare equal.
  const scratch = new Float32Array(n);
  let alreadyPruned = 0;
  for (let i = 0; i < n; i++) scratch[i] = keyAt(values, currentMask, i);
  if (currentMask !== undefined) {
    for (let i = 0; i < n; i++) alreadyPruned += 1 - currentMask[i];
  }

  const count = Math.max(Math.round(k * n), alreadyPruned);
  if (count === 0) return new Float32Array(n).fill(1);
  if (count === n) return new Float32Array(n);

  // Threshold = the key of rank count-1. Everything strictly below it is
  // pruned; the remaining quota goes to keys equal to it, in index order.
  const threshold = kthSmallest(scratch, count - 1);
  let below = 0;
  for (let i = 0; i < n; i++) below += scratch[i] < threshold ? 1 : 0;
  let ties = count - below;
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keyAt(values, currentMask, i);
    // Conditional moves for the common case (random data would mispredict a
    // branch there); keys equal to the threshold are rare.
    let keep = key > threshold ? 1 : 0;
    if (key === threshold) {
      if (ties > 0) ties--;
      else keep = 1;
    }
    mask[i] = keep;
  }
  return mask;
}

/**
 * Selects a unit-pruning mask for a row-major `[rows, cols]` kernel whose
 * columns are units (the layout of a Dense kernel, `[inputs, units]`): every
 * weight of a pruned column is 0.
 *
 * Columns are ranked by the L2 norm of the effective weights `w * currentMask`
 * (sums of squares in Float64). Columns whose current mask is all zero count
 * as already pruned and rank first; equal norms prune the lower column index
 * first. Exactly `max(round(k * cols), alreadyPrunedColumns)` columns are all
 * zero in the result, which is also ANDed with `currentMask`, so individual
 * weights pruned before stay pruned.
 *
 * O(rows * cols + cols * log(cols)) time, O(rows * cols) memory for the result.
 * Inputs are not modified.
 *
 * @param values Kernel in row-major order, `rows * cols` finite values.
 * @param rows Number of rows (inputs).
 * @param cols Number of columns (units).
 * @param k Target fraction of units to prune, in [0, 1].
 * @param currentMask Optional 0/1 mask of the same length; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1, the same length as `values`.
 * @throws TypeError / RangeError for a bad `k` or dimensions; Error for
 *   non-finite weights, a length mismatch or a non-binary mask.
 *
 * @example
 * ```ts
 * // [[1, 0.1, 3],
 * //  [1, 0.1, 3]]: column 1 has the smallest norm.
 * const w = Float32Array.from([1, 0.1, 3, 1, 0.1, 3]);
 * selectUnitMask(w, 2, 3, 1 / 3); // [1, 0, 1, 1, 0, 1]
 * ```
 */
export function selectUnitMask(
  values: Float32Array,
  rows: number,
  cols: number,
  k: number,
  currentMask?: Float32Array,
): Float32Array {
  checkDimension(rows, 'rows');
  checkDimension(cols, 'cols');
  checkFraction(k);
  checkLength(values.length, rows * cols, 'values', 'rows * cols');
  checkFinite(values, 'weights');
  const n = values.length;
  checkCurrentMask(currentMask, n);

  // One row-major pass (cache friendly): squared norms of the effective
  // weights w * m, and whether each column still has a live weight. No branch
  // on the mask: a random 0/1 mask would mispredict it half the time.
  const sumSquares = new Float64Array(cols);
  const live = new Uint8Array(cols);
  for (let r = 0, i = 0; r < rows; r++) {
    if (currentMask === undefined) {
      for (let c = 0; c < cols; c++, i++) sumSquares[c] += values[i] * values[i];
    } else {
      for (let c = 0; c < cols; c++, i++) {
        const m = currentMask[i];
        const v = values[i] * m;
        sumSquares[c] += v * v;
        live[c] |= m;
      }
    }
  }

  // Without a mask nothing is pruned yet; with one, a column is already
  // pruned when all its mask entries are 0 (rows > 0, else nothing to prune).
  const keys = new Float64Array(cols);
  let alreadyPruned = 0;
  for (let c = 0; c < cols; c++) {
    if (currentMask !== undefined && rows > 0 && live[c] === 0) {
      keys[c] = -1;
      alreadyPruned++;
    } else {
      keys[c] = Math.sqrt(sumSquares[c]);
    }
  }

  // Columns are few next to weights, so a comparison sort by (key, index) is
  // cheap and gives the tie order directly.
  const count = Math.max(Math.round(k * cols), alreadyPruned);
  const order = Array.from({ length: cols }, (_, c) => c);
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  const keepColumn = new Float32Array(cols).fill(1);
  for (let i = 0; i < count; i++) keepColumn[order[i]] = 0;

  // mask = keepColumn AND currentMask, as products; `+ 0` turns a -0 in
  // currentMask into 0.
  const mask = new Float32Array(n);
  for (let r = 0, i = 0; r < rows; r++) {
    if (currentMask === undefined) {
      mask.set(keepColumn, i);
      i += cols;
    } else {
      for (let c = 0; c < cols; c++, i++) mask[i] = (currentMask[i] + 0) * keepColumn[c];
    }
  }
  return mask;
}
