import { expect } from 'chai';
import { checkNM, nmLayout, selectNMMask, writeNMMask } from '../../src/masks/nm_selection';
import { expectSameArray, expectZerosKept, referenceNMMask } from './reference';
import { countZeros } from '../support/counts';
import { randomMask, randomWeights } from '../support/random';

describe('selectNMMask', () => {
  it("keeps the n largest |w| of every m consecutive entries along the input axis, per output unit", () => {
    // A [4, 2] Dense kernel, input axis 0: column 0 is [1, 5, 3, -4], column 1 [-8, 2, 7, 1].
    expect(Array.from(selectNMMask([1, -8, 5, 2, 3, 7, -4, 1], [4, 2], 0, 2, 4))).to.deep.equal([0, 1, 1, 0, 0, 1, 1, 0]);
    // 1:2 on the same kernel: groups [1, 5], [3, -4] and [-8, 2], [7, 1].
    expect(Array.from(selectNMMask([1, -8, 5, 2, 3, 7, -4, 1], [4, 2], -2, 1, 2))).to.deep.equal([0, 1, 1, 0, 0, 1, 1, 0]);
  });

  it('matches a sort of every group, on Dense, Conv2D and Conv2DTranspose kernel shapes, with and without a current mask', () => {
    const cases: Array<[number[], number, number, number]> = [
      [[16, 6], 0, 2, 4], [[3, 3, 8, 5], 2, 2, 4], [[3, 3, 8, 5], -2, 1, 4], [[2, 2, 3, 8], -1, 3, 8], [[5, 12, 4], 1, 1, 3], [[8, 1], 0, 4, 4],
    ];
    for (const [shape, axis, n, m] of cases) {
      const size = shape.reduce((a, b) => a * b, 1);
      const layout = nmLayout(shape, axis, m);
      for (const kind of ['normal', 'coarse'] as const) {
        const values = randomWeights(size, size + n, kind);
        const previous = randomMask(size, size + m, 0.3);
        const label = `${kind} [${shape}] axis ${axis} ${n}:${m}`;
        const mask = selectNMMask(values, shape, axis, n, m);
        expectSameArray(mask, referenceNMMask(values, layout, n, m), label);
        expect(countZeros(mask), label).to.equal((size * (m - n)) / m);
        const masked = selectNMMask(values, shape, axis, n, m, previous);
        expectSameArray(masked, referenceNMMask(values, layout, n, m, previous), `${label} with mask`);
        expectZerosKept(previous, masked, label);
      }
    }
  });

  it('prunes the lower index first among equal |w|', () => {
    expect(Array.from(selectNMMask([1, -1, 1, 1, 0.5, 0.5, -0.5, 0], [8, 1], 0, 2, 4))).to.deep.equal([0, 0, 1, 1, 0, 1, 1, 0]);
  });

  it('counts entries pruned before within their group: they stay pruned, and a group with more zeros than m - n keeps them', () => {
    const values = [9, 8, 7, 6, 1, 2, 3, 4];
    // Group 0 had 3 pruned: it keeps its one live entry. Group 1 had 1 pruned: one more goes.
    const previous = [0, 0, 1, 0, 1, 1, 0, 1];
    expect(Array.from(selectNMMask(values, [8, 1], 0, 2, 4, previous))).to.deep.equal([0, 0, 1, 0, 0, 1, 0, 1]);
  });

  it('is idempotent: applying it again to its own mask changes nothing', () => {
    const values = randomWeights(12 * 8, 3, 'normal');
    const once = selectNMMask(values, [12, 8], 0, 2, 4);
    expectSameArray(selectNMMask(values, [12, 8], 0, 2, 4, once), once, 'twice');
    // Each group already holds its m - n zeros: new weights move none of them.
    expectSameArray(selectNMMask(randomWeights(12 * 8, 4, 'normal'), [12, 8], 0, 2, 4, once), once, 'new weights');
  });

  it('n = m keeps every live entry', () => {
    expect(Array.from(selectNMMask([1, 2, 3, 4], [4, 1], 0, 4, 4, [1, 0, 1, 1]))).to.deep.equal([1, 0, 1, 1]);
  });

  it('rejects bad n and m, an axis that m does not divide, and bad weights or masks', () => {
    expect(() => selectNMMask([1, 2, 3, 4], [4, 1], 0, 5, 4)).to.throw(RangeError,
      'n must be an integer in [1, m = 4] (the entries each group of m keeps); received 5.');
    expect(() => selectNMMask([1, 2, 3, 4], [4, 1], 0, 0, 4)).to.throw(RangeError, 'n must be an integer in [1, m = 4]');
    expect(() => selectNMMask([1, 2, 3, 4], [4, 1], 0, 1.5, 4)).to.throw(RangeError, 'received 1.5.');
    expect(() => selectNMMask([1, 2, 3, 4], [4, 1], 0, 2, 0)).to.throw(RangeError,
      'm must be a positive integer (the group size of N:M pruning); received 0.');
    expect(() => checkNM(2, '4')).to.throw(RangeError, 'received string "4".');
    expect(() => selectNMMask(new Float32Array(10 * 3), [10, 3], 0, 2, 4)).to.throw(
      'the input axis (axis 0 of shape [10, 3], length 10) must be a multiple of m = 4 for N:M pruning');
    expect(() => selectNMMask([1, 2], [2], 1, 1, 2)).to.throw('the input axis must be an axis of a rank-1 weight; received 1');
    expect(() => selectNMMask([1, 2, 3], [4, 1], 0, 2, 4)).to.throw('values must have 4 elements (the product of shape); received 3');
    expect(() => selectNMMask([1, NaN, 3, 4], [4, 1], 0, 2, 4)).to.throw('weights must not hold NaN or Infinity; found NaN at flat index 1');
    expect(() => selectNMMask([1, 2, 3, 4], [4, 1], 0, 2, 4, [1, 0.5, 1, 1])).to.throw('currentMask must hold only 0 and 1; found 0.5 at flat index 1');
    expect(() => writeNMMask(new Float32Array(3), new Float32Array(4), { outer: 1, length: 4, inner: 1 }, 2, 4)).to.throw('values and out must have 4 entries');
  });
});
