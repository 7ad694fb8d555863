import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../experiments/cli';
import type { ComparisonResults } from '../../experiments/results';
import { RUNS_FOLDER } from '../../experiments/run_store';
import { sink } from '../support/sink';

/** A few quick LeNet-5 runs: two pretrained models, the runs of seed 1 and the headline rows of seed 2. */
const ARGS = ['--quick', '-e', 'cnn-gradual', '--cnn-sparsities', '0.9', '--filter-sparsities', '0.5', '--headline-seeds', '1,2'];

/** Runs the comparison with `args` into `out`; returns the exit code and what it printed on stderr. */
async function run(args: string[], out: string): Promise<{ code: number; stderr: string }> {
  const err = sink();
  const code = await main([...ARGS, ...args, '--out', out], { out: sink().stream, err: err.stream });
  return { code, stderr: err.text() };
}

/** The rows and speed rows of the report in `out`, without what depends on timing. */
function tables(out: string): { rows: object[]; speed: object[]; jobs: number; reused?: number; command: string } {
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ComparisonResults;
  return {
    rows: results.rows.map(({ trainSeconds, loadAverage, ...rest }) => rest),
    speed: results.speed.map(({ network, method, schedule, targetSparsity, seed, batch }) => ({ network, method, schedule, targetSparsity, seed, batch })),
    jobs: results.settings.jobs,
    reused: results.reusedRuns,
    command: results.settings.command,
  };
}

/** Starts the comparison in a child process and kills it (and its workers) once `runs` runs are recorded in `out`. */
async function interruptAfter(runs: number, out: string): Promise<number> {
  const child = spawn(process.execPath, ['--require', require.resolve('ts-node/register/transpile-only'), path.join('experiments', 'cli.ts'),
    ...ARGS, '--jobs', '1', '--out', out], { detached: true, stdio: 'ignore' });
  const results = path.join(out, RUNS_FOLDER, 'results');
  const finished = () => (fs.existsSync(results) ? fs.readdirSync(results).filter((f) => f.endsWith('.json')).length : 0);
  try {
    while (finished() < runs) {
      if (child.exitCode != null) throw new Error(`the comparison ended (code ${child.exitCode}) before ${runs} runs were recorded`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    // The whole process group: the main process and its worker processes.
    process.kill(-child.pid!, 'SIGKILL');
  }
  return finished();
}

describe('experiments pool', function () {
  // Three small comparisons of 8 runs each, one of them interrupted: about 2 minutes on an idle 2-core machine.
  this.timeout(600_000);
  const dirs: string[] = [];
  const folder = (name: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tfjs-prune-pool-${name}-`));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same tables with one worker or two, and when an interrupted run is resumed', async () => {
    const whole = folder('whole');
    const first = await run(['--jobs', '2'], whole);
    expect(first.code, first.stderr).to.equal(0);
    const two = tables(whole);
    // Both pretrained models first, then every run of seed 1, then seed 2's headline rows, in the plan's order, whoever ran them.
    expect(two.rows.map((r) => { const { method, schedule, seed } = r as { method: string; schedule: string; seed: number }; return `${schedule} ${method} ${seed}`; }))
      .to.deep.equal(['none pretrained 1', 'gradual weight 1', 'gradual weight (global) 1', 'gradual random 1', 'gradual unit 1',
        'none pretrained 2', 'gradual weight (global) 2', 'gradual unit 2']);
    expect(first.stderr).to.match(/\[worker 1\][^\n]*\n[\s\S]*\[worker 2\]|\[worker 2\][^\n]*\n[\s\S]*\[worker 1\]/);
    expect(first.stderr).to.match(/^1 of 8 runs done, 7 left, about \d+ min to go$/m);
    expect(first.stderr).to.match(/^8 of 8 runs done, 0 left$/m);
    // The working folder goes once the report is written.
    expect(fs.existsSync(path.join(whole, RUNS_FOLDER))).to.equal(false);

    const interrupted = folder('interrupted');
    const recorded = await interruptAfter(3, interrupted);
    expect(fs.existsSync(path.join(interrupted, 'README.md'))).to.equal(false);
    // A new comparison does not overwrite the finished runs; a changed setting does not mix with them.
    const fresh = await run(['--jobs', '1'], interrupted);
    expect(fresh.code).to.equal(1);
    expect(fresh.stderr).to.match(/holds \d+ finished runs of an earlier comparison that did not end: add --resume to continue it/);
    const changed = await run(['--jobs', '1', '--resume', '--learning-rate', '0.002'], interrupted);
    expect(changed.code).to.equal(1);
    expect(changed.stderr).to.match(/--resume: the finished run '[^']+' in .* was made with other settings \(setup\.learningRate: 0\.001, now 0\.002\)/);

    const resumed = await run(['--jobs', '1', '--resume'], interrupted);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.match(new RegExp(`^${recorded} of 8 runs done \\(${recorded} by an earlier, interrupted run\\), ${8 - recorded} left$`, 'm'));
    const one = tables(interrupted);
    expect(one.rows).to.deep.equal(two.rows);
    expect(one.speed).to.deep.equal(two.speed);
    expect(one).to.include({ jobs: 1, reused: recorded });
    expect(one.command).to.not.include('--resume');
    expect(fs.readFileSync(path.join(interrupted, 'README.md'), 'utf8')).to.include(`it continued (\`--resume\`) an interrupted run that had finished ${recorded} training runs`);
  });
});
