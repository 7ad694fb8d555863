import * as tf from '@tensorflow/tfjs-core';

/** The gradient of each input by name, each computed only if the tape calls it. */
export type LazyGradients<N extends string> = Record<N, () => tf.Tensor>;

/** An op with a gradient of its own, for {@link customOp}. */
export interface CustomOpSpec<N extends string> {
  /** The op's inputs by name: the gradients are matched to them. */
  inputs: Record<N, tf.Tensor>;
  /**
   * Computes the output; `save` keeps tensors for the backward pass (the
   * tape keeps a reference to each: save what `backward` needs, and not
   * variables, which nothing changes between the forward and the backward pass).
   */
  forward(save: tf.GradSaveFunc): tf.Tensor;
  /** The gradients of the inputs for the output gradient `dy`, from what `forward` saved. */
  backward(dy: tf.Tensor, saved: tf.Tensor[]): LazyGradients<N>;
}

/** The engine entry point behind `tf.customGrad`; unlike customGrad it takes lazy gradients. */
interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor;
}

/**
 * Runs `spec` as one op whose gradient is `spec.backward`. Each input's
 * gradient is computed only when the tape needs it: `tf.customGrad` would
 * compute all of them, so a model's first layer would pay for an input
 * gradient that nothing uses, as costly as its forward pass. The engine's
 * custom-kernel entry point (the one customGrad calls) takes one function per
 * input and calls only those on the path to the variables being trained.
 * Without that entry point (a future tfjs-core), {@link eagerCustomOp}.
 *
 * ```ts
 * const y = customOp({inputs: {x}, forward: () => tf.square(x), backward: (dy) => ({x: () => tf.mul(dy, tf.mul(x, 2))})});
 * ```
 */
export function customOp<N extends string>(spec: CustomOpSpec<N>): tf.Tensor {
  const engine = tf.engine() as unknown as Partial<KernelFuncEngine>;
  if (typeof engine.runKernelFunc !== 'function') return eagerCustomOp(spec);
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => spec.forward(save),
    backwardsFunc: (dy, saved) => spec.backward(dy, saved),
    inputs: spec.inputs,
  });
}

/**
 * {@link customOp} through `tf.customGrad`, which computes the gradients of
 * all inputs whether they are needed or not.
 */
export function eagerCustomOp<N extends string>(spec: CustomOpSpec<N>): tf.Tensor {
  const names = Object.keys(spec.inputs) as N[];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return {
      value: spec.forward(save),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const gradients = spec.backward(dy, saved);
        return names.map((name) => gradients[name]());
      },
    };
  });
  return op(...names.map((name) => spec.inputs[name]));
}
