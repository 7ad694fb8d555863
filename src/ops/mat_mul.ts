import * as tf from '@tensorflow/tfjs-core';
import { customOp, CustomOpSpec, eagerCustomOp, LazyGradients } from './custom_op';
import { computeFloat32 } from './float32_data';

/**
 * Backends whose transposed matMul (`transposeA`/`transposeB`) is far slower
 * than an explicit `tf.transpose` followed by a plain matMul (wasm: see
 * docs/performance.md). Elsewhere the
 * transposed forms are as fast or faster (cpu, webgl and tensorflow fold the
 * transpose into the kernel).
 */
const SLOW_TRANSPOSED_MATMUL_BACKENDS = new Set(['wasm']);

/**
 * `op(a) · op(b)`, where `op` transposes `a` if `transposeA` and `b` unless,
 * in the form that is fastest on the current backend. On wasm the transposes
 * are explicit, and XNNPACK packs the second operand anew for every new
 * tensor, at the cost of dozens of multiply-adds per entry: when `op(a)`
 * has fewer rows than `op(b)` has columns (a training batch by a wider
 * kernel), the product is computed transposed, `(op(b)ᵀ · op(a)ᵀ)ᵀ`, which
 * packs the smaller operand (docs/performance.md, "Training").
 */
function product(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (!SLOW_TRANSPOSED_MATMUL_BACKENDS.has(tf.getBackend())) return tf.matMul(a, b, transposeA, transposeB);
  const rows = transposeA ? a.shape[1] : a.shape[0];
  const columns = transposeB ? b.shape[0] : b.shape[1];
  // `op(t)ᵀ` without transposing twice.
  const opT = (t: tf.Tensor2D, transposed: boolean) => (transposed ? t : tf.transpose(t));
  const op = (t: tf.Tensor2D, transposed: boolean) => (transposed ? tf.transpose(t) : t);
  if (rows < columns) return tf.transpose(tf.matMul(opT(b, transposeB), opT(a, transposeA))) as tf.Tensor2D;
  return tf.matMul(op(a, transposeA), op(b, transposeB));
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

/**
 * Tensors the backward pass needs: the tape keeps copies of those passed to
 * `save` (real copies on wasm). Variables (the layer's kernel and mask) need
 * none: nothing disposes or writes them between the forward and the backward
 * pass, so they are referenced as they are. The masked kernel is not kept at
 * all: only dx needs it, which a first layer never computes.
 */
interface Operands {
  x: tf.Tensor2D;
  kernel: tf.Tensor2D;
  mask: tf.Tensor2D;
}

/** `save`s `x` and whichever of `kernel` and `mask` is not a variable; see {@link Operands}. */
function saveOperands({ x, kernel, mask }: Operands, save: tf.GradSaveFunc): void {
  save([x, kernel, mask].filter((t, i) => i === 0 || !(t instanceof tf.Variable)));
}

/** The operands back from what {@link saveOperands} saved. */
function savedOperands({ kernel, mask }: Operands, saved: tf.Tensor[]): Operands {
  const [x, ...rest] = saved as tf.Tensor2D[];
  return {
    x,
    kernel: kernel instanceof tf.Variable ? kernel : rest.shift()!,
    mask: mask instanceof tf.Variable ? mask : rest.shift()!,
  };
}

function forward(operands: Operands, save: tf.GradSaveFunc): tf.Tensor2D {
  saveOperands(operands, save);
  return product(operands.x, multiply(operands.kernel, operands.mask), false, false);
}

function backward(dy: tf.Tensor, { x, kernel, mask }: Operands): LazyGradients<keyof Operands> {
  const grad = dy as tf.Tensor2D;
  const xTdy = () => product(x, grad, true, false);
  return {
    x: () => product(grad, multiply(kernel, mask), false, true),
    // Multiplying by the 0/1 mask gives exactly 0 where it is 0.
    kernel: () => multiply(xTdy(), mask),
    mask: () => multiply(xTdy(), kernel),
  };
}

/** The op for `operands`, for {@link customOp} or {@link eagerCustomOp}. */
function spec(operands: Operands): CustomOpSpec<keyof Operands> {
  return {
    inputs: { ...operands },
    forward: (save) => forward(operands, save),
    backward: (dy, saved) => backward(dy, savedOperands(operands, saved)),
  };
}

/**
 * {@link maskedMatMul} through `tf.customGrad`, which computes the gradients
 * of all three inputs whether they are needed or not.
 */
export function eagerMaskedMatMul(x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return eagerCustomOp(spec({ x, kernel, mask })) as tf.Tensor2D;
}

/**
 * `x · (kernel ⊙ mask)` for 2-D tensors, with the gradients of that
 * expression: `dx = dy · (kernel ⊙ mask)ᵀ`, `dkernel = (xᵀ · dy) ⊙ mask`
 * (exactly 0 where the mask is 0) and `dmask = (xᵀ · dy) ⊙ kernel`.
 *
 * Faster to train than `tf.matMul` of the masked kernel in two ways: the
 * backward products use the matMul form that is fastest on the current
 * backend (explicit transposes on wasm), and each gradient is computed only
 * when the tape needs it (see {@link customOp}): a first layer does not pay
 * for a `dx` as costly as its forward pass that nothing uses.
 *
 * ```js
 * const y = maskedMatMul(x, kernel, mask); // [batch, inputs] · [inputs, units]
 * ```
 */
export function maskedMatMul(x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return customOp(spec({ x, kernel, mask })) as tf.Tensor2D;
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
