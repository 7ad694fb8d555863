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
  /** The input row of matVec16, where the caller writes it. */
  inputRow(): number;
  matVec16(rows: number, idx: number, val: number, bias: number, nOut: number, y: number, act: number): void;
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

/** What to do where the kernels cannot run, for the loader's errors. */
const RUN_DENSE = 'predict with the dense model there (the model toSparseModel was given): it computes the same outputs';

/** Platforms with WebAssembly SIMD, for the loader's errors. */
const SIMD_PLATFORMS = 'Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4';

async function instantiate(): Promise<SpmmExports> {
  if (typeof WebAssembly !== 'object') {
    throw new Error(`loadSparseKernels: this platform has no WebAssembly, which the sparse kernels need (with SIMD: ${SIMD_PLATFORMS}); ` +
      `${RUN_DENSE}.`);
  }
  const bytes = wasmBytes();
  if (!WebAssembly.validate(bytes)) {
    throw new Error('loadSparseKernels: this platform\'s WebAssembly rejects the sparse kernels\' module, which needs ' +
      `fixed-width SIMD (${SIMD_PLATFORMS}); ${RUN_DENSE}. On a platform with SIMD, the module is damaged: reinstall ` +
      'tfjs-prune (in a clone of its repository, run npm run build:sparse).');
  }
  let instance: WebAssembly.Instance;
  try {
    ({ instance } = await WebAssembly.instantiate(bytes, { env: { abort } }) as WebAssembly.WebAssemblyInstantiatedSource);
  } catch (error) {
    throw Object.assign(new Error(`loadSparseKernels: WebAssembly could not instantiate the sparse kernels' module ` +
      `(${messageOf(error)}). A page whose Content-Security-Policy limits script-src must allow 'wasm-unsafe-eval'; ` +
      `elsewhere, ${RUN_DENSE}.`), { cause: error });
  }
  loaded = instance.exports as unknown as SpmmExports;
  return loaded;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * AssemblyScript's abort hook: `message` and `file` point to strings in the
 * module's memory (UTF-16, byte length in the 4 bytes before). With
 * `--noAssert` only the allocator calls it, for a block over its size limit.
 */
function abort(message: number, file: number, line: number, column: number): never {
  const text = (ptr: number) => {
    if (loaded === undefined || ptr === 0) return '?';
    const bytes = new Uint32Array(loaded.memory.buffer, ptr - 4, 1)[0];
    return String.fromCharCode(...new Uint16Array(loaded.memory.buffer, ptr, bytes >> 1));
  };
  throw new Error(`the sparse kernels aborted: ${text(message)} (${text(file)}:${line}:${column})`);
}

/**
 * `size` bytes of the kernels' memory, for `owner` (named in the error):
 * an allocation that cannot grow the memory throws a clear error, not
 * WebAssembly's bare `unreachable`.
 */
export function allocKernelMemory(k: SpmmExports, size: number, owner: string): number {
  try {
    return k.alloc(size);
  } catch (error) {
    throw Object.assign(new Error(`${owner}: the sparse kernels' WebAssembly memory (${k.memory.buffer.byteLength} bytes now) ` +
      `could not grow by the ${size} bytes needed (${messageOf(error)}); a WebAssembly memory holds at most 4 GiB, less ` +
      'where the browser limits it. Convert fewer layers (a higher minSparsity) or dispose sparse models no longer used.'),
    { cause: error });
  }
}

/** The loaded kernels; throws, naming `caller`, before {@link loadSparseKernels} has resolved. */
export function sparseKernels(caller: string): SpmmExports {
  if (loaded === undefined) {
    throw new Error(`${caller}: the sparse kernels are not loaded yet; await loadSparseKernels() first ` +
      '(toSparseModel and loadSparseModel do; a SparseDense made by hand needs it).');
  }
  return loaded;
}
