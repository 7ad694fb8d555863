// Test helpers for the mask tests: straightforward reference selections (a full stable sort by (key, index))
// that the O(n) implementations must match exactly.
import { expect } from 'chai';

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
