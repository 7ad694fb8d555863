import { expect } from 'chai';
import { allocKernelMemory, loadSparseKernels, sparseKernels, SpmmExports } from '../../../src/kernels/sparse/sparse_kernels';
import { FusedActivation, SparseMatrix } from '../../../src/kernels/sparse/sparse_matrix';
import { randomMask, randomWeights } from '../../support/random';

/** act(x W + bias) in float64, every product included (so 0 * Inf is NaN, as in a dense product). */
function denseReference(x: Float32Array, w: Float32Array, bias: Float32Array | null, batch: number, nIn: number, nOut: number,
  act: FusedActivation): Float64Array {
  const y = new Float64Array(batch * nOut);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < nOut; o++) {
      let s = bias === null ? 0 : bias[o];
      for (let i = 0; i < nIn; i++) s += x[b * nIn + i] * w[i * nOut + o];
      y[b * nOut + o] = act === 'linear' ? s : act === 'relu' ? (s < 0 ? 0 : s) : s < 0 ? 0 : s > 6 ? 6 : s;
    }
  }
  return y;
}

/** Expects `actual` to be `expected` to 1e-5 of the largest magnitude, with NaN and infinities in the same places. */
function expectClose(actual: Float32Array, expected: Float64Array, what: string): void {
  const finite = Array.from(expected).filter(Number.isFinite);
  const scale = Math.max(1, ...finite.map(Math.abs));
  expected.forEach((e, i) => {
    if (Number.isFinite(e)) expect(Math.abs(actual[i] - e), `${what} y[${i}]`).to.be.at.most(1e-5 * scale);
    else expect(actual[i], `${what} y[${i}]`).to.deep.equal(e); // deep: NaN equals NaN
  });
}

/** A kernel [nIn, nOut] with about `zeros` zeros, and some empty rows and columns. */
function prunedKernel(nIn: number, nOut: number, zeros: number, seed: number): Float32Array {
  const mask = randomMask(nIn * nOut, seed + 1, zeros);
  const w = randomWeights(nIn * nOut, seed, 'normal').map((v, i) => v * mask[i]);
  for (let o = 0; o < nOut; o += 3) for (let i = 0; i < nIn; i++) w[i * nOut + o] = 0; // empty output units
  for (let i = 1; i < nIn; i += 4) w.fill(0, i * nOut, (i + 1) * nOut); // inputs no unit reads
  return w;
}

describe('SparseMatrix (the sparse kernels)', () => {
  before(() => loadSparseKernels());

  // [nIn, nOut, zeros, batch sizes]: odd sizes, padding of every length, 16-, 8- and 4-wide blocks with partial blocks,
  // the largest input with 16-bit offsets (4 x index) and the smallest past it, and a large input.
  const shapes: [number, number, number, number[]][] = [
    [7, 5, 0.5, [1, 2, 3]],
    [33, 17, 0.9, [1, 4, 8, 16, 37]],
    [64, 40, 0, [1, 20, 27]],
    [16_384, 3, 0.99, [1, 5]],
    [16_385, 3, 0.99, [1, 5]],
    [70_000, 3, 0.999, [1, 18]],
  ];
  for (const [nIn, nOut, zeros, batches] of shapes) {
    for (const act of ['linear', 'relu', 'relu6'] as const) {
      it(`multiplies [batch, ${nIn}] by a ${nIn}x${nOut} matrix with ${zeros * 100}% zeros, then ${act}, as a dense product does`, () => {
        const w = prunedKernel(nIn, nOut, zeros, nIn + nOut);
        const bias = randomWeights(nOut, 3, 'normal');
        const matrix = SparseMatrix.create(w, nIn, nOut, bias, act, 'test');
        try {
          expect(matrix.nonzeros).to.equal(w.filter((v) => v !== 0).length);
          for (const batch of batches) {
            const x = randomWeights(batch * nIn, batch, 'normal').map((v) => 4 * v);
            const y = new Float32Array(batch * nOut);
            matrix.multiply(x, batch, y);
            expectClose(y, denseReference(x, w, bias, batch, nIn, nOut, act), `batch ${batch}`);
          }
        } finally {
          matrix.free();
        }
      });
    }
  }

  it('gives NaN and infinities where a dense product does: NaN wherever a NaN or infinite input meets a zero weight', () => {
    const [nIn, nOut] = [9, 6];
    const w = prunedKernel(nIn, nOut, 0.6, 5);
    for (let o = 0; o < nOut; o++) w[2 * nOut + o] = o % 2 === 0 ? 0.5 : -0.5; // input 2 reaches every unit
    for (const batch of [1, 5, 20]) {
      for (const act of ['linear', 'relu'] as const) {
        const x = randomWeights(batch * nIn, 7, 'normal');
        // Row 0: +Inf on input 2 (read by every unit): +-Inf, no NaN; row 1: NaN; row 3: Inf on input 1 (read by none): all NaN.
        x[2] = Infinity;
        if (batch > 1) x[nIn + 4] = NaN;
        if (batch > 3) x[3 * nIn + 1] = -Infinity;
        const matrix = SparseMatrix.create(w, nIn, nOut, null, act, 'test');
        const y = new Float32Array(batch * nOut);
        matrix.multiply(x, batch, y);
        matrix.free();
        const expected = denseReference(x, w, null, batch, nIn, nOut, act);
        expect(Array.from(expected.subarray(0, nOut)).some(Number.isNaN)).to.equal(false);
        expectClose(y, expected, `batch ${batch} ${act}`);
      }
    }
  });

  it('gives NaN and infinities where a dense product does with 32-bit offsets too (an input of over 16384 entries)', () => {
    const [nIn, nOut] = [70_000, 4];
    const w = prunedKernel(nIn, nOut, 0.999, 11);
    for (let o = 0; o < nOut; o++) w[68_000 * nOut + o] = o + 1; // input 68000 (past 16 bits) reaches every unit
    w.fill(0, 69_999 * nOut); // input 69999 reaches none
    for (const batch of [1, 3]) {
      const x = randomWeights(batch * nIn, 9, 'normal');
      // Row 0: -Inf on input 68000 (read by every unit): -Inf in every unit, no NaN; row 2: NaN on input 69999 (read by none): all NaN.
      x[68_000] = -Infinity;
      if (batch > 2) x[2 * nIn + 69_999] = NaN;
      const matrix = SparseMatrix.create(w, nIn, nOut, null, 'linear', 'test');
      const y = new Float32Array(batch * nOut);
      matrix.multiply(x, batch, y);
      matrix.free();
      const expected = denseReference(x, w, null, batch, nIn, nOut, 'linear');
      expect(Array.from(expected.subarray(0, nOut))).to.deep.equal([-Infinity, -Infinity, -Infinity, -Infinity]);
      if (batch > 2) expect(Array.from(expected.subarray(2 * nOut))).to.deep.equal([NaN, NaN, NaN, NaN]);
      expectClose(y, expected, `batch ${batch}`);
    }
  });

  it('computes act(bias) for an all-zero matrix, and NaN for a non-finite input', () => {
    const bias = Float32Array.from([-1, 0.5, 7]);
    const matrix = SparseMatrix.create(new Float32Array(4 * 3), 4, 3, bias, 'relu6', 'test');
    const y = new Float32Array(6);
    matrix.multiply(Float32Array.from([1, 2, 3, 4, 0, Infinity, 0, 0]), 2, y);
    matrix.free();
    expect(Array.from(y)).to.deep.equal([0, 0.5, 6, NaN, NaN, NaN]);
  });

  it('allocates its weights once and reuses its scratch memory: no growth over many products, freed memory reused', () => {
    const { memory } = sparseKernels('test');
    const w = prunedKernel(300, 100, 0.9, 1);
    const x = randomWeights(40 * 300, 2, 'normal');
    const y = new Float32Array(40 * 100);
    const run = () => {
      const matrix = SparseMatrix.create(w, 300, 100, null, 'linear', 'test');
      for (let i = 0; i < 50; i++) for (const batch of [1, 7, 40]) matrix.multiply(x.subarray(0, batch * 300), batch, y.subarray(0, batch * 100));
      matrix.free();
    };
    run();
    const size = memory.buffer.byteLength;
    for (let i = 0; i < 5; i++) run();
    expect(memory.buffer.byteLength).to.equal(size);
  });

  it('says which layer could not get memory, how much it has, and what to do, when the memory cannot grow', () => {
    const full = {
      memory: new WebAssembly.Memory({ initial: 1 }),
      alloc: () => {
        throw new WebAssembly.RuntimeError('unreachable');
      },
    } as unknown as SpmmExports;
    expect(() => allocKernelMemory(full, 1000, "SparseDense 'h1'")).to.throw(
      "SparseDense 'h1': the sparse kernels' WebAssembly memory (65536 bytes now) could not grow by the 1000 bytes needed " +
      '(unreachable); a WebAssembly memory holds at most 4 GiB, less where the browser limits it. Convert fewer layers ' +
      '(a higher minSparsity) or dispose sparse models no longer used.');
  });

  it('refuses use after free, and free is idempotent', () => {
    const matrix = SparseMatrix.create(new Float32Array([1, 0, 0, 2]), 2, 2, null, 'linear', "SparseDense 'h1'");
    matrix.free();
    matrix.free();
    expect(matrix.freed).to.equal(true);
    expect(() => matrix.multiply(new Float32Array(2), 1, new Float32Array(2))).to.throw("SparseDense 'h1': its sparse matrix was used after free()");
  });
});
