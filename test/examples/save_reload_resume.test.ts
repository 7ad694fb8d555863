import { expect } from 'chai';
import { existsSync } from 'fs';
import { join } from 'path';
import { saveReloadResume } from '../../examples/save_reload_resume';
import { useTempDirs } from '../node/temp_dirs';

describe('examples/save_reload_resume', () => {
  const tempDir = useTempDirs();

  it('saves mid-schedule, reloads with the optimizer and finishes the schedule at its final sparsity', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const result = await saveReloadResume({ quick: true, dir, log: (line) => lines.push(line) });
    expect(existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'weights.bin'))).to.equal(true);
    // 1024 samples in batches of 64 for 8 epochs: 128 steps, half before the checkpoint.
    expect(result.totalSteps).to.equal(128);
    expect(result.savedStep).to.equal(64);
    expect(result.reloadedIterations).to.equal(64);
    expect(result.finalStep).to.equal(128);
    // The masks survive the reload; pruning went on from there to exactly round(0.8 · n) per layer.
    expect(result.sparsityAfterReload).to.deep.equal(result.sparsityAtSave);
    expect(result.sparsityAtSave.every((s) => s > 0.5 && s < 0.8)).to.equal(true);
    const sizes = [16 * 64, 64 * 64, 64 * 4];
    expect(result.finalSparsity).to.deep.equal(sizes.map((n) => Math.round(0.8 * n) / n));
    expect(result.targetSparsity).to.equal(0.8);
    expect(result.testAccuracy).to.be.above(0.8);
    expect(lines).to.have.length(4);
  });

  it('deletes the temporary checkpoint it creates when given no directory', async () => {
    const lines: string[] = [];
    await saveReloadResume({ quick: true, log: (line) => lines.push(line) });
    const saved = /^saved to (.+)$/.exec(lines[1]);
    expect(saved, lines[1]).to.not.equal(null);
    expect(existsSync(saved![1])).to.equal(false);
  });
});
