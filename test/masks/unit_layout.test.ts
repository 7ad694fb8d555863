import { expect } from 'chai';
import { accumulateUnitNorms, chooseUnits, nonzeroPerUnit, unitLayout, writeKeptUnits } from '../../src/masks/unit_layout';
import { countZeroColumns } from '../support/counts';
import { randomMask, randomWeights } from '../support/random';

describe('unitLayout', () => {
  it('views a weight as [outer, units, inner] around its consecutive unit axes', () => {
    expect(unitLayout([784, 300], [-1])).to.deep.equal({ outer: 784, units: 300, inner: 1 });
    expect(unitLayout([5, 5, 20, 50], [3])).to.deep.equal({ outer: 500, units: 50, inner: 1 });
    expect(unitLayout([3, 3, 16, 8], [-2])).to.deep.equal({ outer: 9, units: 16, inner: 8 });
    expect(unitLayout([3, 3, 16, 2], [-2, -1])).to.deep.equal({ outer: 9, units: 32, inner: 1 });
  });

  it('rejects unit axes that are not consecutive axes of the weight', () => {
    expect(() => unitLayout([3, 3, 4], [0, 2])).to.throw('unitAxes must be consecutive axes of a rank-3 weight; received [0, 2]');
    expect(() => unitLayout([3, 3], [2])).to.throw('unitAxes must be consecutive axes of a rank-2 weight; received [2]');
    expect(() => unitLayout([3, 3], [])).to.throw('received []');
  });
});

describe('nonzeroPerUnit', () => {
  it('counts the nonzero entries of each unit, -0 counting as zero', () => {
    expect(Array.from(nonzeroPerUnit([1, 0, 2, 0, -0, 3], { outer: 2, units: 3, inner: 1 }))).to.deep.equal([1, 0, 2]);
    expect(Array.from(nonzeroPerUnit([], { outer: 0, units: 2, inner: 1 }))).to.deep.equal([0, 0]);
    // [outer 1, units 2, inner 3]: unit 0 is entries 0-2, unit 1 entries 3-5.
    expect(Array.from(nonzeroPerUnit([1, 0, 0, 0, 0, 0], { outer: 1, units: 2, inner: 3 }))).to.deep.equal([1, 0]);
  });

  it('finds as many empty columns as a plain count', () => {
    const mask = randomMask(40 * 7, 3, 0.9);
    const empty = Array.from(nonzeroPerUnit(mask, { outer: 40, units: 7, inner: 1 })).filter((n) => n === 0).length;
    expect(empty).to.equal(countZeroColumns(mask, 40, 7));
  });
});

describe('accumulateUnitNorms, chooseUnits and writeKeptUnits', () => {
  const layout = { outer: 3, units: 4, inner: 2 };
  const values = randomWeights(24, 5, 'normal');

  it('sum the squares of each unit entries, under a mask when given', () => {
    const sums = new Float64Array(4);
    const live = new Uint8Array(4);
    expect(accumulateUnitNorms(values, layout, undefined, sums, live)).to.equal(0);
    for (let u = 0; u < 4; u++) {
      let expected = 0;
      for (let o = 0; o < 3; o++) for (let j = 0; j < 2; j++) expected += values[o * 8 + u * 2 + j] ** 2;
      expect(sums[u]).to.be.closeTo(expected, 1e-9);
    }
    expect(Array.from(live)).to.deep.equal([1, 1, 1, 1]);
  });

  it('mark units with no kept entry as already pruned, and flag bad input by the checksum', () => {
    const mask = new Float32Array(24).fill(1);
    for (let o = 0; o < 3; o++) mask.fill(0, o * 8 + 2, o * 8 + 4); // unit 1
    const sums = new Float64Array(4);
    const live = new Uint8Array(4);
    expect(accumulateUnitNorms(values, layout, mask, sums, live)).to.equal(0);
    expect(Array.from(live)).to.deep.equal([1, 0, 1, 1]);
    expect(sums[1]).to.equal(0);
    const bad = Float32Array.from(mask);
    bad[5] = 0.5;
    expect(accumulateUnitNorms(values, layout, bad, new Float64Array(4), new Uint8Array(4))).to.not.equal(0);
    const nan = Float32Array.from(values);
    nan[7] = NaN;
    expect(accumulateUnitNorms(nan, layout, undefined, new Float64Array(4), new Uint8Array(4))).to.be.NaN;
  });

  it('prune the smallest units first, already pruned ones before any, ties to the lower unit', () => {
    const norms = Float64Array.from([3, 1, 1, 2]);
    expect(Array.from(chooseUnits(norms, Uint8Array.from([1, 1, 1, 1]), 2))).to.deep.equal([1, 0, 0, 1]);
    expect(Array.from(chooseUnits(norms, Uint8Array.from([1, 1, 1, 1]), 1))).to.deep.equal([1, 0, 1, 1]);
    expect(Array.from(chooseUnits(norms, Uint8Array.from([0, 1, 1, 1]), 1))).to.deep.equal([0, 1, 1, 1]);
    // More already pruned than asked: they stay pruned.
    expect(Array.from(chooseUnits(norms, Uint8Array.from([0, 1, 1, 0]), 1))).to.deep.equal([0, 1, 1, 0]);
  });

  it('write the kept units, ANDed with the mask as bit patterns (-0 becomes 0)', () => {
    const out = new Float32Array(24).fill(7);
    writeKeptUnits(out, layout, Float32Array.from([1, 0, 1, 1]), undefined);
    for (let i = 0; i < 24; i++) expect(out[i]).to.equal(Math.floor(i / 2) % 4 === 1 ? 0 : 1);
    const mask = new Float32Array(24).fill(1);
    mask[0] = -0;
    writeKeptUnits(out, layout, Float32Array.from([1, 0, 1, 1]), mask);
    expect(Object.is(out[0], 0)).to.equal(true);
    expect(out[2]).to.equal(0);
    expect(out[4]).to.equal(1);
  });
});
