/**
 * The threshold of magnitude pruning in one pass over the weights: a
 * histogram over the float32 bit patterns of |w|, then an exact selection
 * among the few weights of the one bucket that holds the threshold.
 *
 * Everything works on bit patterns (Uint32Array views of the Float32Arrays,
 * no copies): for non-negative float32 values, bit-pattern order is
 * magnitude order, and integer operations are cheaper than float ones here.
 * Keys are `bits(|w|)` for live weights and -1 for weights the current mask
 * has already pruned, which thus rank below every live one.
 */

import { kthSmallest } from './quickselect';

/** The bit pattern of the float32 1, a live mask entry. */
export const ONE_BITS = 0x3f800000;

/**
 * Buckets of the histogram: the top 16 bits of |w| (sign cleared, so at
 * most 0x7fff), shifted up by one so that bucket 0 holds the already pruned.
 */
const BUCKETS = 0x8001;

/** Below this many weights, a second pass is cheap: no sampling. */
const MIN_SAMPLED_WEIGHTS = 4096;

/**
 * Histogram buckets whose entries the histogram pass also copies out, as
 * guessed from a sample to hold the threshold: with a right guess, no second
 * pass over the weights is needed.
 */
interface BucketRange {
  /** First bucket of the range, >= 1 (the already pruned are never copied). */
  first: number;
  /** Last bucket; `last < first` copies nothing. */
  last: number;
  /** Room for this many copies; a range holding more is abandoned. */
  capacity: number;
}

const NO_RANGE: BucketRange = { first: 1, last: 0, capacity: 0 };

/** The result of {@link scanMagnitudes}. */
export interface MagnitudeScan {
  /** Entries per bucket; `counts[0]` is the number already pruned. */
  counts: Uint32Array;
  /** False if a weight is NaN or infinite, or a mask entry is not 0, -0 or 1. */
  valid: boolean;
  range: BucketRange;
  /** Bit patterns of |w| for the live entries in `range`, in index order. */
  copies: Uint32Array;
  /** Live entries found in `range` (more than `copies` holds if it overflowed). */
  copied: number;
}

/** Whether a mask entry's bits say live (1), for entries known to be 0, -0 or 1. */
function liveBit(maskBits: number): number {
  return ((maskBits & 0x7fffffff) >>> 29) & 1;
}

/** The bucket holding the key of rank `rank` (0-based), given counts per bucket. */
function bucketOfRank(counts: Uint32Array, rank: number): number {
  let bucket = 0;
  for (let before = counts[0]; before <= rank; before += counts[++bucket]);
  return bucket;
}

/**
 * Guesses the buckets around the threshold for sparsity `k` from a sample
 * of the weights (deterministic: a fixed-seed xorshift picks the indices):
 * the sample's own threshold rank, widened by six binomial standard
 * deviations of the sample count on either side. A miss only costs time:
 * the caller then makes its second pass after all.
 */
function guessThresholdBuckets(bits: Uint32Array, maskBits: Uint32Array | undefined, k: number): BucketRange {
  const n = bits.length;
  if (n < MIN_SAMPLED_WEIGHTS) return NO_RANGE;
  const size = Math.min(1 << 16, n >>> 4);
  const counts = new Uint32Array(BUCKETS);
  let state = 0x2545f491;
  for (let s = 0; s < size; s++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const i = (state >>> 0) % n;
    const live = maskBits === undefined ? 1 : liveBit(maskBits[i]);
    counts[(((bits[i] & 0x7fffffff) >>> 16) + 1) & -live]++;
  }
  const rank = Math.max(Math.round(k * size), counts[0]) - 1;
  const q = Math.min(Math.max(rank / size, 0), 1);
  const margin = Math.ceil(6 * Math.sqrt(size * q * (1 - q))) + 8;
  const first = Math.max(1, bucketOfRank(counts, Math.max(0, rank - margin)));
  const last = bucketOfRank(counts, Math.min(size - 1, rank + margin));
  let inRange = 0;
  for (let b = first; b <= last; b++) inRange += counts[b];
  // Twice the expected count: a binomial count that far above its mean is
  // vanishingly rare except for small counts, which the slack covers.
  return { first, last, capacity: Math.min(n, Math.ceil((2 * inRange * n) / size) + 1024) };
}

/**
 * One pass over the weights for magnitude pruning at sparsity `k`: counts
 * per bucket, copies of the live entries in the buckets guessed to hold the
 * threshold, and validation on the way (so that it costs no pass of its own).
 *
 * @param bits Bit patterns of the weights.
 * @param maskBits Bit patterns of the current mask, if any.
 * @param k Target sparsity, already checked.
 */
export function scanMagnitudes(bits: Uint32Array, maskBits: Uint32Array | undefined, k: number): MagnitudeScan {
  const n = bits.length;
  const range = guessThresholdBuckets(bits, maskBits, k);
  const counts = new Uint32Array(BUCKETS);
  const copies = new Uint32Array(range.capacity);
  const { first, capacity } = range;
  // One unsigned comparison tests first <= bucket <= last (span -1: never).
  const span = range.last - first;
  let copied = 0;
  // |w| + 0x00800000 reaches the sign bit exactly for NaN and +-Infinity
  // (exponent all ones), so OR-ing them all flags a non-finite weight.
  let nonFinite = 0;
  // Zero exactly while every mask entry is 0, -0 or 1 (see below).
  let badMask = 0;
  if (maskBits === undefined) {
    for (let i = 0; i < n; i++) {
      const magnitude = bits[i] & 0x7fffffff;
      nonFinite |= magnitude + 0x00800000;
      const bucket = (magnitude >>> 16) + 1;
      counts[bucket]++;
      if ((bucket - first) >>> 0 <= span) {
        if (copied < capacity) copies[copied] = magnitude;
        copied++;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const magnitude = bits[i] & 0x7fffffff;
      const m = maskBits[i];
      const mAbs = m & 0x7fffffff;
      nonFinite |= magnitude + 0x00800000;
      // mAbs must be 0 or 1's bits (bit 29 tells which to compare with), and
      // the sign may be set only on 0 (-0).
      badMask |= (mAbs ^ (ONE_BITS & -((mAbs >>> 29) & 1))) | ((m >> 31) & mAbs);
      const bucket = ((magnitude >>> 16) + 1) & -((mAbs >>> 29) & 1);
      counts[bucket]++;
      if ((bucket - first) >>> 0 <= span) {
        if (copied < capacity) copies[copied] = magnitude;
        copied++;
      }
    }
  }
  return { counts, valid: nonFinite >= 0 && badMask === 0, range, copies, copied };
}

/**
 * The key of rank `rank` (0-based) among all keys, as bits (-1 when it is an
 * already pruned entry), with the number of keys strictly below it. The
 * scan's counts give the bucket holding that rank; its live entries (a small
 * fraction of the weights unless they take few distinct values) come from
 * the scan's copies when the guessed range held them, else from a second
 * pass, and {@link kthSmallest} picks the exact value among them.
 */
export function magnitudeOfRank(
  scan: MagnitudeScan,
  bits: Uint32Array,
  maskBits: Uint32Array | undefined,
  rank: number,
): { thresholdBits: number; below: number } {
  const { counts, range, copies, copied } = scan;
  const bucket = bucketOfRank(counts, rank);
  if (bucket === 0) return { thresholdBits: -1, below: 0 };
  let before = 0;
  for (let b = 0; b < bucket; b++) before += counts[b];
  const candidates = new Uint32Array(counts[bucket]);
  if (bucket >= range.first && bucket <= range.last && copied <= range.capacity) {
    for (let c = 0, j = 0; c < copied; c++) {
      if ((copies[c] >>> 16) + 1 === bucket) candidates[j++] = copies[c];
    }
  } else {
    const top = bucket - 1;
    for (let i = 0, j = 0; j < candidates.length; i++) {
      const magnitude = bits[i] & 0x7fffffff;
      if (magnitude >>> 16 === top && (maskBits === undefined || liveBit(maskBits[i]) === 1)) {
        candidates[j++] = magnitude;
      }
    }
  }
  // Select on the float32 values the bit patterns stand for.
  const values = new Float32Array(candidates.buffer);
  const threshold = kthSmallest(values, rank - before);
  let below = before;
  for (let j = 0; j < values.length; j++) below += values[j] < threshold ? 1 : 0;
  return { thresholdBits: new Uint32Array(new Float32Array([threshold]).buffer)[0], below };
}
