/**
 * Order statistics over a Float32Array in expected linear time.
 *
 * Mask selection needs a single threshold (the value of rank k among the
 * weights), not a sorted order: a full sort or `tf.topk` over a 4096x4096
 * kernel takes seconds, selection takes tens of milliseconds.
 */

/**
 * Returns the value of rank `k` (0-based) among `values`, i.e. the value that
 * would sit at index `k` after sorting ascending.
 *
 * Runs in O(n) expected time and O(1) extra memory by partitioning `values`
 * in place: the array is REORDERED, so pass a scratch copy if its order
 * matters. Equal values are split evenly between both sides of a partition,
 * so arrays with many duplicates (an all-zero kernel) stay linear. Pivots come
 * from a fixed-seed PRNG: results and running time are deterministic, and
 * sorted or organ-pipe inputs do not go quadratic.
 *
 * `values` must not contain NaN (the result is then unspecified); `-0` and
 * `0` count as equal.
 *
 * @param values Values to select from; reordered in place.
 * @param k Rank to return, an integer in [0, values.length).
 * @returns The k-th smallest value.
 * @throws RangeError if `k` is not an integer in [0, values.length).
 *
 * @example
 * ```ts
 * const scratch = Float32Array.from([5, 1, 4, 1, 3]);
 * kthSmallest(scratch, 0); // 1
 * kthSmallest(scratch, 2); // 3 (scratch is now reordered)
 * ```
 */
export function kthSmallest(values: Float32Array, k: number): number {
  const n = values.length;
  if (!Number.isInteger(k) || k < 0 || k >= n) {
    throw new RangeError(`k must be an integer in [0, ${n}); received ${k}`);
  }
  // xorshift32 with a fixed non-zero seed: cheap, deterministic, and good
  // enough to make a bad pivot sequence as unlikely as with Math.random.
  let state = 0x9e3779b9 | 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const pivot = values[lo + ((state >>> 0) % (hi - lo + 1))];

    // Hoare partition that stops on elements equal to the pivot, so runs of
    // equal values are swapped across and split in the middle. The pivot value
    // lies in [lo, hi] and every swap leaves a stopper behind each scan, so
    // neither scan can leave the range.
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const tmp = values[i];
        values[i] = values[j];
        values[j] = tmp;
        i++;
        j--;
      }
    }
    // Now values[lo..j] <= pivot, values[i..hi] >= pivot and j < i; anything
    // strictly between j and i equals the pivot. The first swap always moves
    // i past lo and j below hi, so the range shrinks every round.
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return values[k];
    }
  }
  return values[k];
}
