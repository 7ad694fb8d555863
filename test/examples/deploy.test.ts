import { expect } from 'chai';
import { readdirSync } from 'fs';
import { deploy } from '../../examples/deploy';
import { useTempDirs } from '../node/temp_dirs';

describe('examples/deploy', () => {
  const tempDir = useTempDirs();

  it('deploys a unit-pruned model stripped, compacted and compacted with uint8 weights, each loading with tf.loadLayersModel', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const result = await deploy({ quick: true, dir, log: (line) => lines.push(line) });
    expect(readdirSync(dir).sort()).to.deep.equal(['compact', 'compact-uint8', 'stripped']);
    // round(0.75 · 64) = 48 of the 64 units of each hidden layer; the output layer keeps its 4.
    expect(result.prunedUnits).to.deep.equal([48, 48, 0]);
    expect(result.prunedAccuracy).to.be.above(0.8);
    // Stripped: the full widths, float32.
    expect(result.stripped.units).to.deep.equal([64, 64, 4]);
    expect(result.stripped.params).to.equal(16 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4);
    expect(result.stripped.weightBytes).to.equal(4 * result.stripped.params);
    // Compact: 16 units left per hidden layer, the same outputs.
    expect(result.compact.units).to.deep.equal([16, 16, 4]);
    expect(result.compact.params).to.equal(16 * 16 + 16 + 16 * 16 + 16 + 16 * 4 + 4);
    expect(result.compact.weightBytes).to.equal(4 * result.compact.params);
    for (const deployed of [result.stripped, result.compact]) {
      expect(deployed.difference).to.be.below(1e-5);
      expect(deployed.accuracy).to.be.closeTo(result.prunedAccuracy, 1e-3);
    }
    // uint8: one byte per parameter; the outputs move by the quantization error only.
    expect(result.compactUint8.units).to.deep.equal([16, 16, 4]);
    expect(result.compactUint8.weightBytes).to.equal(result.compact.params);
    expect(result.compactUint8.difference).to.be.below(0.1);
    expect(result.compactUint8.accuracy).to.be.closeTo(result.prunedAccuracy, 0.02);
    expect(lines.filter((line) => /^(stripped|compact|compact-uint8): \d+ parameters/.test(line))).to.have.length(3);
  });
});
