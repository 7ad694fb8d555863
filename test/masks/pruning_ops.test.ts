import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';

import { magnitudeMask, selectUnitMask, unitMask, unitPruning, weightPruning } from '../../src/masks';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import {
  KS,
  SHAPES,
  expectSameArray,
  expectZerosKept,
  referenceMagnitudeMask,
  referenceUnitMask,
} from './reference';
import { countZeroColumns, countZeros } from '../support/counts';
import { randomMask, randomWeights } from '../support/random';

/** Reference pruned weights: w where the mask is 1, +0 where it is 0. */
function applyReference(values: Float32Array, mask: Float32Array): Float32Array {
  return values.map((v, i) => (mask[i] === 0 ? 0 : v));
}

function expectBinaryFloat32(t: tf.Tensor, shape: number[], label: string): Float32Array {
  expect(t.dtype, `${label}: dtype`).to.equal('float32');
  expect(t.shape, `${label}: shape`).to.deep.equal(shape);
  const data = t.dataSync();
  // The backing data must be a Float32Array (a cast from bool would leave a Uint8Array on cpu).
  expect(data, `${label}: data`).to.be.instanceOf(Float32Array);
  expect(Array.from(data).every((m) => m === 0 || m === 1), `${label}: only 0 and 1`).to.equal(true);
  return data as Float32Array;
}

describeOnBackends('mask tensor API', () => {
  describe('weightPruning and magnitudeMask', () => {
    for (const [rows, cols] of SHAPES) {
      it(`match the reference on ${rows}x${cols} for every k`, () => {
        const values = randomWeights(rows * cols, rows + 31 * cols, 'coarse');
        const previous = randomMask(rows * cols, rows * cols, 0.25);
        const w = tf.tensor(values, [rows, cols]);
        const m = tf.tensor(previous, [rows, cols]);
        for (const k of KS) {
          const expected = referenceMagnitudeMask(values, k);
          const pruned = weightPruning(w, k);
          expect(pruned.dtype).to.equal('float32');
          expect(pruned.shape).to.deep.equal([rows, cols]);
          expectSameArray(pruned.dataSync(), applyReference(values, expected), `weightPruning k=${k}`);
          const mask = magnitudeMask(w, k, m);
          const data = expectBinaryFloat32(mask, [rows, cols], `magnitudeMask k=${k}`);
          expectSameArray(data, referenceMagnitudeMask(values, k, previous), `magnitudeMask k=${k}`);
          tf.dispose([pruned, mask]);
        }
        expectSameArray(w.dataSync(), values, 'w is unchanged');
        tf.dispose([w, m]);
      });
    }

    it('work on any rank and on int32 weights, always returning float32', () => {
      const values = randomWeights(2 * 3 * 4 * 5, 5, 'normal');
      const w4 = tf.tensor(values, [2, 3, 4, 5]);
      const pruned = weightPruning(w4, 0.5);
      expect(pruned.shape).to.deep.equal([2, 3, 4, 5]);
      expectSameArray(pruned.dataSync(), applyReference(values, referenceMagnitudeMask(values, 0.5)), 'rank 4');
      const wi = tf.tensor1d([3, -1, 2, -5], 'int32');
      const maskI = magnitudeMask(wi, 0.5);
      expect(Array.from(expectBinaryFloat32(maskI, [4], 'int32 mask'))).to.deep.equal([1, 0, 0, 1]);
      const prunedI = weightPruning(wi, 0.25);
      expect(prunedI.dtype).to.equal('float32');
      expect(Array.from(prunedI.dataSync())).to.deep.equal([3, 0, 2, -5]);
      tf.dispose([w4, pruned, wi, maskI, prunedI]);
    });

    it('accept a current mask cast from bool (Uint8Array-backed on cpu)', () => {
      const w = tf.tensor1d([5, 4, 3, 2, 1, 0.5]);
      const previous = tf.tidy(() => tf.cast(tf.tensor1d([0, 1, 1, 1, 1, 1]).greater(0), 'float32'));
      const mask = magnitudeMask(w, 0.5, previous);
      expect(Array.from(expectBinaryFloat32(mask, [6], 'mask'))).to.deep.equal([0, 1, 1, 1, 0, 0]);
      tf.dispose([w, previous, mask]);
    });
  });

  describe('unitPruning and unitMask', () => {
    for (const [rows, cols] of SHAPES) {
      it(`match the reference on ${rows}x${cols} for every k`, () => {
        const values = randomWeights(rows * cols, 3 * rows + cols, 'normal');
        // A previous mask with unit-pruned columns and scattered weight zeros.
        const scattered = randomMask(rows * cols, 8, 0.2);
        const previous = referenceUnitMask(values, rows, cols, 0.3).map((v, i) => v * scattered[i]);
        const w = tf.tensor(values, [rows, cols]);
        const m = tf.tensor(previous, [rows, cols]);
        for (const k of KS) {
          const expected = referenceUnitMask(values, rows, cols, k);
          const pruned = unitPruning(w, k);
          expect(pruned.dtype).to.equal('float32');
          expectSameArray(pruned.dataSync(), applyReference(values, expected), `unitPruning k=${k}`);
          expect(countZeroColumns(pruned.dataSync(), rows, cols)).to.be.at.least(Math.round(k * cols));
          const mask = unitMask(w, k, m);
          const data = expectBinaryFloat32(mask, [rows, cols], `unitMask k=${k}`);
          expectSameArray(data, referenceUnitMask(values, rows, cols, k, previous), `unitMask k=${k}`);
          tf.dispose([pruned, mask]);
        }
        expectSameArray(w.dataSync(), values, 'w is unchanged');
        tf.dispose([w, m]);
      });
    }
  });

  describe('repeated mask updates', () => {
    it('leak no tensor over 20 updates, and sparsity only grows', async () => {
      const rows = 64;
      const cols = 32;
      const n = rows * cols;
      for (const select of [magnitudeMask, unitMask]) {
        const w = tf.tidy(() => tf.variable(tf.tensor(randomWeights(n, 42, 'normal'), [rows, cols])));
        const maskVar = tf.tidy(() => tf.variable(tf.ones([rows, cols]), false));
        let previous = maskVar.dataSync().slice();
        const counts: number[] = [];
        await expectNoTensorLeak(() => {
          for (let step = 1; step <= 20; step++) {
            const k = step / 20;
            const next = select(w, k, maskVar);
            maskVar.assign(next);
            next.dispose();
            // Weights move between updates, as in training.
            const moved = tf.tidy(() => w.add(tf.randomNormal([rows, cols], 0, 0.1, 'float32', step)));
            w.assign(moved);
            moved.dispose();
            const current = maskVar.dataSync().slice();
            expectZerosKept(previous, current, `${select.name} step ${step}`);
            previous = current;
            counts.push(tf.memory().numTensors);
          }
        });
        expect(new Set(counts).size, `${select.name}: numTensors per step ${counts}`).to.equal(1);
        expect(countZeros(previous)).to.equal(n);
        tf.dispose([w, maskVar]);
      }
    });

    it('leak no tensor when they throw', async () => {
      const w = tf.tensor2d([[1, 2], [3, 4]]);
      const badMask = tf.tensor2d([[1, 0.5], [1, 1]]);
      await expectNoTensorLeak(() => {
        expect(() => magnitudeMask(w, 0.5, badMask)).to.throw(/currentMask/);
        expect(() => unitMask(w, 2)).to.throw(RangeError);
        expect(() => weightPruning(w, NaN)).to.throw(RangeError);
      });
      tf.dispose([w, badMask]);
    });
  });

  describe('argument errors', () => {
    it('reject a bad k with the same errors as the pure functions', () => {
      const w = tf.tensor2d([[1, 2], [3, 4]]);
      for (const op of [magnitudeMask, unitMask, weightPruning, unitPruning]) {
        expect(() => op(w, -0.5), op.name).to.throw(RangeError, 'k must be a number in [0, 1]; received -0.5');
        expect(() => op(w, 1.5), op.name).to.throw(RangeError, 'received 1.5');
        expect(() => op(w, NaN), op.name).to.throw(RangeError, 'received NaN');
        expect(() => op(w, Infinity), op.name).to.throw(RangeError, 'received Infinity');
        expect(() => op(w, '0.5' as unknown as number), op.name).to.throw(TypeError, '[0, 1]');
        expect(() => op(w, undefined as unknown as number), op.name).to.throw(TypeError, 'received undefined');
      }
      w.dispose();
    });

    it('reject weights holding NaN or Infinity', () => {
      const withNaN = tf.tensor2d([[1, NaN], [3, 4]]);
      const withInf = tf.tensor2d([[1, 2], [-Infinity, 4]]);
      for (const op of [magnitudeMask, unitMask, weightPruning, unitPruning]) {
        expect(() => op(withNaN, 0.5), op.name).to.throw(Error, 'NaN or Infinity; found NaN at flat index 1');
        expect(() => op(withInf, 0.5), op.name).to.throw(Error, 'found -Infinity at flat index 2');
      }
      tf.dispose([withNaN, withInf]);
    });

    it('reject a current mask of the wrong shape or with values other than 0 and 1', () => {
      const w = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
      const transposed = tf.ones([3, 2]);
      const flat = tf.ones([6]);
      const half = tf.tensor2d([[1, 1, 1], [1, 0.5, 1]]);
      for (const op of [magnitudeMask, unitMask]) {
        expect(() => op(w, 0.5, transposed), op.name).to.throw(
          Error,
          'currentMask must have shape [2, 3]; received shape [3, 2]',
        );
        expect(() => op(w, 0.5, flat), op.name).to.throw(Error, 'received shape [6]');
        expect(() => op(w, 0.5, half), op.name).to.throw(Error, 'currentMask must hold only 0 and 1; found 0.5 at flat index 4');
      }
      tf.dispose([w, transposed, flat, half]);
    });

    it('reject unit pruning of a tensor below rank 2, naming w and its rank', () => {
      const rank1 = tf.tensor1d([1, 2, 3]);
      for (const op of [unitMask, unitPruning]) {
        expect(() => op(rank1, 0.5), op.name).to.throw(Error, /^w must be a kernel of rank 2 or more.*received rank 1 \(shape \[3\]\)/);
      }
      rank1.dispose();
    });

    it('prune a kernel of higher rank by the units of its last axis, as its [rows, units] reshape', () => {
      const values = randomWeights(5 * 5 * 3 * 8, 41, 'normal');
      const conv = tf.tensor4d(values, [5, 5, 3, 8]);
      const mask = unitMask(conv, 0.5);
      expect(mask.shape).to.deep.equal([5, 5, 3, 8]);
      expect(Array.from(mask.dataSync())).to.deep.equal(Array.from(selectUnitMask(values, 75, 8, 0.5)));
      tf.dispose([conv, mask]);
    });

    it('reject string tensors', () => {
      const s = tf.tensor1d(['a', 'b']);
      expect(() => magnitudeMask(s, 0.5)).to.throw(TypeError, 'w must be a real-valued tensor (float32, int32 or bool); received dtype string');
      s.dispose();
    });
  });
});
