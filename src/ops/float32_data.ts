/**
 * Moving tensor data in and out of JS code as Float32Arrays without needless
 * copies. For a 4096 x 4096 kernel each copy is 64 MB: on wasm, `dataSync()`
 * copies the data out of the wasm heap into a fresh array and `tf.tensor()`
 * copies it back, and the first writes to fresh memory fault in every page.
 * Mask selection needs neither copy: it reads its inputs once and writes its
 * output once, so here they are read and written in place in the wasm heap.
 * On cpu, `dataSync()` already returns the backend's own array and
 * `tf.tensor()` keeps the array it is given. Other backends copy as usual.
 */

import * as tf from '@tensorflow/tfjs-core';

/** The wasm backend's (public, but not in tfjs-core's types) access to its heap. */
export interface HeapBackend {
  dataIdMap: { has(dataId: tf.DataId): boolean };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** `backend` as a backend whose tensors live in a readable heap (wasm), or undefined. */
export function asHeapBackend(backend: unknown): HeapBackend | undefined {
  const heap = backend as Partial<HeapBackend>;
  return typeof heap.typedArrayFromHeap === 'function' && typeof heap.makeOutput === 'function' &&
    heap.dataIdMap !== undefined
    ? (heap as HeapBackend)
    : undefined;
}

function heapBackend(): HeapBackend | undefined {
  return asHeapBackend(tf.backend());
}

/** A tensor to read, and its argument name for error messages. */
export interface NamedTensor {
  tensor: tf.Tensor;
  name: string;
}

/** The values of a real-valued tensor as a Float32Array, shared with the backend where possible. */
function float32Values({ tensor, name }: NamedTensor, heap: HeapBackend | undefined): Float32Array {
  if (tensor.dtype === 'string' || tensor.dtype === 'complex64') {
    throw new TypeError(
      `${name} must be a real-valued tensor (float32, int32 or bool); received dtype ${tensor.dtype}`,
    );
  }
  if (heap !== undefined && tensor.dtype === 'float32' && heap.dataIdMap.has(tensor.dataId)) {
    return heap.typedArrayFromHeap(tensor) as Float32Array;
  }
  const data = tensor.dataSync();
  // The cpu backend may hold a Uint8Array or Int32Array even behind a float32
  // tensor (see tf.cast from bool), so test the array, not the dtype.
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/**
 * Calls `read` with the values of `inputs` as Float32Arrays, copied only when
 * the backend or dtype requires it. The arrays may be the backend's own
 * memory: `read` must not write them, nor run TF.js ops (a wasm allocation
 * can move the heap), nor keep them after it returns.
 *
 * ```ts
 * const zeros = readFloat32([{tensor: mask, name: 'mask'}], (m) => m.filter((v) => v === 0).length);
 * ```
 */
export function readFloat32<T>(inputs: readonly NamedTensor[], read: (...values: Float32Array[]) => T): T {
  const heap = heapBackend();
  return read(...inputs.map((input) => float32Values(input, heap)));
}

/**
 * A new float32 tensor of `shape` whose values `compute(out, ...inputs)`
 * writes, every one of them (`out` is not initialized). On wasm `out` is the
 * new tensor's memory in the heap, and the inputs are read in place; the same
 * rules as for {@link readFloat32} apply. If `compute` throws, the new tensor
 * is disposed and the error passes through.
 *
 * ```ts
 * const doubled = computeFloat32(w.shape, [{tensor: w, name: 'w'}], (out, v) => {
 *   for (let i = 0; i < v.length; i++) out[i] = 2 * v[i];
 * });
 * ```
 */
export function computeFloat32(
  shape: number[],
  inputs: readonly NamedTensor[],
  compute: (out: Float32Array, ...values: Float32Array[]) => void,
): tf.Tensor {
  const heap = heapBackend();
  if (heap === undefined) {
    const values = inputs.map((input) => float32Values(input, heap));
    const out = new Float32Array(tf.util.sizeFromShape(shape));
    compute(out, ...values);
    return tf.tensor(out, shape, 'float32');
  }
  // Allocate first: views into the heap taken before an allocation can go stale.
  const result = tf.engine().makeTensorFromTensorInfo(heap.makeOutput(shape, 'float32'));
  try {
    const values = inputs.map((input) => float32Values(input, heap));
    compute(heap.typedArrayFromHeap(result) as Float32Array, ...values);
  } catch (error) {
    result.dispose();
    throw error;
  }
  return result;
}
