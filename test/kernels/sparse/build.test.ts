import { expect } from 'chai';
import { readFileSync } from 'fs';
import { compileSparseKernels, SPMM_MODULE, sparseKernelsModule } from '../../../src/kernels/sparse/build';

describe('the sparse kernels\' build step', function () {
  this.timeout(60_000);

  it('compiles assembly/spmm.ts with SIMD into the module embedded in spmm_wasm.ts (run `npm run build:sparse` after editing it)', () => {
    const wasm = compileSparseKernels();
    expect(WebAssembly.validate(new Uint8Array(wasm))).to.equal(true);
    // The SIMD opcode prefix 0xfd is in the code: `--enable simd` took effect.
    expect(wasm.includes(0xfd)).to.equal(true);
    expect(readFileSync(SPMM_MODULE, 'utf8')).to.equal(sparseKernelsModule(wasm));
  });
});
