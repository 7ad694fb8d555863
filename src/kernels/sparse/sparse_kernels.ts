/**
 * The loader of the sparse kernels: instantiates the WebAssembly module that
 * build.ts embeds in spmm_wasm.ts, once per page or process, in Node and in
 * browsers alike (no file to fetch, no `setWasmPaths`). The module has its own
 * memory, apart from TF.js's wasm backend; it grows when a layer's weights
 * need it, and every JS view of it must be taken after the last call that
 * can allocate (`memory.grow` detaches the old buffer).
 */
import { SPMM_WASM_BASE64 } from './spmm_wasm';

/** The functions of assembly/spmm.ts (pointers are byte offsets into `memory`). */
export interface SpmmExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  matVec16(rows: number, idx: number, val: number, bias: number, nOut: number, x: number, y: number, act: number): void;
  matVec32(rows: number, idx: number, val: number, bias: number, nOut: number, x: number, y: number, act: number): void;
  matMat16(rows: number, ends: number, idx: number, val: number, bias: number, nIn: number, nOut: number, x: number,
    batch: number, y: number, act: number, scratch: number): void;
  matMat32(rows: number, ends: number, idx: number, val: number, bias: number, nIn: number, nOut: number, x: number,
    batch: number, y: number, act: number, scratch: number): void;
  anyNonFinite(x: number, n: number): number;
  markNonFinite(x: number, nIn: number, flags: number): number;
  exactRow16(rows: number, idx: number, val: number, bias: number, nOut: number, x: number, flags: number, nBad: number,
    y: number, act: number): void;
  exactRow32(rows: number, idx: number, val: number, bias: number, nOut: number, x: number, flags: number, nBad: number,
    y: number, act: number): void;
}

let loading: Promise<SpmmExports> | undefined;
let loaded: SpmmExports | undefined;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(SPMM_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Loads the sparse kernels' WebAssembly module (once; later calls return the
 * same promise). {@link toSparseModel} calls it: call it yourself only to
 * check early that the platform runs it. Rejects where WebAssembly or its
 * SIMD instructions are missing (Node >= 16.4, Chrome >= 91, Firefox >= 89,
 * Safari >= 16.4 have both).
 *
 * ```js
 * await loadSparseKernels(); // throws on a browser without WebAssembly SIMD
 * ```
 */
export function loadSparseKernels(): Promise<void> {
  loading ??= instantiate();
  return loading.then(() => undefined);
}

async function instantiate(): Promise<SpmmExports> {
  if (typeof WebAssembly !== 'object') {
    throw new Error('loadSparseKernels: this platform has no WebAssembly; the sparse kernels need WebAssembly with SIMD.');
  }
  const bytes = wasmBytes();
  if (!WebAssembly.validate(bytes)) {
    throw new Error('loadSparseKernels: this platform\'s WebAssembly lacks SIMD (fixed-width 128-bit), which the ' +
      'sparse kernels need (Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4).');
  }
  const abort = () => {
    throw new Error('tfjs-prune sparse kernels: abort');
  };
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort } }) as WebAssembly.WebAssemblyInstantiatedSource;
  loaded = instance.exports as unknown as SpmmExports;
  return loaded;
}

/** The loaded kernels; throws, naming `caller`, before {@link loadSparseKernels} has resolved. */
export function sparseKernels(caller: string): SpmmExports {
  if (loaded === undefined) {
    throw new Error(`${caller}: the sparse kernels are not loaded; await loadSparseKernels() first ` +
      '(toSparseModel and loadSparseModel do).');
  }
  return loaded;
}
