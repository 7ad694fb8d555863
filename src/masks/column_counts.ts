/**
 * Number of nonzero entries in each column of a row-major `[rows, cols]`
 * array, such as a mask or a kernel: a column without any is a pruned unit.
 *
 * ```ts
 * nonzeroPerColumn([1, 0, 2, 0], 2, 2); // Uint32Array [2, 0]: column 1 is pruned
 * ```
 */
export function nonzeroPerColumn(values: ArrayLike<number>, rows: number, cols: number): Uint32Array {
  const counts = new Uint32Array(cols);
  for (let r = 0, i = 0; r < rows; r++) {
    // Conditional moves, not branches: a random mask would mispredict them.
    for (let c = 0; c < cols; c++, i++) counts[c] += values[i] !== 0 ? 1 : 0;
  }
  return counts;
}
