/**
 * The seeded generator of random pruning (`method: 'random'`): mulberry32,
 * the generator the experiments seed everything with, so that one seed gives
 * the same masks on every backend and machine.
 */

import { describeValue } from '../checks';

/** A source of floats in [0, 1). */
export type RandomSource = () => number;

/** The largest seed: seeds are 32-bit unsigned integers. */
const MAX_SEED = 0xffffffff;

/**
 * mulberry32: a small seeded PRNG returning floats in [0, 1) with 32 bits of
 * resolution.
 *
 * ```ts
 * const random = seededRandom(1); random(); // 0.627...
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed drawn from `Math.random`, for random pruning without a seed. */
export function freshSeed(): number {
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

/** Throws a clear error unless `seed` is an integer in [0, 2^32 - 1]. */
export function checkSeed(seed: unknown, name = 'seed'): asserts seed is number {
  if (typeof seed !== 'number') throw new TypeError(`${name} must be an integer in [0, ${MAX_SEED}]; received ${describeValue(seed)}.`);
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`${name} must be an integer in [0, ${MAX_SEED}]; received ${seed}.`);
  }
}
