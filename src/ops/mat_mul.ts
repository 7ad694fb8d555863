import * as tf from '@tensorflow/tfjs-core';

/**
 * Backends whose transposed matMul (`transposeA`/`transposeB`) is far slower
 * than an explicit `tf.transpose` followed by a plain matMul: on wasm about
 * 7x (measured, see docs/performance.md). Elsewhere the transposed forms are
 * as fast or faster (cpu, webgl, tensorflow fold the transpose into the kernel).
 */
const SLOW_TRANSPOSED_MATMUL_BACKENDS = new Set(['wasm']);

function matMulGradWith(explicitTranspose: boolean) {
  // customGrad passes the inputs and then `save` through one rest parameter.
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as tf.Tensor2D[];
        const grad = dy as tf.Tensor2D;
        return explicitTranspose
          ? [tf.matMul(grad, tf.transpose(sb)), tf.matMul(tf.transpose(sa), grad)]
          : [tf.matMul(grad, sb, false, true), tf.matMul(sa, grad, true, false)];
      },
    };
  });
}

const matMulExplicitTranspose = matMulGradWith(true);
const matMulTransposedFlags = matMulGradWith(false);

/**
 * `a · b` for 2-D tensors, with the same value and gradients as `tf.matMul`,
 * but whose backward pass uses the form that is fastest on the current
 * backend: `dA = dy · bᵀ`, `dB = aᵀ · dy`.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = SLOW_TRANSPOSED_MATMUL_BACKENDS.has(tf.getBackend())
    ? matMulExplicitTranspose
    : matMulTransposedFlags;
  return op(a, b) as tf.Tensor2D;
}

/**
 * `x · w` over the last axis of `x` (rank >= 2), as Dense computes it:
 * leading axes are flattened into a batch and restored afterwards.
 */
export function denseDot(x: tf.Tensor, w: tf.Tensor2D): tf.Tensor {
  const [inputDim, units] = w.shape;
  if (x.rank === 2) return matMul2d(x as tf.Tensor2D, w);
  const flat = tf.reshape(x, [-1, inputDim]) as tf.Tensor2D;
  return tf.reshape(matMul2d(flat, w), [...x.shape.slice(0, -1), units]);
}
