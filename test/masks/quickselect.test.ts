import { expect } from 'chai';

import { kthSmallest } from '../../src/masks/quickselect';
import { mulberry32 } from '../support/random';

function sortedCopy(values: Float32Array): Float32Array {
  return Float32Array.from(values).sort();
}

/** Checks kthSmallest(copy, k) against a sorted copy, and that the copy stays a permutation. */
function expectRank(values: Float32Array, k: number, label: string): void {
  const scratch = Float32Array.from(values);
  const got = kthSmallest(scratch, k);
  const sorted = sortedCopy(values);
  expect(got, `${label}, n=${values.length}, k=${k}`).to.equal(sorted[k]);
  expect(Array.from(sortedCopy(scratch)), `${label}: scratch is a permutation`).to.deep.equal(
    Array.from(sorted),
  );
}

type Generator = (n: number, rng: () => number) => Float32Array;

const GENERATORS: Record<string, Generator> = {
  uniform: (n, rng) => Float32Array.from({ length: n }, () => rng() * 2 - 1),
  'few distinct values': (n, rng) => Float32Array.from({ length: n }, () => Math.floor(rng() * 4)),
  'all equal': (n) => new Float32Array(n).fill(0.5),
  'all zero with -0': (n, rng) => Float32Array.from({ length: n }, () => (rng() < 0.5 ? -0 : 0)),
  ascending: (n) => Float32Array.from({ length: n }, (_, i) => i),
  descending: (n) => Float32Array.from({ length: n }, (_, i) => n - i),
  'organ pipe': (n) => Float32Array.from({ length: n }, (_, i) => Math.min(i, n - 1 - i)),
  'sign mix with -1 keys': (n, rng) =>
    Float32Array.from({ length: n }, () => (rng() < 0.3 ? -1 : Math.abs(rng() - 0.5))),
};

describe('kthSmallest', () => {
  it('matches a sorted copy for every k on small arrays of every kind', () => {
    const rng = mulberry32(1);
    for (const [kind, generate] of Object.entries(GENERATORS)) {
      for (let n = 1; n <= 40; n++) {
        const values = generate(n, rng);
        for (let k = 0; k < n; k++) expectRank(values, k, kind);
      }
    }
  });

  it('matches a sorted copy on many random larger arrays', () => {
    const rng = mulberry32(2);
    const kinds = Object.entries(GENERATORS);
    for (let trial = 0; trial < 200; trial++) {
      const [kind, generate] = kinds[trial % kinds.length];
      const n = 1 + Math.floor(rng() * 3000);
      const values = generate(n, rng);
      for (const k of [0, n - 1, Math.floor(rng() * n), Math.floor(0.9 * n)]) {
        expectRank(values, k, kind);
      }
    }
  });

  it('handles large all-equal and two-valued arrays (would time out if quadratic)', () => {
    const n = 1 << 20;
    const zeros = new Float32Array(n);
    expect(kthSmallest(zeros, Math.floor(0.9 * n))).to.equal(0);
    const twoValued = Float32Array.from({ length: n }, (_, i) => i % 2);
    expect(kthSmallest(Float32Array.from(twoValued), n / 2 - 1)).to.equal(0);
    expect(kthSmallest(Float32Array.from(twoValued), n / 2)).to.equal(1);
  });

  it('is deterministic', () => {
    const rng = mulberry32(3);
    const values = Float32Array.from({ length: 5000 }, () => rng());
    const a = Float32Array.from(values);
    const b = Float32Array.from(values);
    kthSmallest(a, 1234);
    kthSmallest(b, 1234);
    expect(Array.from(a)).to.deep.equal(Array.from(b));
  });

  it('rejects a rank outside [0, n) or not an integer', () => {
    const values = Float32Array.from([3, 1, 2]);
    expect(() => kthSmallest(values, -1)).to.throw(RangeError, 'k must be an integer in [0, 3); received -1');
    expect(() => kthSmallest(values, 3)).to.throw(RangeError, 'received 3');
    expect(() => kthSmallest(values, 1.5)).to.throw(RangeError, 'received 1.5');
    expect(() => kthSmallest(values, NaN)).to.throw(RangeError, 'received NaN');
    expect(() => kthSmallest(new Float32Array(0), 0)).to.throw(RangeError, '[0, 0)');
  });
});
