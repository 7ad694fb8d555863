// Seeded generators, so that tests are reproducible (the PRNG is the experiments').
import { mulberry32 } from '../../experiments/random';

export { mulberry32 };

export type WeightKind = 'uniform' | 'normal' | 'coarse';

/**
 * Seeded weights: 'uniform' is uniform in [-1, 1), 'normal' is Gaussian (distinct magnitudes), 'coarse' is
 * rounded to multiples of 0.25 in [-1, 1] (few distinct magnitudes, so many
 * ties and signed pairs such as -0.5 / 0.5).
 */
export function randomWeights(n: number, seed: number, kind: WeightKind): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') {
      out[i] = rng() * 2 - 1;
    } else if (kind === 'coarse') {
      out[i] = Math.round((rng() * 2 - 1) * 4) / 4;
    } else {
      const u = 1 - rng();
      out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    }
  }
  return out;
}

/** Seeded 0/1 mask with about `zeroFraction` zeros. */
export function randomMask(n: number, seed: number, zeroFraction: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rng() < zeroFraction ? 0 : 1));
}
