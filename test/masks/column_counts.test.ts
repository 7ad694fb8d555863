import { expect } from 'chai';
import { nonzeroPerColumn } from '../../src/masks/column_counts';
import { countZeroColumns } from '../support/counts';
import { randomMask } from '../support/random';

describe('nonzeroPerColumn', () => {
  it('counts the nonzero entries of each column of a row-major array, -0 counting as zero', () => {
    expect(Array.from(nonzeroPerColumn([1, 0, 2, 0, -0, 3], 2, 3))).to.deep.equal([1, 0, 2]);
    expect(Array.from(nonzeroPerColumn([], 0, 2))).to.deep.equal([0, 0]);
  });

  it('finds as many empty columns as a plain count', () => {
    const mask = randomMask(40 * 7, 3, 0.9);
    const empty = Array.from(nonzeroPerColumn(mask, 40, 7)).filter((n) => n === 0).length;
    expect(empty).to.equal(countZeroColumns(mask, 40, 7));
  });
});
