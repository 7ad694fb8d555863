// Counting helpers for masks and pruned weights.

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
