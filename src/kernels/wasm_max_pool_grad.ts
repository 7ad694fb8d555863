/**
 * A replacement for the wasm backend's `MaxPoolGrad` kernel (the gradient of
 * every max pooling layer), which TF.js 4.22 computes wrongly and slowly. It
 * starts each window's running maximum at FLT_MIN instead of -Infinity, so a
 * window whose values are all <= 0 loses its gradient (the window holding the
 * tensor's first element sends it there instead): harmless after a ReLU,
 * wrong where pooling sees negative values (after BatchNormalization, or
 * before the activation). On ties it picks the last maximum, where cpu and
 * TensorFlow pick the first. It is also slow: bench:train times it against
 * {@link maxPoolBackprop}. Stock layers call the kernel, so only a
 * registration reaches them: it is the user's choice, made once, and undone
 * by the function it returns.
 */

import * as tf from '@tensorflow/tfjs-core';
import { asHeapBackend } from '../ops/float32_data';
import { maxPoolBackprop } from '../ops/max_pool_backprop';

const KERNEL = 'MaxPoolGrad';
const BACKEND = 'wasm';

/** The kernel: TF.js's inputs and attributes, the gradient computed in place in the wasm heap. */
function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const heap = asHeapBackend(backend);
  if (heap === undefined) throw new Error(`registerWasmMaxPoolGrad's kernel runs on the wasm backend only`);
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const windows = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides,
    1, pad, dimRoundingMode);
  const dx = heap.makeOutput(input.shape, 'float32');
  // Views of the heap taken after the allocation, which can move it.
  const read = (info: tf.TensorInfo) => heap.typedArrayFromHeap(info) as Float32Array;
  maxPoolBackprop(read(input), read(dy), read(dx), windows);
  return dx;
}

/**
 * Registers, for the wasm backend, a `MaxPoolGrad` kernel that sends each
 * window's gradient to its first maximum, as cpu and TensorFlow do, for any
 * window values. Every max pooling layer and `tf.maxPool` then trains right
 * (and faster) on wasm. Call it after importing `@tensorflow/tfjs-backend-wasm`;
 * the function it returns registers TF.js's kernel again.
 *
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * const restore = registerWasmMaxPoolGrad();
 * await model.fit(xs, ys);
 * restore(); // back to TF.js's own kernel
 * ```
 */
export function registerWasmMaxPoolGrad(): () => void {
  const previous = tf.getKernel(KERNEL, BACKEND);
  if (previous === undefined) {
    throw new Error(`registerWasmMaxPoolGrad: no '${KERNEL}' kernel is registered for the '${BACKEND}' backend; ` +
      `import '@tensorflow/tfjs-backend-wasm' first`);
  }
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: maxPoolGrad });
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    tf.unregisterKernel(KERNEL, BACKEND);
    tf.registerKernel(previous);
    // A backend set up while this kernel was registered never ran the previous kernel's setup.
    const wasm = tf.engine().registry[BACKEND];
    if (wasm !== undefined) previous.setupFunc?.(wasm);
  };
}
