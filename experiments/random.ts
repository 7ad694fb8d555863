// Seeded randomness for the experiments: TF.js draws from Math.random wherever
// no seed is given (fit's shuffle, Dropout without a seed), so the experiments
// shuffle and seed everything themselves to make a table reproducible.
import { seededRandom } from '../src/masks/seeded_random';

/**
 * mulberry32, the library's generator of random pruning: a small seeded PRNG
 * returning floats in [0, 1), so that the experiments and `method: 'random'`
 * draw alike.
 *
 * ```ts
 * const random = mulberry32(1); random(); // 0.627...
 * ```
 */
export const mulberry32: (seed: number) => () => number = seededRandom;

/**
 * A seed generator: successive positive integer seeds drawn from `seed`. TF.js
 * treats a seed of 0 as "no seed" (it falls back to Math.random), so 0 is never drawn.
 *
 * ```ts
 * const nextSeed = seedSequence(1);
 * tf.initializers.glorotUniform({seed: nextSeed()});
 * ```
 */
export function seedSequence(seed: number): () => number {
  const random = mulberry32(seed);
  return () => 1 + Math.floor(random() * 0x7ffffffe);
}

/**
 * A random permutation of 0..n-1 (Fisher-Yates) drawn from `random`.
 *
 * ```ts
 * const order = permutation(60000, mulberry32(1));
 * ```
 */
export function permutation(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
