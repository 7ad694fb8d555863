/**
 * Random pruning, the baseline every ranking is measured against (torch's
 * `random_unstructured`): the entries to prune are drawn uniformly among
 * those not pruned yet, in exact counts, from a seeded generator.
 */

import { checkFraction, checkDimension, Fraction, toFloat32Array, withErrorPrefix } from '../checks';
import { checkCurrentMask, PoolWeight } from './mask_selection';
import { checkSeed, RandomSource, seededRandom } from './seeded_random';

/**
 * Writes into `out` a random-pruning mask of `out.length` entries: exactly
 * `max(round(k · n), alreadyPruned)` zeros, the zeros of `currentMask`
 * (typed like `out`, of its length) and the rest drawn uniformly without
 * replacement among its live entries, by a partial Fisher-Yates shuffle of
 * their indices (O(n) time and memory). Returns `out`.
 */
export function writeRandomMask(out: Float32Array, k: Fraction, random: RandomSource, currentMask?: Float32Array): Float32Array {
  const n = out.length;
  checkCurrentMask(currentMask, n);
  const live = new Uint32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const keep = currentMask === undefined || currentMask[i] !== 0;
    out[i] = keep ? 1 : 0;
    if (keep) live[count++] = i;
  }
  const toPrune = Math.max(Math.round(k * n) - (n - count), 0);
  for (let i = 0; i < toPrune; i++) {
    const j = i + Math.floor(random() * (count - i));
    const chosen = live[j];
    live[j] = live[i];
    out[chosen] = 0;
  }
  return out;
}

/**
 * Random selection over several weights as one pool (torch's
 * `global_unstructured` with `RandomUnstructured`): {@link writeRandomMask}
 * over their entries concatenated in order, `length` entries each. Returns
 * each weight's new mask.
 */
export function selectRandomMasks(weights: ReadonlyArray<Omit<PoolWeight, 'values'> & { length: number }>, k: Fraction,
  random: RandomSource): Float32Array[] {
  for (const { length, currentMask, label } of weights) withErrorPrefix(label, () => checkCurrentMask(currentMask, length));
  const total = weights.reduce((n, w) => n + w.length, 0);
  const mask = new Float32Array(total).fill(1);
  let offset = 0;
  for (const w of weights) {
    if (w.currentMask !== undefined) mask.set(w.currentMask, offset);
    offset += w.length;
  }
  const out = writeRandomMask(new Float32Array(total), k, random, mask);
  offset = 0;
  return weights.map((w) => out.slice(offset, (offset += w.length)));
}

/**
 * Selects a random-pruning mask of `length` entries for sparsity `k`:
 * exactly `max(round(k · length), alreadyPruned)` zeros, those of
 * `currentMask` and the rest uniformly random among its ones, the same for
 * the same `seed`. The baseline a magnitude ranking must beat.
 *
 * @param length Number of entries, a non-negative integer.
 * @param k Target sparsity in [0, 1].
 * @param seed An integer in [0, 2^32 - 1].
 * @param currentMask Optional 0/1 mask of `length` entries; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1.
 *
 * @example
 * ```ts
 * const mask = selectRandomMask(1000, 0.9, 42); // 900 zeros, the same ones for seed 42
 * selectRandomMask(4, 0.5, 7, [0, 1, 1, 1]);    // index 0 and one of the others
 * ```
 */
export function selectRandomMask(length: number, k: number, seed: number, currentMask?: ArrayLike<number>): Float32Array {
  checkDimension(length, 'length');
  checkSeed(seed);
  const mask = currentMask === undefined ? undefined : toFloat32Array(currentMask, 'currentMask');
  checkFraction(k);
  return writeRandomMask(new Float32Array(length), k, seededRandom(seed), mask);
}
