/**
 * Block pruning (tfmot's `block_size` with average pooling): a weight's last
 * two axes are tiled into `[rows, cols]` blocks, separately for every index
 * of its leading axes (a convolution kernel's positions), and whole blocks
 * are pruned by the mean |w| of their effective entries. The blocks at the
 * kernel's bottom and right edges may be partial; they are ranked by the
 * mean over the entries they actually have, as TF's average pooling with
 * 'SAME' padding ranks them, and count as one block each.
 */

import { checkDimension, checkFinite, checkFraction, checkLength, describeValue, Fraction, toFloat32Array, withErrorPrefix } from '../checks';
import { checkCurrentMask, PoolWeight } from './mask_selection';
import { chooseUnits } from './unit_layout';

/** A weight as `[outer, rows, cols]` in row-major order: its last two axes, after all the others. */
export interface BlockLayout {
  outer: number;
  rows: number;
  cols: number;
}

/** A block's size, `[rows, cols]`. */
export type BlockShape = readonly [number, number];

/** A weight to block-prune, with its current mask, whose zeros stay zero. */
export interface BlockWeight extends PoolWeight {
  layout: BlockLayout;
}

/**
 * The layout of a weight of `shape` (rank 2 or more) for blocks over its last two axes.
 *
 * ```ts
 * blockLayout([3, 3, 16, 32]); // {outer: 9, rows: 16, cols: 32}
 * ```
 */
export function blockLayout(shape: readonly number[]): BlockLayout {
  if (shape.length < 2) throw new Error(`block pruning needs a weight of rank 2 or more; received shape [${shape.join(', ')}]`);
  shape.forEach((d, i) => checkDimension(d, `shape[${i}]`));
  const outer = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { outer, rows: shape[shape.length - 2], cols: shape[shape.length - 1] };
}

/** Throws a clear error unless `blockShape` is `[rows, cols]`, two positive integers. */
export function checkBlockShape(blockShape: unknown, name = 'blockShape'): asserts blockShape is BlockShape {
  const ok = Array.isArray(blockShape) && blockShape.length === 2 &&
    blockShape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1);
  if (!ok) {
    const received = Array.isArray(blockShape) && blockShape.length <= 4
      ? `[${blockShape.map((d) => (typeof d === 'number' ? String(d) : describeValue(d))).join(', ')}]`
      : describeValue(blockShape);
    throw new Error(`${name} must be [rows, cols], two positive integers; received ${received}.`);
  }
}

/** Number of blocks of a weight of `layout`, partial ones included. */
export function blockCount({ outer, rows, cols }: BlockLayout, [r, c]: BlockShape): number {
  return outer * Math.ceil(rows / r) * Math.ceil(cols / c);
}

/** The block of each column (within a block row), so that the loops visit entries in memory order. */
function blockOfColumn(cols: number, c: number): Uint32Array {
  return Uint32Array.from({ length: cols }, (_, j) => Math.floor(j / c));
}

/**
 * Each block's mean |w ⊙ mask| over its actual entries (Float64), in block
 * order (leading index, then block row, then block column), and whether a
 * block still has an entry the mask keeps. Validates the weight.
 */
export function blockMeans({ values, layout, currentMask }: BlockWeight, blockShape: BlockShape): { means: Float64Array; live: Uint8Array } {
  const { outer, rows, cols } = layout;
  const [r, c] = blockShape;
  const size = outer * rows * cols;
  checkLength(values.length, size, 'values', 'one per weight');
  checkCurrentMask(currentMask, size);
  const blockRows = Math.ceil(rows / r);
  const blockCols = Math.ceil(cols / c);
  const sums = new Float64Array(blockCount(layout, blockShape));
  const live = new Uint8Array(sums.length);
  const columnBlock = blockOfColumn(cols, c);
  let checksum = 0;
  for (let o = 0, i = 0; o < outer; o++) {
    for (let row = 0; row < rows; row++) {
      const base = (o * blockRows + Math.floor(row / r)) * blockCols;
      if (currentMask === undefined) {
        for (let j = 0; j < cols; j++, i++) sums[base + columnBlock[j]] += Math.abs(values[i]);
      } else {
        for (let j = 0; j < cols; j++, i++) {
          const m = currentMask[i];
          sums[base + columnBlock[j]] += Math.abs(values[i] * m);
          live[base + columnBlock[j]] |= m;
          checksum += Math.abs(m * (1 - m));
        }
      }
    }
  }
  if (currentMask === undefined) live.fill(1);
  // A NaN or an infinite weight makes its block's sum NaN or infinite; a mask entry other than 0 or 1, the checksum nonzero.
  const means = new Float64Array(sums.length);
  for (let b = 0; b < sums.length; b++) {
    const br = Math.floor(b / blockCols) % blockRows;
    const bc = b % blockCols;
    const entries = (Math.min(rows, (br + 1) * r) - br * r) * (Math.min(cols, (bc + 1) * c) - bc * c);
    means[b] = sums[b] / entries;
    checksum += sums[b] * 0;
  }
  if (checksum !== 0) {
    checkFinite(values, 'weights');
    checkCurrentMask(currentMask, size);
  }
  return { means, live };
}

/** Writes into `out` the mask that keeps the entries of the kept blocks (`keep`, one per block) that `mask` keeps. */
export function writeKeptBlocks(out: Float32Array, layout: BlockLayout, blockShape: BlockShape, keep: ArrayLike<number>,
  mask: Float32Array | undefined): void {
  const { outer, rows, cols } = layout;
  const [r, c] = blockShape;
  const blockRows = Math.ceil(rows / r);
  const blockCols = Math.ceil(cols / c);
  const columnBlock = blockOfColumn(cols, c);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let row = 0; row < rows; row++) {
      const base = (o * blockRows + Math.floor(row / r)) * blockCols;
      for (let j = 0; j < cols; j++, i++) {
        out[i] = keep[base + columnBlock[j]] !== 0 && (mask === undefined || mask[i] !== 0) ? 1 : 0;
      }
    }
  }
}

/**
 * Block selection over `weights` as one pool: exactly
 * `max(round(k · blocks), alreadyPruned)` of all their blocks are pruned,
 * where a block whose entries the current mask all prunes counts as already
 * pruned and ranks first; then by mean |w| ascending, equal means pruning
 * the earlier block first (weight order, then block order). Returns each
 * weight's new mask, ANDed with its current one.
 */
export function selectBlockMasks(weights: readonly BlockWeight[], blockShape: BlockShape, k: Fraction): Float32Array[] {
  const scores = weights.map((w) => withErrorPrefix(w.label, () => blockMeans(w, blockShape)));
  const total = scores.reduce((n, s) => n + s.means.length, 0);
  const means = new Float64Array(total);
  const live = new Uint8Array(total);
  let offset = 0;
  for (const s of scores) {
    means.set(s.means, offset);
    live.set(s.live, offset);
    offset += s.means.length;
  }
  const keep = chooseUnits(means, live, Math.round(k * total));
  offset = 0;
  return weights.map((w, i) => {
    const out = new Float32Array(w.values.length);
    writeKeptBlocks(out, w.layout, blockShape, keep.subarray(offset, offset + scores[i].means.length), w.currentMask);
    offset += scores[i].means.length;
    return out;
  });
}

/**
 * Selects a block-pruning mask for a weight of `shape` (rank 2 or more):
 * its last two axes are tiled into `blockShape` blocks for every index of
 * the leading axes, and exactly `max(round(k · blocks), alreadyPrunedBlocks)`
 * whole blocks of smallest mean |w| are pruned (partial blocks at the edges
 * by the mean over their actual entries; ties: the earlier block in
 * row-major block order). The result is ANDed with `currentMask`.
 *
 * @param values Weights in row-major order, all finite.
 * @param shape The weight's shape.
 * @param blockShape `[rows, cols]`, two positive integers.
 * @param k Fraction of blocks to prune, in [0, 1].
 * @param currentMask Optional 0/1 mask of the same length; its zeros stay zero.
 * @returns A new Float32Array of 0 and 1.
 *
 * @example
 * ```ts
 * // A [2, 4] kernel in [1, 2] blocks: means 0.5, 3, 2, 0.15; the two smallest go.
 * selectBlockMask([1, 0, 3, 3, 2, 2, 0.1, 0.2], [2, 4], [1, 2], 0.5); // [0, 0, 1, 1, 1, 1, 0, 0]
 * ```
 */
export function selectBlockMask(values: ArrayLike<number>, shape: readonly number[], blockShape: readonly [number, number], k: number,
  currentMask?: ArrayLike<number>): Float32Array {
  const weights = toFloat32Array(values, 'values');
  const mask = currentMask === undefined ? undefined : toFloat32Array(currentMask, 'currentMask');
  checkBlockShape(blockShape);
  const layout = blockLayout(shape);
  checkLength(weights.length, layout.outer * layout.rows * layout.cols, 'values', 'the product of shape');
  checkFraction(k);
  return selectBlockMasks([{ values: weights, layout, currentMask: mask }], blockShape, k)[0];
}
