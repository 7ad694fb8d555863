/**
 * Tensor API over the pure mask selection: read the weights once, select in
 * JS, and write one float32 result tensor, in place in backend memory where
 * the backend allows it (see `../ops/float32_data`).
 *
 * TF.js versions of `weight_pruning` and `unit_pruning` from the Stack
 * Overflow answer to "How to implement neural network pruning?" (TensorFlow,
 * `tf.nn.top_k` + `tf.scatter_nd_update`). Differences: selection is O(n)
 * instead of a top-k sort, results are new tensors instead of an in-place
 * `assign`, and the count uses `Math.round` (halves up) where the answer's
 * `tf.round` rounds halves to even.
 *
 * Results are always built from a Float32Array, never with
 * `tf.cast(boolTensor, 'float32')`: on the cpu backend that keeps a Uint8Array
 * behind a float32 tensor, and a variable assigned from it saves corrupt weights.
 */

import * as tf from '@tensorflow/tfjs-core';

import { checkFraction, checkShape, checkTensor } from '../checks';
import { computeFloat32, NamedTensor } from '../ops/float32_data';
import { writeMagnitudeMask, writeUnitMask } from './mask_selection';
import { unitLayout, UnitLayout } from './unit_layout';

/** The layout of a kernel whose last axis indexes its units; throws below rank 2. */
function kernelLayout(w: tf.Tensor): UnitLayout {
  if (w.rank < 2) {
    throw new Error(
      `w must be a kernel of rank 2 or more, its units on the last axis, for unit pruning; received rank ${w.rank} ` +
        `(shape [${w.shape.join(', ')}])`,
    );
  }
  return unitLayout(w.shape, [-1]);
}

/** Multiplies `values` into the 0/1 `mask` in place; `+ 0` makes pruned entries 0 rather than -0. */
function applyMask(mask: Float32Array, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) mask[i] = values[i] * mask[i] + 0;
}

/**
 * The tensor inputs of a mask selection, `w` and `currentMask` when given,
 * each checked; for arrays, the pure functions take the values.
 */
function selectionInputs(w: unknown, currentMask: unknown, arrays: string): NamedTensor[] {
  const hint = ` For arrays of values, use ${arrays}.`;
  checkTensor(w, 'w', hint);
  const inputs = [{ tensor: w, name: 'w' }];
  if (currentMask !== undefined) {
    checkTensor(currentMask, 'currentMask', hint);
    checkShape(currentMask.shape, w.shape, 'currentMask');
    inputs.push({ tensor: currentMask, name: 'currentMask' });
  }
  return inputs;
}

/**
 * Magnitude-pruning mask for `w`: 0 for the `max(round(k * size), alreadyPruned)`
 * entries of smallest |w| (entries pruned in `currentMask` first, then ties by
 * lower flat index), 1 elsewhere. See {@link selectMagnitudeMask}.
 *
 * @param w Weights of any shape and a real dtype (non-float32 values are converted).
 * @param k Target sparsity in [0, 1].
 * @param currentMask Optional 0/1 mask of `w`'s shape; its zeros stay zero.
 * @returns A new float32 tensor of `w`'s shape; the caller owns (and disposes) it.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d([[0.3, -0.1], [0.5, 0.2]]);
 * magnitudeMask(w, 0.5).print(); // [[1, 0], [1, 0]]
 * ```
 */
export function magnitudeMask(w: tf.Tensor, k: number, currentMask?: tf.Tensor): tf.Tensor {
  const inputs = selectionInputs(w, currentMask, 'selectMagnitudeMask');
  checkFraction(k);
  return computeFloat32(w.shape, inputs, (out, values, previous) => {
    writeMagnitudeMask(out, values, k, previous);
  });
}

/**
 * Unit-pruning mask for a kernel `w` whose last axis indexes its units (a
 * Dense kernel `[inputs, units]`, a Conv2D kernel `[kh, kw, in, filters]`):
 * the `max(round(k * units), alreadyPrunedUnits)` units of smallest L2 norm
 * (of `w * currentMask`) are all 0; the result is ANDed with `currentMask`.
 * See {@link selectUnitMask}.
 *
 * @param w Kernel of rank 2 or more, units on the last axis.
 * @param k Target fraction of units to prune, in [0, 1].
 * @param currentMask Optional 0/1 mask of `w`'s shape; its zeros stay zero.
 * @returns A new float32 tensor of `w`'s shape; the caller owns (and disposes) it.
 * @throws Error if `w` is of rank below 2.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d([[1, 0.1, 3], [1, 0.1, 3]]);
 * unitMask(w, 1 / 3).print(); // [[1, 0, 1], [1, 0, 1]]
 * ```
 */
export function unitMask(w: tf.Tensor, k: number, currentMask?: tf.Tensor): tf.Tensor {
  const inputs = selectionInputs(w, currentMask, 'selectUnitMask');
  const layout = kernelLayout(w);
  checkFraction(k);
  return computeFloat32(w.shape, inputs, (out, values, previous) => {
    writeUnitMask(out, values, layout, k, previous);
  });
}

/**
 * Weight pruning: `w` with its `round(k * size)` smallest-|w| entries set to 0
 * (ties: lower flat index first). TF.js version of `weight_pruning` from the
 * Stack Overflow answer "How to implement neural network pruning?"; returns a
 * new tensor instead of assigning to `w`.
 *
 * @param w Weights of any shape and a real dtype.
 * @param k Fraction of weights to prune, in [0, 1].
 * @returns A new float32 tensor of `w`'s shape; `w` is unchanged.
 *
 * @example
 * ```ts
 * const w = tf.tensor1d([0.3, -0.1, 0.5, 0.2]);
 * weightPruning(w, 0.5).print(); // [0.3, 0, 0.5, 0]
 * ```
 */
export function weightPruning(w: tf.Tensor, k: number): tf.Tensor {
  const inputs = selectionInputs(w, undefined, 'selectMagnitudeMask');
  checkFraction(k);
  return computeFloat32(w.shape, inputs, (out, values) => {
    applyMask(writeMagnitudeMask(out, values, k), values);
  });
}

/**
 * Unit pruning: `w` (units on its last axis, as in {@link unitMask}) with the
 * `round(k * units)` units of smallest L2 norm set to 0 (ties: lower unit first). TF.js
 * version of `unit_pruning` from the Stack Overflow answer "How to implement
 * neural network pruning?"; returns a new tensor instead of assigning to `w`.
 *
 * @param w Kernel of rank 2 or more, units on the last axis.
 * @param k Fraction of units to prune, in [0, 1].
 * @returns A new float32 tensor of `w`'s shape; `w` is unchanged.
 * @throws Error if `w` is of rank below 2.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d([[1, 0.1, 3], [1, 0.1, 3]]);
 * unitPruning(w, 1 / 3).print(); // [[1, 0, 3], [1, 0, 3]]
 * ```
 */
export function unitPruning(w: tf.Tensor, k: number): tf.Tensor {
  const inputs = selectionInputs(w, undefined, 'selectUnitMask');
  const layout = kernelLayout(w);
  checkFraction(k);
  return computeFloat32(w.shape, inputs, (out, values) => {
    applyMask(writeUnitMask(out, values, layout, k), values);
  });
}
