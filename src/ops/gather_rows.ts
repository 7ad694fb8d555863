import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom_op';

/**
 * `tf.gather(table, indices)` (rows of a `[rows, columns]` table, as an
 * Embedding looks its tokens up), with a gradient every backend can
 * compute: the output gradient's rows summed into the rows they came from
 * by `tf.scatterND`, which adds duplicate indices. TF.js's own gradient of
 * gather is `UnsortedSegmentSum`, which the wasm backend lacks, so
 * `tf.layers.embedding` cannot train there. A scatter costs one pass over
 * the gradient, where a one-hot product would cost rows times as much.
 *
 * ```ts
 * const rows = gatherRows(embeddings, tf.tensor1d([3, 1, 3], 'int32')); // [3, columns]
 * ```
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return customOp({
    inputs: { table },
    forward: (save) => {
      // The indices are no input of the op (they get no gradient): saved, so that the tape keeps them.
      save([indices]);
      return tf.gather(table, indices);
    },
    backward: (dy, [saved]) => ({
      table: () => tf.scatterND(tf.expandDims(saved, 1), dy, table.shape),
    }),
  }) as tf.Tensor2D;
}
