import { expect } from 'chai';
import { selectRandomMask, selectRandomMasks } from '../../src/masks/random_selection';
import { seededRandom } from '../../src/masks/seeded_random';
import { expectSameArray, expectZerosKept, KS } from './reference';
import { countZeros } from '../support/counts';
import { randomMask } from '../support/random';
import { fraction } from '../support/fraction';

describe('selectRandomMask', () => {
  it('prunes exactly max(round(k·n), alreadyPruned) entries, keeping the zeros of the current mask', () => {
    for (const n of [0, 1, 7, 100, 1000]) {
      const previous = randomMask(n, n + 1, 0.3);
      for (const k of KS) {
        expect(countZeros(selectRandomMask(n, k, 1)), `n=${n} k=${k}`).to.equal(Math.round(k * n));
        const masked = selectRandomMask(n, k, 2, previous);
        expect(countZeros(masked), `n=${n} k=${k} with mask`).to.equal(Math.max(Math.round(k * n), countZeros(previous)));
        expectZerosKept(previous, masked, `n=${n} k=${k}`);
      }
    }
  });

  it('is reproducible for a seed, and differs between seeds', () => {
    expectSameArray(selectRandomMask(500, 0.5, 42), selectRandomMask(500, 0.5, 42), 'seed 42');
    expect(Array.from(selectRandomMask(500, 0.5, 42))).to.not.deep.equal(Array.from(selectRandomMask(500, 0.5, 43)));
  });

  it('draws uniformly among the live entries', () => {
    // Over 400 seeds at k = 0.5 with index 0 pruned before, each other index is pruned about (0.5·20 - 1) / 19 = 47% of the time.
    const n = 20;
    const previous = Float32Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 1));
    const pruned = new Array<number>(n).fill(0);
    for (let seed = 0; seed < 400; seed++) selectRandomMask(n, 0.5, seed, previous).forEach((m, i) => (pruned[i] += m === 0 ? 1 : 0));
    expect(pruned[0]).to.equal(400);
    for (let i = 1; i < n; i++) expect(pruned[i] / 400, `index ${i}`).to.be.within(0.36, 0.59);
  });

  it('draws the fixed mulberry32 sequence of a seed, the same on every machine', () => {
    const random = seededRandom(1);
    expect([random(), random(), random()]).to.deep.equal([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('pools several masks as one: exact counts over all of them, zeros kept', () => {
    const previous = [randomMask(30, 1, 0.5), randomMask(70, 2, 0.1)];
    const masks = selectRandomMasks([{ length: 30, currentMask: previous[0] }, { length: 70, currentMask: previous[1] }], fraction(0.6), seededRandom(3));
    expect(countZeros(masks[0]) + countZeros(masks[1])).to.equal(60);
    masks.forEach((m, i) => expectZerosKept(previous[i], m, `mask ${i}`));
    expect(() => selectRandomMasks([{ length: 3, currentMask: Float32Array.from([1, 1]), label: "PrunableDense 'a'" }], fraction(0.5), seededRandom(1)))
      .to.throw("PrunableDense 'a': currentMask must have 3 elements (one per weight); received 2");
  });

  it('rejects bad lengths, seeds, k and masks', () => {
    expect(() => selectRandomMask(-1, 0.5, 1)).to.throw(RangeError, 'length must be a non-negative integer; received -1');
    expect(() => selectRandomMask(4, 0.5, -1)).to.throw(RangeError, 'seed must be an integer in [0, 4294967295]; received -1.');
    expect(() => selectRandomMask(4, 0.5, 1.5)).to.throw(RangeError, 'received 1.5.');
    expect(() => selectRandomMask(4, 0.5, '1' as never)).to.throw(TypeError, 'seed must be an integer in [0, 4294967295]; received string "1".');
    expect(() => selectRandomMask(4, 2, 1)).to.throw(RangeError, 'k must be a number in [0, 1]; received 2');
    expect(() => selectRandomMask(4, 0.5, 1, [1, 1, 1])).to.throw('currentMask must have 4 elements (one per weight); received 3');
    expect(() => selectRandomMask(2, 0.5, 1, [1, 0.5])).to.throw('currentMask must hold only 0 and 1; found 0.5 at flat index 1');
  });
});
