// The baseline of the mask benchmarks: a direct port to TF.js of the two
// functions of the Stack Overflow answer "How to implement neural network
// pruning?" (a copy, in Spanish, is in /work/shared/reference/), line by
// line: tf.nn.top_k on -|w| (or on -norm), then scatter_nd_update. TF.js has
// no scatter into a variable, so tf.tensorScatterUpdate (the same update,
// returning a new tensor) stands in for scatter_nd_update, and the result is
// assigned to `w` as in the answer.
import * as tf from '@tensorflow/tfjs';

/** `k = tf.cast(tf.round(x * k), tf.int32)`, read back to pass to topk. */
function roundedCount(x: number, k: number): number {
  return tf.tidy(() => tf.cast(tf.round(tf.mul(tf.scalar(x), tf.scalar(k))), 'int32').dataSync()[0]);
}

/** weight_pruning(w, k): zeroes the k% entries of smallest |w| and assigns the result to `w`. */
export function soWeightPruning(w: tf.Variable, k: number): tf.Variable {
  const count = roundedCount(w.size, k);
  tf.tidy(() => {
    const wReshaped = tf.reshape(w, [-1]);
    const { indices } = tf.topk(tf.neg(tf.abs(wReshaped)), count, true);
    const mask = tf.tensorScatterUpdate(tf.onesLike(wReshaped), tf.reshape(indices, [-1, 1]), tf.zeros([count], 'float32'));
    w.assign(tf.reshape(tf.mul(wReshaped, mask), w.shape));
  });
  return w;
}

/** unit_pruning(w, k): zeroes the k% columns of smallest L2 norm and assigns the result to `w`. */
export function soUnitPruning(w: tf.Variable, k: number): tf.Variable {
  const [rows, cols] = w.shape;
  const count = roundedCount(cols, k);
  tf.tidy(() => {
    const norm = tf.norm(w, 'euclidean', 0);
    const rowIndices = tf.tile(tf.range(0, rows, 1, 'int32'), [count]);
    const { indices: colIndices } = tf.topk(tf.neg(norm), count, true);
    const tiledColIndices = tf.reshape(tf.tile(tf.reshape(colIndices, [-1, 1]), [1, rows]), [-1]);
    const indices = tf.stack([rowIndices, tiledColIndices], 1);
    w.assign(tf.tensorScatterUpdate(w, indices, tf.zeros([rows * count], 'float32')));
  });
  return w;
}
