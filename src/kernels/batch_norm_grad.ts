/**
 * A replacement for TF.js's gradient of `FusedBatchNorm` (every
 * BatchNormalization layer). TF.js's computes each of its five gradients
 * apart: it tiles the per-channel factor of the input's gradient to the
 * input's full shape (wasm's `Tile` is slow), and its mean, variance and
 * scale gradients each multiply full-size tensors of their own before
 * reducing them. The gradients share two reductions, sum(dy) and
 * sum(dy · (x − mean)); computed once, with per-channel factors folded
 * before they meet full-size tensors, a layer's backward pass makes three
 * full-size products and two reductions where TF.js's makes nine and four.
 * Stock layers reach the gradient only through a registration: it is the
 * user's choice, made once, and undone by the function it returns.
 */

import * as tf from '@tensorflow/tfjs-core';

const KERNEL = 'FusedBatchNorm';

/**
 * Registers a `FusedBatchNorm` gradient that computes TF.js's values with
 * fewer full-size temporaries (see the file's comment), on every backend.
 * Returns the function that registers TF.js's gradient again.
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
      const [x, mean, variance, scale] = saved;
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      const g = dy as tf.Tensor;
      // The axes the per-channel statistics broadcast along (none when they are full-size).
      const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const reduce = (t: tf.Tensor) => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
      const gamma = scale ?? tf.scalar(1);
      const rsqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      // d/d(offset) = sum(dy); d/d(scale) = rsqrt · sum(dy · (x − mean)): the other gradients scale these.
      const sumDy = reduce(g);
      const sumDyCentered = reduce(tf.mul(g, tf.sub(x, mean)));
      const gammaRsqrt = tf.mul(gamma, rsqrtVariance);
      return {
        x: () => tf.reshape(tf.mul(g, gammaRsqrt), x.shape),
        mean: () => tf.neg(tf.mul(gammaRsqrt, sumDy)),
        variance: () => tf.mul(tf.mul(tf.mul(gammaRsqrt, tf.square(rsqrtVariance)), tf.scalar(-0.5)), sumDyCentered),
        scale: () => tf.reshape(tf.mul(rsqrtVariance, sumDyCentered), (scale ?? mean).shape),
        offset: () => sumDy,
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
