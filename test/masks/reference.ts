// Test helpers for the mask tests: a seeded PRNG, weight generators, and
// straightforward reference selections (a full stable sort by (key, index))
// that the O(n) implementations must match exactly.
import { expect } from 'chai';

/** mulberry32: small seeded PRNG returning floats in [0, 1). */
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

export type WeightKind = 'normal' | 'coarse';

/**
 * Seeded weights: 'normal' is Gaussian (distinct magnitudes), 'coarse' is
 * rounded to multiples of 0.25 in [-1, 1] (few distinct magnitudes, so many
 * ties and signed pairs such as -0.5 / 0.5).
 */
export function randomWeights(n: number, seed: number, kind: WeightKind): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'coarse') {
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

/** Indices 0..n-1 stably sorted by key, then index. */
function sortedOrder(keys: number[]): number[] {
  return keys.map((_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
}

/** Reference magnitude mask: sort all (key, index) pairs, prune the first `count`. */
export function referenceMagnitudeMask(
  values: ArrayLike<number>,
  k: number,
  currentMask?: ArrayLike<number>,
): Float32Array {
  const n = values.length;
  const keys: number[] = [];
  let alreadyPruned = 0;
  for (let i = 0; i < n; i++) {
    const pruned = currentMask !== undefined && currentMask[i] === 0;
    if (pruned) alreadyPruned++;
    keys.push(pruned ? -1 : Math.abs(values[i]));
  }
  const count = Math.max(Math.round(k * n), alreadyPruned);
  const mask = new Float32Array(n).fill(1);
  for (const i of sortedOrder(keys).slice(0, count)) mask[i] = 0;
  return mask;
}

/** Reference unit mask: column norms column by column, sort columns, prune the first `count`. */
export function referenceUnitMask(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  k: number,
  currentMask?: ArrayLike<number>,
): Float32Array {
  const keys: number[] = [];
  let alreadyPruned = 0;
  for (let c = 0; c < cols; c++) {
    let sumSquares = 0;
    let live = false;
    for (let r = 0; r < rows; r++) {
      const m = currentMask === undefined ? 1 : currentMask[r * cols + c];
      const v = values[r * cols + c] * m;
      sumSquares += v * v;
      if (m !== 0) live = true;
    }
    const pruned = currentMask !== undefined && rows > 0 && !live;
    if (pruned) alreadyPruned++;
    keys.push(pruned ? -1 : Math.sqrt(sumSquares));
  }
  const count = Math.max(Math.round(k * cols), alreadyPruned);
  const prunedColumns = new Set(sortedOrder(keys).slice(0, count));
  const mask = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      mask[i] = prunedColumns.has(c) || (currentMask !== undefined && currentMask[i] === 0) ? 0 : 1;
    }
  }
  return mask;
}

/** Number of zeros in an array. */
export function countZeros(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros;
}

/** Number of columns of a row-major [rows, cols] array that are entirely zero. */
export function countZeroColumns(values: ArrayLike<number>, rows: number, cols: number): number {
  let zeroColumns = 0;
  for (let c = 0; c < cols; c++) {
    let allZero = true;
    for (let r = 0; r < rows && allZero; r++) allZero = values[r * cols + c] === 0;
    if (allZero) zeroColumns++;
  }
  return zeroColumns;
}

/** Asserts equal arrays, reporting the first differing index (chai diffs of 30k elements are unreadable). */
export function expectSameArray(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).to.equal(expected.length);
  let first = -1;
  for (let i = 0; i < expected.length && first < 0; i++) {
    if (!Object.is(actual[i] + 0, expected[i] + 0)) first = i;
  }
  const detail = first < 0 ? '' : `: index ${first} is ${actual[first]}, expected ${expected[first]}`;
  expect(first, `${label}${detail}`).to.equal(-1);
}

/** Asserts that every zero of `before` is still a zero in `after`. */
export function expectZerosKept(before: ArrayLike<number>, after: ArrayLike<number>, label: string): void {
  for (let i = 0; i < before.length; i++) {
    if (before[i] === 0 && after[i] !== 0) {
      expect.fail(`${label}: index ${i} was pruned and came back`);
    }
  }
}

export const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [1, 17],
  [17, 1],
  [7, 13],
  [64, 32],
  [300, 100],
];

export const KS: readonly number[] = [0, 0.01, 0.25, 0.5, 0.9, 0.999, 1];
