// Seeded randomness for the experiments: TF.js draws from Math.random wherever
// no seed is given (fit's shuffle, Dropout without a seed), so the experiments
// shuffle and seed everything themselves to make a table reproducible.

/**
 * mulberry32: a small seeded PRNG returning floats in [0, 1).
 *
 * ```ts
 * const random = mulberry32(1); random(); // 0.627...
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
