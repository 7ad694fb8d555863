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

/** Reference N:M mask: each group of `m` along axis `[outer, length, inner]` sorted by (key, position), the first `max(m - n, pruned)` pruned. */
export function referenceNMMask(
  values: ArrayLike<number>,
  layout: { outer: number; length: number; inner: number },
  n: number,
  m: number,
  currentMask?: ArrayLike<number>,
): Float32Array {
  const { outer, length, inner } = layout;
  const mask = new Float32Array(values.length).fill(1);
  for (let o = 0; o < outer; o++) {
    for (let g = 0; g < length; g += m) {
      for (let j = 0; j < inner; j++) {
        const indices = Array.from({ length: m }, (_, t) => (o * length + g + t) * inner + j);
        const pruned = indices.filter((i) => currentMask !== undefined && currentMask[i] === 0);
        const keys = indices.map((i) => (pruned.includes(i) ? -1 : Math.abs(values[i])));
        const order = sortedOrder(keys);
        for (const t of order.slice(0, Math.max(m - n, pruned.length))) mask[indices[t]] = 0;
      }
    }
  }
  return mask;
}

/** Reference block mask over the last two axes of `[outer, rows, cols]`: block means entry by entry, blocks sorted by (key, index). */
export function referenceBlockMask(
  values: ArrayLike<number>,
  layout: { outer: number; rows: number; cols: number },
  [r, c]: readonly [number, number],
  k: number,
  currentMask?: ArrayLike<number>,
): Float32Array {
  const { outer, rows, cols } = layout;
  const blocks: number[][] = [];
  for (let o = 0; o < outer; o++) {
    for (let br = 0; br < rows; br += r) {
      for (let bc = 0; bc < cols; bc += c) {
        const entries: number[] = [];
        for (let i = br; i < Math.min(rows, br + r); i++) for (let j = bc; j < Math.min(cols, bc + c); j++) entries.push((o * rows + i) * cols + j);
        blocks.push(entries);
      }
    }
  }
  const m = (i: number) => (currentMask === undefined ? 1 : currentMask[i]);
  const pruned = blocks.map((b) => currentMask !== undefined && b.every((i) => m(i) === 0));
  const keys = blocks.map((b, index) => (pruned[index] ? -1 : b.reduce((s, i) => s + Math.abs(values[i] * m(i)), 0) / b.length));
  const count = Math.max(Math.round(k * blocks.length), pruned.filter(Boolean).length);
  const mask = Float32Array.from({ length: values.length }, (_, i) => (m(i) === 0 ? 0 : 1));
  for (const b of sortedOrder(keys).slice(0, count)) for (const i of blocks[b]) mask[i] = 0;
  return mask;
}
