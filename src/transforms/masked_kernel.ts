import * as tf from '@tensorflow/tfjs-core';

/**
 * `kernel ⊙ mask`, the kernel a PrunableDense computes with, with every
 * pruned entry +0. A plain product makes -0 of each pruned negative weight:
 * equal to 0, but its sign bit breaks the runs of zero bytes that gzip
 * compresses in a saved weights.bin (and float16 keeps it), so a stripped
 * model's file would compress markedly worse (see bench/size.ts).
 *
 * ```ts
 * maskedKernel(tf.tensor([-2, 3]), tf.tensor([0, 1])); // [0, 3], not [-0, 3]
 * ```
 */
export function maskedKernel(kernel: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  // x + 0 is x for every x but -0, which becomes +0.
  return tf.tidy(() => tf.add(tf.mul(kernel, mask), tf.scalar(0)));
}
