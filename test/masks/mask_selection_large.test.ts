// selectMagnitudeMask and selectUnitMask on kernels large enough for the
// sampled fast path (mask_selection.test.ts covers the rules on small ones),
// and the input checks that the selection passes now do on the way.
import { expect } from 'chai';

import { selectMagnitudeMask, selectUnitMask, writeMagnitudeMask, writeUnitMask } from '../../src/masks/mask_selection';
import { expectSameArray, referenceMagnitudeMask, referenceUnitMask } from './reference';
import { randomMask, randomWeights } from '../support/random';
import { fraction } from '../support/fraction';

const ROWS = 256;
const COLS = 256;
const N = ROWS * COLS;

describe('mask selection on a 256 x 256 kernel', () => {
  const kernels: Array<[string, Float32Array]> = [
    ['normal', randomWeights(N, 21, 'normal')],
    ['coarse', randomWeights(N, 22, 'coarse')],
    ['all zero', new Float32Array(N)],
  ];
  const masks: Array<[string, Float32Array | undefined]> = [
    ['no mask', undefined],
    ['50% mask', randomMask(N, 23, 0.5)],
    ['90% mask', selectMagnitudeMask(randomWeights(N, 24, 'uniform'), 0.9)],
  ];
  for (const [kind, values] of kernels) {
    for (const [maskLabel, mask] of masks) {
      it(`matches a full sort: ${kind} weights, ${maskLabel}`, () => {
        for (const k of [0.05, 0.5, 0.9, 0.999]) {
          const label = `${kind}, ${maskLabel}, k=${k}`;
          expectSameArray(selectMagnitudeMask(values, k, mask), referenceMagnitudeMask(values, k, mask), `weight ${label}`);
          expectSameArray(selectUnitMask(values, ROWS, COLS, k, mask), referenceUnitMask(values, ROWS, COLS, k, mask),
            `unit ${label}`);
        }
      });
    }
  }

  it('writes every entry of a given output array, whatever it held', () => {
    const values = randomWeights(N, 25, 'normal');
    const out = new Float32Array(N).fill(7);
    expect(writeMagnitudeMask(out, values, fraction(0.9))).to.equal(out);
    expectSameArray(out, referenceMagnitudeMask(values, 0.9), 'k=0.9');
    out.fill(7);
    expectSameArray(writeMagnitudeMask(out, values, fraction(0)), new Float32Array(N).fill(1), 'k=0');
    out.fill(7);
    expectSameArray(writeMagnitudeMask(out, values, fraction(1)), new Float32Array(N), 'k=1');
    const mask = randomMask(N, 30, 0.5);
    for (const current of [undefined, mask]) {
      out.fill(7);
      expectSameArray(writeUnitMask(out, values, { outer: ROWS, units: COLS, inner: 1 }, fraction(0.5), current),
        referenceUnitMask(values, ROWS, COLS, 0.5, current), `unit, ${current ? 'with' : 'no'} mask`);
    }
  });

  it('rejects a NaN or infinite weight under a mask entry of 0, naming its flat index', () => {
    const mask = randomMask(N, 26, 0.5);
    const values = randomWeights(N, 27, 'normal');
    const at = mask.indexOf(0, 1000);
    values[at] = -Infinity;
    const message = `weights must not hold NaN or Infinity; found -Infinity at flat index ${at}`;
    expect(() => selectMagnitudeMask(values, 0.5, mask)).to.throw(Error, message);
    expect(() => selectUnitMask(values, ROWS, COLS, 0.5, mask)).to.throw(Error, message);
  });

  it('rejects a mask entry of -1, naming its flat index (only 0, -0 and 1 are allowed)', () => {
    const mask = randomMask(N, 28, 0.5);
    mask[12345] = -1;
    mask[23456] = -0;
    const values = randomWeights(N, 29, 'normal');
    const message = 'currentMask must hold only 0 and 1; found -1 at flat index 12345';
    expect(() => selectMagnitudeMask(values, 0.5, mask)).to.throw(Error, message);
    expect(() => selectUnitMask(values, ROWS, COLS, 0.5, mask)).to.throw(Error, message);
  });
});
