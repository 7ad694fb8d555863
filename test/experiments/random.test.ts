import { expect } from 'chai';
import { mulberry32, permutation, seedSequence } from '../../experiments/random';

describe('experiments random', () => {
  it('mulberry32 repeats for a seed and differs between seeds', () => {
    const a = mulberry32(5);
    const b = mulberry32(5);
    const c = mulberry32(6);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).to.deep.equal(first);
    expect(c()).to.not.equal(first[0]);
    expect(first.every((x) => x >= 0 && x < 1)).to.equal(true);
  });

  it('seedSequence draws positive integer seeds, never 0 (TF.js reads 0 as no seed)', () => {
    const next = seedSequence(0);
    const seeds = Array.from({ length: 1000 }, next);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 1 && s < 2 ** 31)).to.equal(true);
    expect(new Set(seeds).size).to.equal(1000);
    expect(Array.from({ length: 1000 }, seedSequence(0))).to.deep.equal(seeds);
  });

  it('permutation holds every index once and depends only on the generator', () => {
    const p = permutation(1000, mulberry32(1));
    expect(Array.from(p).sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(permutation(1000, mulberry32(1)))).to.deep.equal(Array.from(p));
    expect(Array.from(permutation(1000, mulberry32(2)))).to.not.deep.equal(Array.from(p));
    expect(Array.from(p.subarray(0, 10))).to.not.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
