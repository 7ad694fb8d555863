import { expect } from 'chai';

import { checkFraction, checkShape } from '../../src/checks';
import {
  prunedCount, selectGlobalUnitMasks, selectMagnitudeMask, selectMagnitudeMasks, selectUnitMask, selectUnitMasks,
} from '../../src/masks/mask_selection';
import {
  KS,
  SHAPES,
  expectSameArray,
  expectZerosKept,
  referenceMagnitudeMask,
  referenceUnitMask,
} from './reference';
import { countZeroColumns, countZeros } from '../support/counts';
import { randomMask, randomWeights, WeightKind } from '../support/random';
import { fraction } from '../support/fraction';

const KINDS: readonly WeightKind[] = ['normal', 'coarse'];
const f32 = (values: number[]): Float32Array => Float32Array.from(values);

describe('prunedCount', () => {
  it('is Math.round(k * n), halves rounding up', () => {
    expect(prunedCount(0, 10)).to.equal(0);
    expect(prunedCount(1, 10)).to.equal(10);
    expect(prunedCount(0.9, 1000)).to.equal(900);
    expect(prunedCount(0.5, 5)).to.equal(3);
    expect(prunedCount(0.25, 10)).to.equal(3);
    expect(prunedCount(0.125, 4)).to.equal(1);
    expect(prunedCount(0.999, 1)).to.equal(1);
    expect(prunedCount(0.4, 1)).to.equal(0);
    expect(prunedCount(0.5, 0)).to.equal(0);
  });

  it('validates k and n', () => {
    expect(() => prunedCount(1.5, 10)).to.throw(RangeError, 'k must be a number in [0, 1]; received 1.5');
    expect(() => prunedCount(0.5, -1)).to.throw(RangeError, 'n must be a non-negative integer; received -1');
    expect(() => prunedCount(0.5, 2.5)).to.throw(RangeError, 'n must be a non-negative integer');
  });
});

describe('selectMagnitudeMask', () => {
  describe('matches a full stable sort by (|w|, index)', () => {
    for (const [rows, cols] of SHAPES) {
      it(`${rows}x${cols}, every k, normal and coarse weights, with and without a current mask`, () => {
        const n = rows * cols;
        for (const kind of KINDS) {
          const values = randomWeights(n, rows * 1000 + cols, kind);
          const previous = randomMask(n, rows + cols, 0.3);
          for (const k of KS) {
            const label = `${kind} ${rows}x${cols} k=${k}`;
            expectSameArray(selectMagnitudeMask(values, k), referenceMagnitudeMask(values, k), label);
            expectSameArray(
              selectMagnitudeMask(values, k, previous),
              referenceMagnitudeMask(values, k, previous),
              `${label} with mask`,
            );
          }
        }
      });
    }
  });

  it('prunes exactly round(k * n) entries of an all-zero kernel, lowest indices first', () => {
    const values = new Float32Array(100);
    for (const k of [0.01, 0.37, 0.5, 0.995, 1]) {
      const mask = selectMagnitudeMask(values, k);
      const count = Math.round(k * 100);
      expect(countZeros(mask), `k=${k}`).to.equal(count);
      expect(Array.from(mask.subarray(0, count)).every((m) => m === 0), `k=${k}: first ${count}`).to.equal(true);
    }
  });

  it('counts exactly with repeated values and halves (k * n = x.5 rounds up)', () => {
    // n = 6, k = 0.25 -> 1.5 -> 2; k = 0.75 -> 4.5 -> 5.
    const values = f32([2, 1, 1, 1, 2, 1]);
    expect(Array.from(selectMagnitudeMask(values, 0.25))).to.deep.equal([1, 0, 0, 1, 1, 1]);
    expect(Array.from(selectMagnitudeMask(values, 0.5))).to.deep.equal([1, 0, 0, 0, 1, 1]);
    expect(Array.from(selectMagnitudeMask(values, 0.75))).to.deep.equal([0, 0, 0, 0, 1, 0]);
    // n = 5, k = 0.5 -> 2.5 -> 3.
    expect(countZeros(selectMagnitudeMask(f32([1, 2, 3, 4, 5]), 0.5))).to.equal(3);
  });

  it('breaks ties by lower flat index, treating -w, w, -0 and 0 alike', () => {
    const values = f32([-1, 1, 0.5, -0.5, -0, 0]);
    expect(Array.from(selectMagnitudeMask(values, 1 / 6))).to.deep.equal([1, 1, 1, 1, 0, 1]);
    expect(Array.from(selectMagnitudeMask(values, 3 / 6))).to.deep.equal([1, 1, 0, 1, 0, 0]);
    expect(Array.from(selectMagnitudeMask(values, 5 / 6))).to.deep.equal([0, 1, 0, 0, 0, 0]);
  });

  it('returns a fresh 0/1 Float32Array and leaves its inputs alone', () => {
    const values = randomWeights(500, 9, 'normal');
    const valuesCopy = Float32Array.from(values);
    const previous = randomMask(500, 10, 0.2);
    const previousCopy = Float32Array.from(previous);
    const mask = selectMagnitudeMask(values, 0.6, previous);
    expect(mask).to.be.instanceOf(Float32Array);
    expect(mask).to.not.equal(previous);
    expect(Array.from(mask).every((m) => m === 0 || m === 1)).to.equal(true);
    expect(Array.from(values)).to.deep.equal(Array.from(valuesCopy));
    expect(Array.from(previous)).to.deep.equal(Array.from(previousCopy));
    expect(selectMagnitudeMask(new Float32Array(0), 0.5)).to.have.length(0);
  });

  describe('with a current mask', () => {
    it('keeps pruned entries pruned even when they are the largest weights', () => {
      const values = f32([9, 0.1, 0.2, 8, 0.3, 0.4]);
      const previous = f32([0, 1, 1, 0, 1, 1]);
      expect(Array.from(selectMagnitudeMask(values, 0, previous))).to.deep.equal([0, 1, 1, 0, 1, 1]);
      expect(Array.from(selectMagnitudeMask(values, 0.5, previous))).to.deep.equal([0, 0, 1, 0, 1, 1]);
      expect(Array.from(selectMagnitudeMask(values, 1, previous))).to.deep.equal([0, 0, 0, 0, 0, 0]);
    });

    it('ranks pruned entries before live weights that are exactly zero', () => {
      // Index 0 is a live zero, index 2 is pruned: pruning one more must not take index 0.
      const values = f32([0, 3, 5, 4]);
      expect(Array.from(selectMagnitudeMask(values, 0.25, f32([1, 1, 0, 1])))).to.deep.equal([1, 1, 0, 1]);
      expect(Array.from(selectMagnitudeMask(values, 0.5, f32([1, 1, 0, 1])))).to.deep.equal([0, 1, 0, 1]);
    });

    it('never lowers sparsity: a lower k keeps exactly the old zeros', () => {
      const values = randomWeights(1000, 11, 'normal');
      const previous = selectMagnitudeMask(values, 0.8);
      for (const k of [0, 0.1, 0.5, 0.79]) {
        expectSameArray(selectMagnitudeMask(values, k, previous), previous, `k=${k}`);
      }
    });

    it('is monotone over an increasing k sequence while the weights keep changing', () => {
      const n = 64 * 32;
      let mask: Float32Array = new Float32Array(n).fill(1);
      let step = 0;
      for (const k of [0, 0.1, 0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 0.95, 0.999, 1]) {
        // New weights every step (as in training): pruned entries must not come back.
        const values = randomWeights(n, 100 + step++, 'coarse');
        const next = selectMagnitudeMask(values, k, mask);
        expectZerosKept(mask, next, `k=${k}`);
        expect(countZeros(next), `k=${k}`).to.equal(Math.max(Math.round(k * n), countZeros(mask)));
        mask = next;
      }
      expect(countZeros(mask)).to.equal(n);
    });
  });
});

describe('selectUnitMask', () => {
  describe('matches a full stable sort of columns by (L2 norm, index)', () => {
    for (const [rows, cols] of SHAPES) {
      it(`${rows}x${cols}, every k, normal and coarse weights, with and without a current mask`, () => {
        const n = rows * cols;
        for (const kind of KINDS) {
          const values = randomWeights(n, rows * 7 + cols, kind);
          // A previous mask with unit-pruned columns and scattered weight zeros.
          const unitPruned = referenceUnitMask(values, rows, cols, 0.2);
          const scattered = randomMask(n, rows * cols + 5, 0.3);
          const previous = unitPruned.map((m, i) => m * scattered[i]);
          for (const k of KS) {
            const label = `${kind} ${rows}x${cols} k=${k}`;
            expectSameArray(
              selectUnitMask(values, rows, cols, k),
              referenceUnitMask(values, rows, cols, k),
              label,
            );
            expectSameArray(
              selectUnitMask(values, rows, cols, k, previous),
              referenceUnitMask(values, rows, cols, k, previous),
              `${label} with mask`,
            );
          }
        }
      });
    }
  });

  it('zeroes exactly round(k * cols) columns of an all-zero kernel, lowest columns first', () => {
    const rows = 4;
    const cols = 10;
    const values = new Float32Array(rows * cols);
    // 0.35 * 10 = 3.5 -> 4 columns.
    const mask = selectUnitMask(values, rows, cols, 0.35);
    expect(countZeroColumns(mask, rows, cols)).to.equal(4);
    expect(countZeros(mask)).to.equal(4 * rows);
    for (let r = 0; r < rows; r++) {
      expect(Array.from(mask.subarray(r * cols, (r + 1) * cols))).to.deep.equal([0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    }
  });

  it('breaks equal norms by lower column index', () => {
    // Columns: [3, 4], [0, 5], [4, 3], [1, 1]: norms 5, 5, 5, sqrt(2).
    const values = f32([3, 0, 4, 1, 4, 5, 3, 1]);
    expect(Array.from(selectUnitMask(values, 2, 4, 0.25))).to.deep.equal([1, 1, 1, 0, 1, 1, 1, 0]);
    expect(Array.from(selectUnitMask(values, 2, 4, 0.5))).to.deep.equal([0, 1, 1, 0, 0, 1, 1, 0]);
    expect(Array.from(selectUnitMask(values, 2, 4, 0.75))).to.deep.equal([0, 0, 1, 0, 0, 0, 1, 0]);
  });

  it('ranks columns by the norm of the masked weights', () => {
    // Column 0 = [10, 0.1] but its 10 is masked: effective norm 0.1 < column 1's sqrt(2).
    const values = f32([10, 1, 0.1, 1]);
    expect(Array.from(selectUnitMask(values, 2, 2, 0.5))).to.deep.equal([1, 0, 1, 0]);
    expect(Array.from(selectUnitMask(values, 2, 2, 0.5, f32([0, 1, 1, 1])))).to.deep.equal([0, 1, 0, 1]);
    expect(Array.from(selectUnitMask(values, 2, 2, 0.5, f32([1, 1, 1, 0])))).to.deep.equal([1, 0, 1, 0]);
  });

  it('ranks fully masked columns before live columns of zero norm', () => {
    // Column 0 is live with zero weights, column 1 is fully masked, column 2 is live.
    const values = f32([0, 7, 1, 0, 7, 1]);
    const previous = f32([1, 0, 1, 1, 0, 1]);
    expect(Array.from(selectUnitMask(values, 2, 3, 1 / 3, previous))).to.deep.equal([1, 0, 1, 1, 0, 1]);
    expect(Array.from(selectUnitMask(values, 2, 3, 0, previous))).to.deep.equal([1, 0, 1, 1, 0, 1]);
    expect(Array.from(selectUnitMask(values, 2, 3, 2 / 3, previous))).to.deep.equal([0, 0, 1, 0, 0, 1]);
  });

  it('keeps pruned columns and weights pruned, and never lowers the number of zero columns', () => {
    // Column 2 has the largest norm but is fully masked; column 0 has one masked weight.
    const values = f32([1, 2, 9, 1, 2, 9]);
    const previous = f32([0, 1, 0, 1, 1, 0]);
    expect(Array.from(selectUnitMask(values, 2, 3, 0, previous))).to.deep.equal([0, 1, 0, 1, 1, 0]);
    expect(Array.from(selectUnitMask(values, 2, 3, 1 / 3, previous))).to.deep.equal([0, 1, 0, 1, 1, 0]);
    expect(Array.from(selectUnitMask(values, 2, 3, 2 / 3, previous))).to.deep.equal([0, 1, 0, 0, 1, 0]);
  });

  it('is monotone over an increasing k sequence while the weights keep changing', () => {
    const rows = 30;
    const cols = 40;
    const n = rows * cols;
    let mask: Float32Array = randomMask(n, 77, 0.1);
    let step = 0;
    for (const k of [0, 0.05, 0.25, 0.25, 0.5, 0.8, 0.9, 0.975, 1]) {
      const values = randomWeights(n, 200 + step++, 'normal');
      const next = selectUnitMask(values, rows, cols, k, mask);
      expectZerosKept(mask, next, `k=${k}`);
      expect(countZeroColumns(next, rows, cols), `k=${k}`).to.equal(
        Math.max(Math.round(k * cols), countZeroColumns(mask, rows, cols)),
      );
      mask = next;
    }
    expect(countZeros(mask)).to.equal(n);
  });

  it('leaves its inputs alone and handles empty kernels', () => {
    const values = randomWeights(60, 3, 'coarse');
    const valuesCopy = Float32Array.from(values);
    const previous = randomMask(60, 4, 0.5);
    const previousCopy = Float32Array.from(previous);
    selectUnitMask(values, 6, 10, 0.5, previous);
    expect(Array.from(values)).to.deep.equal(Array.from(valuesCopy));
    expect(Array.from(previous)).to.deep.equal(Array.from(previousCopy));
    expect(selectUnitMask(new Float32Array(0), 0, 5, 0.5)).to.have.length(0);
    expect(selectUnitMask(new Float32Array(0), 5, 0, 0.5)).to.have.length(0);
  });
});

describe('mask argument validation', () => {
  const values = f32([1, 2, 3, 4, 5, 6]);
  const select: Record<string, (k: unknown, v?: Float32Array, m?: Float32Array) => Float32Array> = {
    selectMagnitudeMask: (k, v = values, m) => selectMagnitudeMask(v, k as number, m),
    selectUnitMask: (k, v = values, m) => selectUnitMask(v, 2, 3, k as number, m),
  };

  for (const [name, run] of Object.entries(select)) {
    describe(name, () => {
      it('rejects k out of range, NaN or infinite with a RangeError naming k, [0, 1] and the value', () => {
        for (const [k, shown] of [
          [-0.5, '-0.5'],
          [1.5, '1.5'],
          [1.0000001, '1.0000001'],
          [NaN, 'NaN'],
          [Infinity, 'Infinity'],
          [-Infinity, '-Infinity'],
        ] as const) {
          expect(() => run(k)).to.throw(RangeError, `k must be a number in [0, 1]; received ${shown}`);
        }
      });

      it('rejects a k that is not a number with a TypeError', () => {
        expect(() => run('0.5')).to.throw(TypeError, 'k must be a number in [0, 1]; received string "0.5"');
        expect(() => run(undefined)).to.throw(TypeError, 'k must be a number in [0, 1]; received undefined');
        expect(() => run(null)).to.throw(TypeError, 'received null');
        expect(() => run([0.5])).to.throw(TypeError, 'k must be a number in [0, 1]');
      });

      it('rejects weights holding NaN or Infinity, naming the flat index', () => {
        expect(() => run(0.5, f32([1, 2, 3, NaN, 5, 6]))).to.throw(
          Error,
          'weights must not hold NaN or Infinity; found NaN at flat index 3',
        );
        expect(() => run(0.5, f32([1, Infinity, 3, 4, 5, 6]))).to.throw(Error, 'found Infinity at flat index 1');
        expect(() => run(0.5, f32([1, 2, 3, 4, 5, -Infinity]))).to.throw(Error, 'found -Infinity at flat index 5');
      });

      it('rejects a current mask of the wrong length', () => {
        expect(() => run(0.5, values, f32([1, 1, 1, 1, 1]))).to.throw(
          Error,
          'currentMask must have 6 elements (one per weight); received 5',
        );
      });

      it('rejects a current mask holding anything but 0 and 1', () => {
        expect(() => run(0.5, values, f32([1, 1, 0.5, 1, 1, 1]))).to.throw(
          Error,
          'currentMask must hold only 0 and 1; found 0.5 at flat index 2',
        );
        expect(() => run(0.5, values, f32([1, 1, 1, 1, 1, 2]))).to.throw(Error, 'found 2 at flat index 5');
        expect(() => run(0.5, values, f32([1, NaN, 1, 1, 1, 1]))).to.throw(Error, 'found NaN at flat index 1');
        // -0 counts as 0 and comes back as +0.
        expect(Array.from(run(0, values, f32([1, -0, 1, 1, 1, 1])))).to.deep.equal([1, 0, 1, 1, 1, 1]);
      });
    });
  }

  it('selectUnitMask rejects dimensions that do not match the values', () => {
    expect(() => selectUnitMask(values, 4, 2, 0.5)).to.throw(Error, 'values must have 8 elements (rows * cols); received 6');
    expect(() => selectUnitMask(values, 1.5, 4, 0.5)).to.throw(RangeError, 'rows must be a non-negative integer; received 1.5');
    expect(() => selectUnitMask(values, 2, -3, 0.5)).to.throw(RangeError, 'cols must be a non-negative integer');
  });

  it('checkFraction uses the argument name it is given', () => {
    expect(() => checkFraction(2, 'finalSparsity')).to.throw(
      RangeError,
      'finalSparsity must be a number in [0, 1]; received 2',
    );
    expect(() => checkFraction(0.5)).to.not.throw();
    expect(() => checkFraction(0)).to.not.throw();
    expect(() => checkFraction(1)).to.not.throw();
  });

  it('checkShape names the argument and both shapes', () => {
    expect(() => checkShape([3, 2], [2, 3], 'currentMask')).to.throw(
      Error,
      'currentMask must have shape [2, 3]; received shape [3, 2]',
    );
    expect(() => checkShape([2], [2, 1], 'm')).to.throw(Error, 'm must have shape [2, 1]');
    expect(() => checkShape([2, 3], [2, 3], 'm')).to.not.throw();
  });
});

describe('selectMagnitudeMask and selectUnitMask: input types', () => {
  it('convert other typed arrays and arrays of numbers, values and current mask alike', () => {
    const expected = [1, 0, 1, 0];
    expect(Array.from(selectMagnitudeMask(Float64Array.from([0.3, -0.1, 0.5, 0.1]), 0.5))).to.deep.equal(expected);
    expect(Array.from(selectMagnitudeMask([0.3, -0.1, 0.5, 0.1], 0.5))).to.deep.equal(expected);
    expect(Array.from(selectMagnitudeMask(Int16Array.from([3, -1, 5, 2]), 0.5, [1, 1, 1, 0]))).to.deep.equal([1, 0, 1, 0]);
    expect(Array.from(selectUnitMask([1, 0.1, 3, 1, 0.1, 3], 2, 3, 1 / 3, [1, 1, 1, 1, 1, 1]))).to.deep.equal([1, 0, 1, 1, 0, 1]);
    expect(Array.from(selectUnitMask(Float64Array.from([1, 0.1, 3, 1, 0.1, 3]), 2, 3, 1 / 3, Uint8Array.from([1, 1, 0, 1, 1, 0]))))
      .to.deep.equal([1, 1, 0, 1, 1, 0]); // column 2 already pruned fills the quota of 1
  });

  it('leave a Float32Array as it is', () => {
    const values = f32([0.3, -0.1, 0.5, 0.1]);
    const mask = f32([1, 1, 0, 1]);
    expect(Array.from(selectMagnitudeMask(values, 0.5, mask))).to.deep.equal([1, 0, 0, 1]);
    expect(Array.from(values)).to.deep.equal(Array.from(f32([0.3, -0.1, 0.5, 0.1])));
    expect(Array.from(mask)).to.deep.equal([1, 1, 0, 1]);
  });

  it('reject anything else with a TypeError naming the argument and what was received', () => {
    expect(() => selectMagnitudeMask('0.3' as never, 0.5)).to.throw(TypeError,
      'values must be a typed array or an array of numbers; received string "0.3"');
    expect(() => selectMagnitudeMask(f32([1, 2]), 0.5, [1, null] as never)).to.throw(TypeError,
      'currentMask must be a typed array or an array of numbers; received an array holding null at index 1');
    expect(() => selectUnitMask(new BigUint64Array(4) as never, 2, 2, 0.5)).to.throw(TypeError,
      'values must be a typed array or an array of numbers; received a BigUint64Array');
    expect(() => selectUnitMask(f32([1, 2, 3, 4]), 2, 2, 0.5, { length: 4 } as never)).to.throw(TypeError,
      'currentMask must be a typed array or an array of numbers; received an object');
  });
});


describe('selectMagnitudeMasks (one pool)', () => {
  it('selects over the weights concatenated: one threshold, exact total count, zeros kept', () => {
    const weights = [randomWeights(300, 1, 'normal'), randomWeights(50, 2, 'coarse').map((v) => 3 * v), randomWeights(7, 3, 'normal')];
    const masks = [randomMask(300, 4, 0.2), undefined, randomMask(7, 5, 0.5)];
    const all = Float32Array.from(weights.flatMap((w) => Array.from(w)));
    const allMasks = Float32Array.from(weights.flatMap((w, i) => Array.from(masks[i] ?? new Float32Array(w.length).fill(1))));
    for (const k of KS) {
      const pooled = selectMagnitudeMasks(weights.map((values, i) => ({ values, currentMask: masks[i] })), fraction(k));
      expectSameArray(Float32Array.from(pooled.flatMap((m) => Array.from(m))), referenceMagnitudeMask(all, k, allMasks), `k=${k}`);
    }
  });

  it('breaks ties by weight order, then flat index', () => {
    const pool = [{ values: f32([1, 2]) }, { values: f32([1, 2]) }];
    expect(selectMagnitudeMasks(pool, fraction(0.25)).map((m) => Array.from(m))).to.deep.equal([[0, 1], [1, 1]]);
    expect(selectMagnitudeMasks(pool, fraction(0.75)).map((m) => Array.from(m))).to.deep.equal([[0, 0], [0, 1]]);
  });

  it("names the weight whose values are bad by its label", () => {
    expect(() => selectMagnitudeMasks([{ values: f32([1]), label: 'a' }, { values: f32([1, NaN]), label: "PrunableDense 'b'" }], fraction(0.5)))
      .to.throw("PrunableDense 'b': weights must not hold NaN or Infinity; found NaN at flat index 1");
    expect(() => selectMagnitudeMasks([{ values: f32([NaN]), label: "PrunableDense 'a'" }], fraction(0.5))).to.throw("PrunableDense 'a': weights must not hold NaN");
  });
});

describe('selectGlobalUnitMasks (one pool of layers)', () => {
  const layer = (values: Float32Array, rows: number, cols: number, currentMask?: Float32Array) =>
    ({ weights: [{ values, layout: { outer: rows, units: cols, inner: 1 }, currentMask }] });

  it('ranks units across layers by RMS (norm / sqrt(entries)), not by their norm, which grows with fan-in', () => {
    // Layer a: 100 inputs of 0.1 per unit (norm 1, RMS 0.1). Layer b: 4 inputs of 0.2 (norm 0.4, RMS 0.2).
    const a = layer(new Float32Array(100 * 2).fill(0.1), 100, 2);
    const b = layer(new Float32Array(4 * 2).fill(0.2), 4, 2);
    const [[ma], [mb]] = selectGlobalUnitMasks([a, b], fraction(0.5));
    expect(countZeroColumns(ma, 100, 2)).to.equal(2);
    expect(countZeros(mb)).to.equal(0);
  });

  it('counts exactly round(k · units) over all layers, already pruned units first, ties by layer then unit', () => {
    const a = layer(f32([1, 1, 1, 1]), 2, 2, f32([1, 0, 1, 0]));
    const b = layer(f32([1, 1, 1, 1, 1, 1]), 2, 3);
    // a's unit 1 is pruned already; 0.4 of 5 units = 2: then a's unit 0 (equal RMS to b's, earlier layer).
    const [[ma], [mb]] = selectGlobalUnitMasks([a, b], fraction(0.4));
    expect([Array.from(ma), Array.from(mb)]).to.deep.equal([[0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);
    const [[ma2], [mb2]] = selectGlobalUnitMasks([a, b], fraction(0.6));
    expect([Array.from(ma2), Array.from(mb2)]).to.deep.equal([[0, 0, 0, 0], [0, 1, 1, 0, 1, 1]]);
  });

  it('selects what selectUnitMasks selects for one layer', () => {
    const values = randomWeights(40 * 12, 8, 'normal');
    const previous = randomMask(40 * 12, 9, 0.2);
    const weights = [{ values, layout: { outer: 40, units: 12, inner: 1 }, currentMask: previous }];
    for (const k of KS) expectSameArray(selectGlobalUnitMasks([{ weights }], fraction(k))[0][0], selectUnitMasks(weights, fraction(k))[0], `k=${k}`);
  });

  it('names the layer whose weights are bad by its label', () => {
    expect(() => selectGlobalUnitMasks([{ ...layer(f32([1, NaN]), 1, 2), label: "PrunableDense 'x'" }], fraction(0.5)))
      .to.throw("PrunableDense 'x': weights must not hold NaN or Infinity; found NaN at flat index 1");
  });
});
