import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../experiments/cli';
import type { ComparisonResults } from '../../experiments/results';
import { sink } from '../support/sink';

/** The rows of a quick run of a few LeNet-5 runs with `jobs` workers, without what depends on timing. */
async function quickRows(jobs: number): Promise<{ rows: object[]; speed: object[]; stderr: string }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `tfjs-prune-jobs-${jobs}-`));
  try {
    const err = sink();
    const code = await main(['--quick', '-e', 'cnn-gradual', '--cnn-sparsities', '0.9', '--filter-sparsities', '0.5',
      '--headline-seeds', '1,2', '--jobs', String(jobs), '--out', out], { out: sink().stream, err: err.stream });
    expect(code, err.text()).to.equal(0);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ComparisonResults;
    expect(results.settings.jobs).to.equal(jobs);
    return {
      rows: results.rows.map(({ trainSeconds, loadAverage, ...rest }) => rest),
      speed: results.speed.map(({ network, method, schedule, targetSparsity, seed, batch }) => ({ network, method, schedule, targetSparsity, seed, batch })),
      stderr: err.text(),
    };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe('experiments pool', () => {
  it('gives the same rows, in the same order, with one worker or two', async () => {
    const one = await quickRows(1);
    const two = await quickRows(2);
    expect(two.rows).to.deep.equal(one.rows);
    expect(two.speed).to.deep.equal(one.speed);
    // Every method for seed 1, then the headline rows (weight 90%, filter 50%) for seed 2, in the plan's order.
    expect(one.rows.map((r) => { const { method, seed } = r as { method: string; seed: number }; return `${method} ${seed}`; }))
      .to.deep.equal(['weight 1', 'weight (global) 1', 'random 1', 'unit 1', 'weight 2', 'unit 2']);
    expect(one.stderr).to.match(/in 1 worker process,/);
    expect(one.stderr).to.not.match(/\[worker 2\]/);
    expect(two.stderr).to.match(/\[worker 1\][^\n]*\n[\s\S]*\[worker 2\]|\[worker 2\][^\n]*\n[\s\S]*\[worker 1\]/);
  });
});
