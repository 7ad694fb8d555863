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
  Fraction,
  toFloat32Array,
  withErrorPrefix,
} from '../checks';
import { magnitudeOfRank, ONE_BITS, scanMagnitudes } from './magnitude_histogram';
import { accumulateUnitNorms, chooseUnits, layoutSize, UnitLayout, writeKeptUnits } from './unit_layout';

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
export function checkCurrentMask(currentMask: Float32Array | undefined, n: number): void {
  if (currentMask === undefined) return;
  checkLength(currentMask.length, n, 'currentMask', 'one per weight');
  checkBinaryMask(currentMask, 'currentMask');
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
 * O(n) time, in two passes over the weights when a sample guesses the
 * threshold's neighbourhood right (almost always): a histogram of |w| that
 * also validates the inputs and copies out the weights near the guess, then
 * the mask itself; else a third pass collects the weights of the threshold's
 * histogram bucket. O(n) extra memory. Inputs are not modified. See
 * `./magnitude_histogram`.
 *
 * @param values Weights in flat order (any shape), all finite: a Float32Array,
 *   or another typed array or an array of numbers (converted to float32 first).
 * @param k Target sparsity in [0, 1].
 * @param currentMask Optional 0/1 mask of the same length, typed like `values`; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1, the same length as `values`.
 * @throws TypeError for `values` or `currentMask` of another type; TypeError /
 *   RangeError for a bad `k`; Error for non-finite weights or a bad mask.
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
  values: ArrayLike<number>,
  k: number,
  currentMask?: ArrayLike<number>,
): Float32Array {
  const weights = toFloat32Array(values, 'values');
  const mask = currentMask === undefined ? undefined : toFloat32Array(currentMask, 'currentMask');
  checkFraction(k);
  return writeMagnitudeMask(new Float32Array(weights.length), weights, k, mask);
}

/**
 * {@link selectMagnitudeMask} into `out` (`values.length` entries, all
 * overwritten, not aliasing the inputs), for callers that own the memory of
 * the result, such as a tensor's. Returns `out`.
 */
export function writeMagnitudeMask(
  out: Float32Array,
  values: Float32Array,
  k: Fraction,
  currentMask?: Float32Array,
): Float32Array {
  const n = values.length;
  const validate = () => {
    checkFinite(values, 'weights');
    checkCurrentMask(currentMask, n);
  };
  if (currentMask !== undefined && currentMask.length !== n) validate();

  // Bit patterns, shared with the arrays (no copies); see ./magnitude_histogram.
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const maskBits = currentMask && new Uint32Array(currentMask.buffer, currentMask.byteOffset, n);
  const scan = scanMagnitudes(bits, maskBits, k);
  // Bad input: the plain checks name the first culprit.
  if (!scan.valid) validate();

  const alreadyPruned = scan.counts[0];
  const count = Math.max(Math.round(k * n), alreadyPruned);
  if (count === 0) return out.fill(1);
  if (count === n) return out.fill(0);

  // Threshold = the key of rank count-1. Everything strictly below it is
  // pruned; the remaining quota goes to keys equal to it, in index order.
  const { thresholdBits, below } = magnitudeOfRank(scan, bits, maskBits, count - 1);
  let ties = count - below;
  // Written as bit patterns: `(thresholdBits - key) >> 31` is all ones
  // exactly when key > thresholdBits (both are below 2^31), which selects 1
  // or the mask entry without a branch; keys equal to the threshold are rare.
  const outBits = new Uint32Array(out.buffer, out.byteOffset, n);
  if (maskBits === undefined) {
    for (let i = 0; i < n; i++) {
      const key = bits[i] & 0x7fffffff;
      let keep = ONE_BITS & ((thresholdBits - key) >> 31);
      if (key === thresholdBits) {
        if (ties > 0) ties--;
        else keep = ONE_BITS;
      }
      outBits[i] = keep;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const key = bits[i] & 0x7fffffff;
      // The mask entry without its sign: 1 stays 1, -0 becomes 0.
      const m = maskBits[i] & 0x7fffffff;
      let keep = m & ((thresholdBits - key) >> 31);
      if (key === thresholdBits && m !== 0) {
        if (ties > 0) ties--;
        else keep = ONE_BITS;
      }
      outBits[i] = keep;
    }
  }
  return out;
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
 * O(rows * cols + cols * log(cols)) time in two passes over the weights (norms
 * and validation, then the mask), O(rows * cols) memory for the result.
 * Inputs are not modified.
 *
 * @param values Kernel in row-major order, `rows * cols` finite values: a
 *   Float32Array, or another typed array or an array of numbers (converted to float32 first).
 * @param rows Number of rows (inputs).
 * @param cols Number of columns (units).
 * @param k Target fraction of units to prune, in [0, 1].
 * @param currentMask Optional 0/1 mask of the same length, typed like `values`; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1, the same length as `values`.
 * @throws TypeError for `values` or `currentMask` of another type; TypeError /
 *   RangeError for a bad `k` or dimensions; Error for non-finite weights, a
 *   length mismatch or a non-binary mask.
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
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  k: number,
  currentMask?: ArrayLike<number>,
): Float32Array {
  const weights = toFloat32Array(values, 'values');
  const mask = currentMask === undefined ? undefined : toFloat32Array(currentMask, 'currentMask');
  checkDimension(rows, 'rows');
  checkDimension(cols, 'cols');
  checkLength(weights.length, rows * cols, 'values', 'rows * cols');
  checkFraction(k);
  return writeUnitMask(new Float32Array(weights.length), weights, { outer: rows, units: cols, inner: 1 }, k, mask);
}

/** A weight whose entries group into units (see ./unit_layout), for {@link selectUnitMasks}. */
export interface UnitWeight {
  /** The weight's values, row-major, all finite. */
  values: Float32Array;
  layout: UnitLayout;
  /** Its current 0/1 mask, whose zeros stay zero. */
  currentMask?: Float32Array;
}

/**
 * Unit selection over weights that share their units (each `layout.units`
 * the same), as one layer's: a unit's norm is the L2 norm of its effective
 * entries (`values ⊙ currentMask`) in all the weights, and a unit is already
 * pruned when every weight's mask removes all its entries. Returns each
 * weight's new mask, in order: {@link selectUnitMask}'s rules otherwise.
 *
 * ```ts
 * // A unit spans a column of each weight.
 * selectUnitMasks([{values: w1, layout: l1}, {values: w2, layout: l2}], 0.5);
 * ```
 */
export function selectUnitMasks(weights: readonly UnitWeight[], k: Fraction): Float32Array[] {
  const keep = chooseKeptUnits(weights, k);
  return weights.map((w) => {
    const out = new Float32Array(layoutSize(w.layout));
    writeKeptUnits(out, w.layout, keep, w.currentMask);
    return out;
  });
}

/**
 * {@link selectUnitMask} for a weight of any `layout` (see ./unit_layout)
 * into `out` (every entry overwritten, not aliasing the inputs), for callers
 * that own the memory of the result, such as a tensor's. Returns `out`.
 */
export function writeUnitMask(
  out: Float32Array,
  values: Float32Array,
  layout: UnitLayout,
  k: Fraction,
  currentMask?: Float32Array,
): Float32Array {
  writeKeptUnits(out, layout, chooseKeptUnits([{ values, layout, currentMask }], k), currentMask);
  return out;
}

/** The units to keep (1) or prune (0) of weights that share them; validates the inputs. */
function chooseKeptUnits(weights: readonly UnitWeight[], k: Fraction): Float32Array {
  const { norms, live } = unitScores(weights);
  return chooseUnits(norms, live, Math.round(k * norms.length));
}

/**
 * The units of weights that share them (one layer's), scored: each unit's
 * L2 norm of its effective entries in all the weights, whether any of its
 * entries is still live (with no entries at all, every unit is), and the
 * number of entries a unit has in all of them. Validates the inputs.
 */
export function unitScores(weights: readonly UnitWeight[]): { norms: Float64Array; live: Uint8Array; entriesPerUnit: number } {
  const units = weights[0].layout.units;
  const sumSquares = new Float64Array(units);
  const live = new Uint8Array(units);
  let entries = 0;
  for (const { values, layout, currentMask } of weights) {
    if (layout.units !== units) throw new Error(`weights must share their units: ${units} and ${layout.units} units`);
    const n = layoutSize(layout);
    entries += n;
    const validate = () => {
      checkFinite(values, 'weights');
      checkCurrentMask(currentMask, n);
    };
    checkLength(values.length, n, 'values', 'one per weight');
    if (currentMask !== undefined && currentMask.length !== n) validate();
    // A non-zero checksum means bad input: the plain checks name the first culprit.
    if (accumulateUnitNorms(values, layout, currentMask, sumSquares, live) !== 0) validate();
  }
  if (entries === 0) live.fill(1);
  return { norms: sumSquares.map(Math.sqrt), live, entriesPerUnit: units === 0 ? 0 : entries / units };
}

/** A weight (with its current mask, whose zeros stay zero) in a selection over several weights as one pool. */
export interface PoolWeight {
  values: Float32Array;
  currentMask?: Float32Array;
  /** Prefixes the messages of errors about this weight (`"PrunableDense 'h1'"`). */
  label?: string;
}

/**
 * Magnitude selection over `weights` as one pool, with one threshold for
 * all: exactly `max(round(k · n), alreadyPruned)` of their `n` entries are
 * pruned, {@link selectMagnitudeMask}'s rules over the weights concatenated
 * in order (so equal |w| prune the earlier weight first, then the lower flat
 * index). Returns each weight's new mask. With several weights it copies
 * them into one array (O(n) extra memory).
 */
export function selectMagnitudeMasks(weights: readonly PoolWeight[], k: Fraction): Float32Array[] {
  if (weights.length === 1) {
    const [{ values, currentMask, label }] = weights;
    return [withErrorPrefix(label, () => writeMagnitudeMask(new Float32Array(values.length), values, k, currentMask))];
  }
  for (const { values, currentMask, label } of weights) {
    withErrorPrefix(label, () => {
      checkFinite(values, 'weights');
      checkCurrentMask(currentMask, values.length);
    });
  }
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const values = new Float32Array(total);
  const mask = weights.some((w) => w.currentMask !== undefined) ? new Float32Array(total).fill(1) : undefined;
  let offset = 0;
  for (const w of weights) {
    values.set(w.values, offset);
    if (mask !== undefined && w.currentMask !== undefined) mask.set(w.currentMask, offset);
    offset += w.values.length;
  }
  const out = writeMagnitudeMask(new Float32Array(total), values, k, mask);
  offset = 0;
  return weights.map((w) => out.slice(offset, (offset += w.values.length)));
}

/** One layer's weights that share its units, in a unit selection over several layers. */
export interface UnitLayer {
  weights: readonly UnitWeight[];
  /** Prefixes the messages of errors about this layer. */
  label?: string;
}

/**
 * Unit selection over several layers as one pool: exactly
 * `max(round(k · units), alreadyPruned)` of all their units are pruned. A
 * unit's L2 norm grows with the square root of its number of entries (its
 * fan-in), so raw norms would prune the units of wide-input layers last and
 * those of narrow ones first; units are ranked by their RMS instead, the
 * norm divided by the square root of their entry count. Already pruned
 * units rank first; equal scores prune the earlier layer's first, then the
 * lower unit. Returns each layer's masks, each ANDed with its current one.
 */
export function selectGlobalUnitMasks(layers: readonly UnitLayer[], k: Fraction): Float32Array[][] {
  const scores = layers.map((l) => withErrorPrefix(l.label, () => unitScores(l.weights)));
  const total = scores.reduce((n, s) => n + s.norms.length, 0);
  const keys = new Float64Array(total);
  const live = new Uint8Array(total);
  let offset = 0;
  for (const { norms, live: unitLive, entriesPerUnit } of scores) {
    const scale = entriesPerUnit === 0 ? 0 : 1 / Math.sqrt(entriesPerUnit);
    for (let u = 0; u < norms.length; u++) keys[offset + u] = norms[u] * scale;
    live.set(unitLive, offset);
    offset += norms.length;
  }
  const keep = chooseUnits(keys, live, Math.round(k * total));
  offset = 0;
  return layers.map((l, i) => {
    const layerKeep = keep.subarray(offset, (offset += scores[i].norms.length));
    return l.weights.map((w) => {
      const out = new Float32Array(layoutSize(w.layout));
      writeKeptUnits(out, w.layout, layerKeep, w.currentMask);
      return out;
    });
  });
}
