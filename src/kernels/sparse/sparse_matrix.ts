/**
 * A layer's weight matrix W [in, out] in the sparse kernels' memory, with
 * the layer's bias and activation, and the product of a batch of inputs by
 * it. The layout (see assembly/spmm.ts) is built once, here; the memory is
 * the kernels' own, held until {@link SparseMatrix.free}.
 */
import { allocKernelMemory, sparseKernels, SpmmExports } from './sparse_kernels';

/** Activations the kernels apply as they write each output. */
export const FUSED_ACTIVATIONS = ['linear', 'relu', 'relu6'] as const;
/** An activation the kernels apply themselves. */
export type FusedActivation = typeof FUSED_ACTIVATIONS[number];

/** Batch items the batched kernel multiplies at once (four SIMD vectors; the remainder by 4). */
const BLOCK = 16;

/** Nonzeros of a row are padded to a multiple of this (one SIMD vector). */
const PAD = 4;

/** Largest input size whose byte offsets (4 x index) fit 16 bits. */
const MAX_U16_INPUTS = 1 << 14;

/** W [in, out] (row-major), by output unit: the padded CSR layout of assembly/spmm.ts, in JS arrays. */
interface RowLayout {
  rows: Uint32Array;
  /** Each row's last real entry + 1 (padding excluded). */
  ends: Uint32Array;
  /** Each entry's input as a byte offset into the input row (4 x its index). */
  idx: Uint16Array | Uint32Array;
  val: Float32Array;
  nonzeros: number;
}

function rowLayout(kernel: Float32Array, nIn: number, nOut: number): RowLayout {
  const counts = new Uint32Array(nOut);
  for (let i = 0; i < nIn; i++) {
    const base = i * nOut;
    for (let o = 0; o < nOut; o++) if (kernel[base + o] !== 0) counts[o]++;
  }
  const rows = new Uint32Array(nOut + 1);
  let nonzeros = 0;
  for (let o = 0; o < nOut; o++) {
    nonzeros += counts[o];
    rows[o + 1] = rows[o] + Math.ceil(counts[o] / PAD) * PAD;
  }
  const size = rows[nOut];
  const idx = nIn <= MAX_U16_INPUTS ? new Uint16Array(size) : new Uint32Array(size);
  const val = new Float32Array(size);
  const next = rows.slice(0, nOut);
  for (let i = 0; i < nIn; i++) {
    const base = i * nOut;
    for (let o = 0; o < nOut; o++) {
      const w = kernel[base + o];
      if (w !== 0) {
        idx[next[o]] = 4 * i;
        val[next[o]++] = w;
      }
    }
  }
  // Padding: value 0 at the row's last real input (a real load; 0 for an empty row).
  for (let o = 0; o < nOut; o++) {
    const last = next[o] > rows[o] ? idx[next[o] - 1] : 0;
    for (let k = next[o]; k < rows[o + 1]; k++) idx[k] = last;
  }
  return { rows, ends: next, idx, val, nonzeros };
}

/**
 * The products' scratch memory (input rows, output rows, packed blocks),
 * shared by every matrix since one product runs at a time: kept from one
 * product to the next (a predict allocates nothing), grown when one needs
 * more, freed with the last matrix.
 */
const scratch = { ptr: 0, bytes: 0, matrices: 0 };

/** A view of the kernels' whole memory, taken again once `memory.grow` has detached it (its length is then 0). */
let heap = new Float32Array(0);

function heapView(k: SpmmExports): Float32Array {
  if (heap.length === 0) heap = new Float32Array(k.memory.buffer);
  return heap;
}

const roundUp16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * W [in, out] in the kernels' memory. Build with {@link SparseMatrix.create};
 * free with {@link SparseMatrix.free}.
 */
export class SparseMatrix {
  /** The nonzero weights. */
  readonly nonzeros: number;
  private readonly k: SpmmExports;
  private readonly wide: boolean;
  private readonly act: number;
  private blocks: number[];

  private constructor(readonly nIn: number, readonly nOut: number, layout: RowLayout, bias: Float32Array | null,
    activation: FusedActivation, private readonly owner: string) {
    this.k = sparseKernels(owner);
    this.nonzeros = layout.nonzeros;
    this.wide = layout.idx instanceof Uint32Array;
    this.act = FUSED_ACTIVATIONS.indexOf(activation);
    // The layout and the bias, in this order: [rows, ends, idx, val, bias].
    const parts = [layout.rows, layout.ends, layout.idx, layout.val, bias ?? new Float32Array(nOut)];
    this.blocks = [];
    try {
      for (const part of parts) this.blocks.push(allocKernelMemory(this.k, Math.max(part.byteLength, 16), owner));
    } catch (error) {
      for (const ptr of this.blocks) this.k.free(ptr);
      throw error;
    }
    scratch.matrices++;
    // Views after the last allocation, which may have grown the memory.
    parts.forEach((part, i) => new Uint8Array(this.k.memory.buffer, this.blocks[i], part.byteLength)
      .set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength)));
  }

  /**
   * W from `kernel`, the dense matrix [nIn, nOut] row-major (a Dense kernel's
   * data, or a 1x1 convolution's), with `bias` [nOut] (or none) and
   * `activation`. `caller` names the owner in errors (kernels not loaded,
   * memory exhausted, use after free).
   */
  static create(kernel: Float32Array, nIn: number, nOut: number, bias: Float32Array | null, activation: FusedActivation,
    caller: string): SparseMatrix {
    return new SparseMatrix(nIn, nOut, rowLayout(kernel, nIn, nOut), bias, activation, caller);
  }

  /** Whether {@link SparseMatrix.free} was called. */
  get freed(): boolean {
    return this.blocks.length === 0;
  }

  /**
   * y = act(x W + bias) for `batch` rows x [batch, nIn] into y [batch, nOut].
   * Inputs that are NaN or infinite give what a dense product gives (NaN where
   * one meets a zero weight). Works in the shared scratch memory, which
   * repeated calls reuse.
   */
  multiply(x: Float32Array, batch: number, y: Float32Array): void {
    if (this.freed) throw new Error(`${this.owner}: its sparse matrix was used after free()`);
    const { k, nIn, nOut } = this;
    const [rows, ends, idx, val, bias] = this.blocks;
    const xBytes = roundUp16(x.byteLength);
    const yBytes = roundUp16(batch * nOut * 4);
    const scratchPtr = this.scratch(xBytes + yBytes + (batch > 1 ? (nIn + nOut) * BLOCK * 4 : 0));
    const yPtr = scratchPtr + xBytes;
    // matVec16 reads its row from a fixed place (see assembly/spmm.ts).
    const xPtr = batch === 1 && !this.wide ? k.inputRow() : scratchPtr;
    heapView(k).set(x, xPtr >> 2);
    if (batch === 1) {
      if (this.wide) k.matVec32(rows, idx, val, bias, nOut, xPtr, yPtr, this.act);
      else k.matVec16(rows, idx, val, bias, nOut, yPtr, this.act);
    } else {
      (this.wide ? k.matMat32 : k.matMat16)(rows, ends, idx, val, bias, nIn, nOut, xPtr, batch, yPtr, this.act, yPtr + yBytes);
    }
    if (k.anyNonFinite(xPtr, x.length)) this.redoNonFiniteRows(xPtr, batch, yPtr);
    y.set(heapView(k).subarray(yPtr >> 2, (yPtr >> 2) + batch * nOut));
  }

  /** The shared scratch memory, at least `bytes` of it. */
  private scratch(bytes: number): number {
    if (bytes > scratch.bytes) {
      if (scratch.ptr !== 0) this.k.free(scratch.ptr);
      scratch.ptr = 0;
      scratch.bytes = 0;
      scratch.ptr = allocKernelMemory(this.k, bytes, this.owner);
      scratch.bytes = bytes;
    }
    return scratch.ptr;
  }

  /** Recomputes the rows of y whose input has a NaN or infinity as a dense product would (rare: a scalar loop). */
  private redoNonFiniteRows(xPtr: number, batch: number, yPtr: number): void {
    const { k, nIn, nOut } = this;
    const [rows, , idx, val, bias] = this.blocks;
    const exactRow = this.wide ? k.exactRow32 : k.exactRow16;
    const flags = allocKernelMemory(k, nIn, this.owner);
    try {
      for (let b = 0; b < batch; b++) {
        const row = xPtr + b * nIn * 4;
        const bad = k.markNonFinite(row, nIn, flags);
        if (bad > 0) exactRow(rows, idx, val, bias, nOut, row, flags, bad, yPtr + b * nOut * 4, this.act);
      }
    } finally {
      k.free(flags);
    }
  }

  /** Returns the matrix's memory to the kernels; the matrix is unusable after. Idempotent. */
  free(): void {
    if (this.freed) return;
    for (const ptr of this.blocks) this.k.free(ptr);
    this.blocks = [];
    if (--scratch.matrices === 0 && scratch.ptr !== 0) {
      this.k.free(scratch.ptr);
      scratch.ptr = 0;
      scratch.bytes = 0;
    }
  }
}
