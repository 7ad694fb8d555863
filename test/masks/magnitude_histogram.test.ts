import { expect } from 'chai';

import { magnitudeOfRank, MagnitudeScan, scanMagnitudes } from '../../src/masks/magnitude_histogram';
import { randomMask, randomWeights } from '../support/random';

const bitsOf = (values: Float32Array): Uint32Array => new Uint32Array(values.buffer, values.byteOffset, values.length);
const f32 = (values: number[]): Float32Array => Float32Array.from(values);

/** The key of rank `rank` by a full sort: -1 for pruned entries, else |w|; and the keys below it. */
function referenceRank(values: Float32Array, mask: Float32Array | undefined, rank: number) {
  const keys = Array.from(values, (v, i) => (mask !== undefined && mask[i] === 0 ? -1 : Math.abs(v)));
  const sorted = [...keys].sort((a, b) => a - b);
  const threshold = sorted[rank];
  const thresholdBits = threshold < 0 ? -1 : bitsOf(f32([threshold]))[0];
  return { thresholdBits, below: keys.filter((key) => key < threshold).length };
}

function scanOf(values: Float32Array, mask: Float32Array | undefined, k: number): MagnitudeScan {
  return scanMagnitudes(bitsOf(values), mask && bitsOf(mask), k);
}

describe('scanMagnitudes', () => {
  it('counts the already pruned in bucket 0 and every live weight in its bucket', () => {
    const values = randomWeights(10000, 1, 'normal');
    const mask = randomMask(10000, 2, 0.3);
    const scan = scanOf(values, mask, 0.5);
    expect(scan.valid).to.equal(true);
    expect(scan.counts[0]).to.equal(mask.filter((m) => m === 0).length);
    expect(scan.counts.reduce((a, b) => a + b, 0)).to.equal(10000);
    const bucketOfOne = (bitsOf(f32([1]))[0] >>> 16) + 1;
    const ones = Array.from(values).filter((v, i) => mask[i] === 1 && Math.abs(v) >= 1 && Math.abs(v) < 1 + 1 / 128);
    expect(scan.counts[bucketOfOne]).to.equal(ones.length);
  });

  it('flags NaN and infinite weights, even where the mask is 0', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const values = randomWeights(5000, 3, 'normal');
      values[4321] = bad;
      expect(scanOf(values, undefined, 0.5).valid, `${bad}`).to.equal(false);
      const mask = new Float32Array(5000).fill(1);
      mask[4321] = 0;
      expect(scanOf(values, mask, 0.5).valid, `${bad} under a 0`).to.equal(false);
    }
  });

  it('accepts extreme finite weights and mask entries 0, -0 and 1 only', () => {
    const values = f32([3.4e38, -3.4e38, 1e-45, -0, 0, 1, -1, 2]);
    expect(scanOf(values, f32([1, 0, -0, 1, 0, 1, -0, 1]), 0.5).valid).to.equal(true);
    for (const bad of [-1, 0.5, 2, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.0000001, 0.9999999]) {
      const mask = f32([1, 0, 1, 1, 0, 1, 1, 1]);
      mask[5] = bad;
      expect(scanOf(values, mask, 0.5).valid, `mask entry ${bad}`).to.equal(false);
    }
  });

  it('copies out the live weights of the guessed buckets as it goes (large inputs)', () => {
    const values = randomWeights(1 << 16, 4, 'normal');
    const scan = scanOf(values, undefined, 0.9);
    expect(scan.range.first).to.be.at.most(scan.range.last);
    let inRange = 0;
    for (let b = scan.range.first; b <= scan.range.last; b++) inRange += scan.counts[b];
    expect(scan.copied).to.equal(inRange);
    expect(scan.copied).to.be.at.most(scan.range.capacity);
    expect(scan.copied).to.be.below(values.length / 10);
  });
});

describe('magnitudeOfRank', () => {
  const cases: Array<[string, Float32Array, Float32Array | undefined]> = [
    ['normal', randomWeights(1 << 16, 5, 'normal'), undefined],
    ['uniform, 50% mask', randomWeights(1 << 16, 6, 'uniform'), randomMask(1 << 16, 7, 0.5)],
    ['coarse (few values, many ties)', randomWeights(1 << 16, 8, 'coarse'), undefined],
    ['coarse, 30% mask', randomWeights(1 << 16, 9, 'coarse'), randomMask(1 << 16, 10, 0.3)],
    ['all zero', new Float32Array(1 << 13), undefined],
    ['small', randomWeights(100, 11, 'normal'), randomMask(100, 12, 0.2)],
  ];
  for (const [label, values, mask] of cases) {
    it(`matches a full sort for ${label}, through the copies and through a second pass`, () => {
      const n = values.length;
      for (const k of [0, 0.01, 0.5, 0.9, 0.999]) {
        const scan = scanOf(values, mask, k);
        const rank = Math.max(Math.round(k * n), scan.counts[0], 1) - 1;
        const expected = referenceRank(values, mask, rank);
        const bits = bitsOf(values);
        const maskBits = mask && bitsOf(mask);
        expect(magnitudeOfRank(scan, bits, maskBits, rank), `${label} k=${k}`).to.deep.equal(expected);
        // The same with a guess that missed, and with copies that overflowed.
        const missed = { ...scan, range: { first: 1, last: 0, capacity: 0 } };
        expect(magnitudeOfRank(missed, bits, maskBits, rank), `${label} k=${k} missed`).to.deep.equal(expected);
        const overflowed = { ...scan, copied: scan.range.capacity + 1 };
        expect(magnitudeOfRank(overflowed, bits, maskBits, rank), `${label} k=${k} overflowed`).to.deep.equal(expected);
      }
    });
  }
});
