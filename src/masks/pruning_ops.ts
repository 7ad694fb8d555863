/**
 * Tensor API over the pure mask selection: read the weights once with
 * `dataSync()`, select in JS, and build one float32 result tensor.
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

import { checkFraction, checkShape } from './checks';
import { selectMagnitudeMask, selectUnitMask } from './mask_selection';

/** Reads a real-valued tensor as a Float32Array (shared with the backend when already one: never written). */
function readFloat32(t: tf.Tensor, name: string): Float32Array {
  if (t.dtype === 'string' || t.dtype === 'complex64') {
    throw new TypeError(
      `${name} must be a real-valued tensor (float32, int32 or bool); received dtype ${t.dtype}`,
    );
  }
  const data = t.dataSync();
  // The cpu backend may hold a Uint8Array or Int32Array even behind a float32
  // tensor (see tf.cast from bool), so test the array, not the dtype.
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/** Checks that a kernel is rank 2 and returns its [rows, cols]. */
function kernelShape(w: tf.Tensor): [number, number] {
  if (w.rank !== 2) {
    throw new Error(
      `w must be a rank-2 kernel [inputs, units] for unit pruning; received rank ${w.rank} ` +
        `(shape [${w.shape.join(', ')}])`,
    );
  }
  const shape = w.shape as number[];
  return [shape[0], shape[1]];
}

/** Returns `values * mask` for a 0/1 mask; `+ 0` makes pruned entries 0 rather than -0. */
function applyMask(values: Float32Array, mask: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * mask[i] + 0;
  return out;
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
  checkFraction(k);
  if (currentMask !== undefined) checkShape(currentMask.shape, w.shape, 'currentMask');
  const values = readFloat32(w, 'w');
  const previous = currentMask === undefined ? undefined : readFloat32(currentMask, 'currentMask');
  return tf.tensor(selectMagnitudeMask(values, k, previous), w.shape, 'float32');
}

/**
 * Unit-pruning mask for a rank-2 kernel `w` of shape `[inputs, units]`: the
 * `max(round(k * units), alreadyPrunedUnits)` columns of smallest L2 norm (of
 * `w * currentMask`) are all 0; the result is ANDed with `currentMask`.
 * See {@link selectUnitMask}.
 *
 * @param w Rank-2 kernel, units as columns.
 * @param k Target fraction of units to prune, in [0, 1].
 * @param currentMask Optional 0/1 mask of `w`'s shape; its zeros stay zero.
 * @returns A new float32 tensor of `w`'s shape; the caller owns (and disposes) it.
 * @throws Error if `w` is not rank 2.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d([[1, 0.1, 3], [1, 0.1, 3]]);
 * unitMask(w, 1 / 3).print(); // [[1, 0, 1], [1, 0, 1]]
 * ```
 */
export function unitMask(w: tf.Tensor, k: number, currentMask?: tf.Tensor): tf.Tensor {
  const [rows, cols] = kernelShape(w);
  checkFraction(k);
  if (currentMask !== undefined) checkShape(currentMask.shape, w.shape, 'currentMask');
  const values = readFloat32(w, 'w');
  const previous = currentMask === undefined ? undefined : readFloat32(currentMask, 'currentMask');
  return tf.tensor(selectUnitMask(values, rows, cols, k, previous), w.shape, 'float32');
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
  checkFraction(k);
  const values = readFloat32(w, 'w');
  const pruned = applyMask(values, selectMagnitudeMask(values, k));
  return tf.tensor(pruned, w.shape, 'float32');
}

/**
 * Unit pruning: rank-2 `w` (`[inputs, units]`) with the `round(k * units)`
 * columns of smallest L2 norm set to 0 (ties: lower column first). TF.js
 * version of `unit_pruning` from the Stack Overflow answer "How to implement
 * neural network pruning?"; returns a new tensor instead of assigning to `w`.
 *
 * @param w Rank-2 kernel, units as columns.
 * @param k Fraction of units to prune, in [0, 1].
 * @returns A new float32 tensor of `w`'s shape; `w` is unchanged.
 * @throws Error if `w` is not rank 2.
 *
 * @example
 * ```ts
 * const w = tf.tensor2d([[1, 0.1, 3], [1, 0.1, 3]]);
 * unitPruning(w, 1 / 3).print(); // [[1, 0, 3], [1, 0, 3]]
 * ```
 */
export function unitPruning(w: tf.Tensor, k: number): tf.Tensor {
  const [rows, cols] = kernelShape(w);
  checkFraction(k);
  const values = readFloat32(w, 'w');
  const pruned = applyMask(values, selectUnitMask(values, rows, cols, k));
  return tf.tensor(pruned, w.shape, 'float32');
}
