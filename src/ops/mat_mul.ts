import * as tf from '@tensorflow/tfjs-core';
import { computeFloat32 } from './float32_data';

/**
 * Backends whose transposed matMul (`transposeA`/`transposeB`) is far slower
 * than an explicit `tf.transpose` followed by a plain matMul (wasm: see
 * /work/shared/tfjs-notes.md and docs/performance.md). Elsewhere the
 * transposed forms are as fast or faster (cpu, webgl and tensorflow fold the
 * transpose into the kernel).
 */
const SLOW_TRANSPOSED_MATMUL_BACKENDS = new Set(['wasm']);

/** `aᵀ · b` (`transposeA`) or `a · bᵀ`, in the form that is fastest on the current backend. */
function matMulTransposed(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean): tf.Tensor2D {
  if (!SLOW_TRANSPOSED_MATMUL_BACKENDS.has(tf.getBackend())) return tf.matMul(a, b, transposeA, !transposeA);
  return transposeA ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, tf.transpose(b));
}

/**
 * `a ⊙ b` for same-shape float tensors. On the cpu backend in a plain loop
 * over the backend's own arrays: its Multiply kernel goes through a generic
 * broadcasting path (a modulo and a function call per element), slow enough
 * for the two mask products per layer to show in a cpu training step next to
 * tf.layers.dense (bench/train.ts). The float32 product of float32 values
 * rounds the same either way.
 */
function multiply(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'cpu') return tf.mul(a, b);
  const inputs = [{ tensor: a, name: 'a' }, { tensor: b, name: 'b' }];
  return computeFloat32(a.shape, inputs, (out, x, y) => {
    for (let i = 0; i < out.length; i++) out[i] = x[i] * y[i];
  }) as tf.Tensor2D;
}

/** Gradients by input name, each computed only if called. */
interface MaskedMatMulGradients {
  x: () => tf.Tensor;
  kernel: () => tf.Tensor;
  mask: () => tf.Tensor;
}

function forward(x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D, save: tf.GradSaveFunc): tf.Tensor2D {
  const effective = multiply(kernel, mask);
  save([x, kernel, mask, effective]);
  return tf.matMul(x, effective);
}

function backward(dy: tf.Tensor, saved: tf.Tensor[]): MaskedMatMulGradients {
  const [x, kernel, mask, effective] = saved as tf.Tensor2D[];
  const grad = dy as tf.Tensor2D;
  const xTdy = () => matMulTransposed(x, grad, true);
  return {
    x: () => matMulTransposed(grad, effective, false),
    // Multiplying by the 0/1 mask gives exactly 0 where it is 0.
    kernel: () => multiply(xTdy(), mask),
    mask: () => multiply(xTdy(), kernel),
  };
}

/** The engine entry point behind `tf.customGrad`; unlike customGrad it takes lazy gradients. */
interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => MaskedMatMulGradients;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor;
}

const eagerOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, kernel, mask, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  return {
    value: forward(x, kernel, mask, save),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const gradients = backward(dy, saved);
      return [gradients.x(), gradients.kernel(), gradients.mask()];
    },
  };
});

/**
 * {@link maskedMatMul} through `tf.customGrad`, which computes the gradients
 * of all three inputs whether they are needed or not: the fallback for an
 * engine without `runKernelFunc`.
 */
export function eagerMaskedMatMul(x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return eagerOp(x, kernel, mask) as tf.Tensor2D;
}

/**
 * `x · (kernel ⊙ mask)` for 2-D tensors, with the gradients of that
 * expression: `dx = dy · (kernel ⊙ mask)ᵀ`, `dkernel = (xᵀ · dy) ⊙ mask`
 * (exactly 0 where the mask is 0) and `dmask = (xᵀ · dy) ⊙ kernel`.
 *
 * Faster to train than `tf.matMul` of the masked kernel in two ways: the
 * backward products use the matMul form that is fastest on the current
 * backend (explicit transposes on wasm), and each gradient is computed only
 * when the tape needs it. `tf.customGrad` would compute all of them, so the
 * first layer of a model would pay for a `dx` as costly as its forward pass
 * that nothing uses; the engine's custom-kernel entry point (the one
 * customGrad calls) takes one function per input and calls only those on the
 * path to the variables being trained.
 *
 * ```js
 * const y = maskedMatMul(x, kernel, mask); // [batch, inputs] · [inputs, units]
 * ```
 */
export function maskedMatMul(x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  const engine = tf.engine() as unknown as Partial<KernelFuncEngine>;
  if (typeof engine.runKernelFunc !== 'function') return eagerMaskedMatMul(x, kernel, mask);
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => forward(x, kernel, mask, save),
    backwardsFunc: backward,
    inputs: { x, kernel, mask },
  }) as tf.Tensor2D;
}

/**
 * `x · (kernel ⊙ mask)` over the last axis of `x` (rank >= 2), as Dense
 * computes `x · kernel`: leading axes are flattened into a batch and restored
 * afterwards.
 *
 * ```js
 * const y = maskedDenseDot(tf.ones([2, 5, 784]), kernel, mask); // shape [2, 5, units]
 * ```
 */
export function maskedDenseDot(x: tf.Tensor, kernel: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor {
  const [inputDim, units] = kernel.shape;
  if (x.rank === 2) return maskedMatMul(x as tf.Tensor2D, kernel, mask);
  const flat = tf.reshape(x, [-1, inputDim]) as tf.Tensor2D;
  return tf.reshape(maskedMatMul(flat, kernel, mask), [...x.shape.slice(0, -1), units]);
}
