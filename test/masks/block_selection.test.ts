import { expect } from 'chai';
import { blockCount, blockLayout, checkBlockShape, selectBlockMask, selectBlockMasks } from '../../src/masks/block_selection';
import { expectSameArray, expectZerosKept, KS, referenceBlockMask } from './reference';
import { countZeros } from '../support/counts';
import { randomMask, randomWeights } from '../support/random';
import { fraction } from '../support/fraction';

/** Number of blocks of a mask (by its layout) whose entries are all 0. */
function zeroBlocks(mask: Float32Array, shape: number[], [r, c]: [number, number]): number {
  const { outer, rows, cols } = blockLayout(shape);
  let zero = 0;
  for (let o = 0; o < outer; o++) {
    for (let br = 0; br < rows; br += r) {
      for (let bc = 0; bc < cols; bc += c) {
        let all = true;
        for (let i = br; i < Math.min(rows, br + r); i++) for (let j = bc; j < Math.min(cols, bc + c); j++) all = all && mask[(o * rows + i) * cols + j] === 0;
        if (all) zero++;
      }
    }
  }
  return zero;
}

describe('selectBlockMask', () => {
  it('prunes whole blocks of the last two axes by mean |w|', () => {
    // [[1, 0, 3, 3], [2, 2, 0.1, 0.2]] in [1, 2] blocks: means 0.5, 3, 2, 0.15.
    expect(Array.from(selectBlockMask([1, 0, 3, 3, 2, 2, 0.1, 0.2], [2, 4], [1, 2], 0.5))).to.deep.equal([0, 0, 1, 1, 1, 1, 0, 0]);
    // [2, 1] blocks: columns of two rows, means 1.5, 1, 1.55, 1.6.
    expect(Array.from(selectBlockMask([1, 0, 3, 3, 2, 2, 0.1, 0.2], [2, 4], [2, 1], 0.25))).to.deep.equal([1, 0, 1, 1, 1, 0, 1, 1]);
  });

  it('matches a block-by-block reference on Dense and convolution kernel shapes, with edge blocks, with and without a current mask', () => {
    const cases: Array<[number[], [number, number]]> = [
      [[16, 8], [4, 1]], [[10, 7], [4, 4]], [[3, 3, 8, 6], [2, 2]], [[5, 6, 4], [3, 2]], [[2, 2, 3, 1], [2, 2]], [[4, 4], [8, 8]], [[1, 1, 9, 5], [1, 4]],
    ];
    for (const [shape, block] of cases) {
      const layout = blockLayout(shape);
      const size = shape.reduce((a, b) => a * b, 1);
      for (const kind of ['normal', 'coarse'] as const) {
        const values = randomWeights(size, size + block[0], kind);
        const previous = randomMask(size, size + block[1], 0.3);
        for (const k of KS) {
          const label = `${kind} [${shape}] blocks [${block}] k=${k}`;
          const mask = selectBlockMask(values, shape, block, k);
          expectSameArray(mask, referenceBlockMask(values, layout, block, k), label);
          expect(zeroBlocks(mask, shape, block), label).to.equal(Math.round(k * blockCount(layout, block)));
          const masked = selectBlockMask(values, shape, block, k, previous);
          expectSameArray(masked, referenceBlockMask(values, layout, block, k, previous), `${label} with mask`);
          expectZerosKept(previous, masked, label);
        }
      }
    }
  });

  it('ranks a partial edge block by the mean over its actual entries, not by its sum', () => {
    // [3, 3] in [2, 2] blocks: the full block holds [1, 0, 0, 0] (mean 0.25), the 1x1 corner block 0.5 (a larger mean, a smaller sum).
    const values = [1, 0, 9, 0, 0, 9, 9, 9, 0.5];
    expect(Array.from(selectBlockMask(values, [3, 3], [2, 2], 0.25))).to.deep.equal([0, 0, 1, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(selectBlockMask(values, [3, 3], [2, 2], 0.5))).to.deep.equal([0, 0, 1, 0, 0, 1, 1, 1, 0]);
  });

  it('tiles each position of a convolution kernel separately, counting blocks exactly', () => {
    // [2, 2, 4, 4] kernel, [2, 2] blocks: 4 blocks per position, 16 in all; 0.5 prunes 8.
    const values = randomWeights(64, 5, 'normal');
    const mask = selectBlockMask(values, [2, 2, 4, 4], [2, 2], 0.5);
    expect(zeroBlocks(mask, [2, 2, 4, 4], [2, 2])).to.equal(8);
    expect(countZeros(mask)).to.equal(32);
  });

  it('prunes the earlier block first among equal means', () => {
    expect(Array.from(selectBlockMask(new Float32Array(8).fill(1), [2, 4], [2, 2], 0.5))).to.deep.equal([0, 0, 1, 1, 0, 0, 1, 1]);
  });

  it('counts a block the current mask empties as already pruned, and ranks the rest by their effective weights', () => {
    const values = [5, 5, 1, 1, 5, 5, 1, 1];
    // Block 0 (the 5s) is already pruned: at 0.5 nothing more goes; block 1 keeps its mask's zero.
    const previous = [0, 0, 1, 0, 0, 0, 1, 1];
    expect(Array.from(selectBlockMask(values, [2, 4], [2, 2], 0.5, previous))).to.deep.equal([0, 0, 1, 0, 0, 0, 1, 1]);
    // With 5s masked to one live 5, block 0's mean is 1.25 > block 1's 1: block 1 goes.
    expect(Array.from(selectBlockMask(values, [2, 4], [2, 2], 0.5, [1, 0, 1, 1, 0, 0, 1, 1]))).to.deep.equal([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('pools several weights as one: one ranking over all their blocks', () => {
    const a = { values: Float32Array.from([1, 1, 1, 1]), layout: blockLayout([2, 2]) };
    const b = { values: Float32Array.from([2, 2, 0.5, 0.5]), layout: blockLayout([2, 2]) };
    // [1, 2] blocks: a's are 1 and 1, b's 2 and 0.5; 0.5 of 4 prunes b's second, then a's first.
    const [ma, mb] = selectBlockMasks([a, b], [1, 2], fraction(0.5));
    expect([Array.from(ma), Array.from(mb)]).to.deep.equal([[0, 0, 1, 1], [1, 1, 0, 0]]);
  });

  it('rejects a bad block shape, a weight of rank 1, bad weights and masks', () => {
    for (const [bad, shown] of [[[0, 2], '[0, 2]'], [[2], '[2]'], [[1.5, 2], '[1.5, 2]'], [[2, 2, 2], '[2, 2, 2]'], ['2x2', 'string "2x2"'],
      [[2, '2'], '[2, string "2"]'], [undefined, 'undefined']] as const) {
      expect(() => checkBlockShape(bad)).to.throw(`blockShape must be [rows, cols], two positive integers; received ${shown}.`);
      expect(() => selectBlockMask([1, 2, 3, 4], [2, 2], bad as never, 0.5)).to.throw('blockShape must be [rows, cols]');
    }
    expect(() => selectBlockMask([1, 2], [2], [1, 1], 0.5)).to.throw('block pruning needs a weight of rank 2 or more; received shape [2]');
    expect(() => selectBlockMask([1, 2, 3], [2, 2], [1, 1], 0.5)).to.throw('values must have 4 elements (the product of shape); received 3');
    expect(() => selectBlockMask([1, 2, Infinity, 4], [2, 2], [1, 1], 0.5)).to.throw('weights must not hold NaN or Infinity; found Infinity at flat index 2');
    expect(() => selectBlockMask([1, 2, 3, 4], [2, 2], [1, 1], 0.5, [1, 1, 2, 1])).to.throw('currentMask must hold only 0 and 1; found 2 at flat index 2');
    expect(() => selectBlockMask([1, 2, 3, 4], [2, 2], [1, 1], 1.5)).to.throw(RangeError, 'k must be a number in [0, 1]; received 1.5');
  });
});
