/**
 * A replacement for TF.js's gradient of `FusedBatchNorm` (every
 * BatchNormalization layer), whose gradient with respect to the input tiles
 * the per-channel factor to the input's full shape before multiplying: on
 * wasm, whose `Tile` is slow, that copy was the largest kernel of the
 * study's residual CNN's training step. Broadcasting computes the same values
 * without it. The other gradients (mean, variance, scale, offset) are
 * TF.js's own. Stock layers reach the gradient only through a registration:
 * it is the user's choice, made once, and undone by the function it returns.
 */

import * as tf from '@tensorflow/tfjs-core';

const KERNEL = 'FusedBatchNorm';

/**
 * Registers a `FusedBatchNorm` gradient that broadcasts its per-channel
 * factor instead of tiling it: the same gradients as TF.js's, on every
 * backend, with one full-size temporary fewer per BatchNormalization layer
 * and step. Returns the function that registers TF.js's gradient again.
 *
 * ```ts
 * const restore = registerBatchNormGrad();
 * await model.fit(xs, ys);
 * restore(); // back to TF.js's own gradient
 * ```
 */
export function registerBatchNormGrad(): () => void {
  const previous = tf.getGradient(KERNEL);
  if (previous === undefined) throw new Error(`registerBatchNormGrad: TF.js registers no gradient for '${KERNEL}'`);
  tf.registerGradient({
    ...previous,
    gradFunc: (dy, saved, attrs) => {
      const stock = previous.gradFunc(dy, saved, attrs);
      const [x, , variance, scale] = saved;
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      return {
        ...stock,
        // dy · scale / sqrt(variance + ε), the factor broadcast along the channel axis (TF.js tiles it first).
        x: () => {
          const factor = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
          return tf.reshape(tf.mul(tf.mul(dy as tf.Tensor, factor), scale ?? tf.scalar(1)), x.shape);
        },
      };
    },
  });
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    tf.registerGradient(previous);
  };
}
