import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../experiments/cli';
import { LENET_HIDDEN, REFERENCE_HIDDEN } from '../../experiments/models';
import type { ComparisonResults, ResultRow } from '../../experiments/results';
import { sink } from '../support/sink';

/** Exact sparsity of the hidden layers [inputs, ...hidden] pruned at k: round(k · entries) or round(k · units) per layer. */
function expectedSparsity(widths: number[], method: string, k: number): { sparsity: number; units: number } {
  let removed = 0;
  let total = 0;
  let units = 0;
  for (let i = 1; i < widths.length; i++) {
    const [rows, cols] = [widths[i - 1], widths[i]];
    total += rows * cols;
    if (method === 'weight') {
      removed += Math.round(k * rows * cols);
    } else {
      units += Math.round(k * cols);
      removed += Math.round(k * cols) * rows;
    }
  }
  return { sparsity: 1 - (total - removed) / total, units };
}

describe('npm start -- --quick', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-quick-test-'));
  let stdout = '';
  let stderr = '';
  let code = -1;

  before(async () => {
    const o = sink();
    const e = sink();
    code = await main(['--quick', '--out', out], { out: o.stream, err: e.stream });
    stdout = o.text();
    stderr = e.text();
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('runs every experiment, shows progress and ends with a summary', () => {
    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(/Running one-shot, gradual, baselines on the wasm backend/);
    expect(stderr).to.match(/gradual weight 90%, seed 1: epoch 2\/2, loss [\d.]+, accuracy [\d.]+%, sparsity 90\.0%/);
    expect(stdout).to.match(/Summary \(wasm backend, seeds 1, --quick subset\)/);
    expect(stdout).to.match(/Target, gradual weight pruning at 90% within 0\.5 points of dense: (met|MISSED) \([+-]\d+\.\d\d points; a --quick run, on a small subset for few epochs, is not expected to meet it: run without --quick to measure it\)/);
    expect(stdout).to.include(`Report: ${path.join(out, 'README.md')}`);
  });

  it('writes the report, its SVG plots and the raw results', () => {
    const files = fs.readdirSync(out).sort();
    expect(files).to.deep.equal(['README.md', 'lenet-gradual.svg', 'lenet-one-shot-vs-gradual.svg', 'lenet-size.svg',
      'reference-one-shot.svg', 'results.json']);
    const report = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    for (const heading of ['# MNIST: weight pruning vs unit pruning vs dropout', '## Targets',
      '## 1. Reference experiment: one-shot pruning of the 784-1000-1000-500-200-10 MLP',
      '## 2. LeNet-300-100: gradual pruning vs dense and dropout', '## Reproduce']) {
      expect(`\n${report}`).to.include(`\n${heading}\n`);
    }
    expect(report).to.include('`npm start -- --quick --out');
    expect(report).to.include('This is a `--quick` run');
    expect(report).to.match(/^- Gradual weight pruning at 90% sparsity .*; a --quick run, on a small subset for few epochs, is not expected to meet it: run without --quick to measure it\.$/m);
    for (const svg of files.filter((f) => f.endsWith('.svg'))) {
      expect(report).to.match(new RegExp(`!\\[[^\\]]+\\]\\(${svg}\\)`));
      const text = fs.readFileSync(path.join(out, svg), 'utf8');
      expect(text.startsWith('<svg')).to.equal(true);
      expect(text.trimEnd().endsWith('</svg>')).to.equal(true);
    }
    // One table row per k of the reference sweep, beside the published numbers.
    expect(report).to.match(/\| 25% \| [\d.]+% \| [\d.]+% \| 95\.04% \| 39\.28% \| 98\.01% \| 97\.70% \|/);
    expect(report.match(/^\| \d+% \| [\d.]+% \| [\d.]+% \|/gm)).to.have.length(10);
  });

  it('records every run, and pruned models hit their target sparsities exactly', () => {
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ComparisonResults;
    expect(results.settings).to.include({ quick: true, trainSize: 1000, testSize: 500, epochs: 2, referenceEpochs: 1, backend: 'wasm' });
    const count = (f: (r: ResultRow) => boolean) => results.rows.filter(f).length;
    expect(count((r) => r.network === 'reference MLP')).to.equal(1 + 2 * 10);
    expect(count((r) => r.schedule === 'gradual')).to.equal(2 * 5);
    expect(count((r) => r.network === 'LeNet-300-100' && r.schedule === 'one-shot')).to.equal(2 * 5);
    expect(results.rows.filter((r) => r.schedule === 'none').map((r) => r.method)).to.deep.equal(
      ['dense', 'dense', 'dropout 0.2', 'dropout 0.5']);
    for (const r of results.rows) {
      const widths = r.network === 'reference MLP' ? [784, ...REFERENCE_HIDDEN] : [784, ...LENET_HIDDEN];
      if (r.schedule === 'none') {
        expect(r.sparsity).to.equal(0);
        continue;
      }
      const expected = expectedSparsity(widths, r.method, r.targetSparsity);
      expect(r.sparsity, `${r.network} ${r.schedule} ${r.method} ${r.targetSparsity}`).to.be.closeTo(expected.sparsity, 1e-12);
      if (r.method === 'unit') expect(r.prunedUnits).to.equal(expected.units);
      expect(r.testAccuracy).to.be.within(0, 1);
      expect(r.loadAverage).to.be.at.least(0);
      if (r.targetSparsity > 0) expect(r.nonzeroParameters).to.be.below(r.totalParameters);
    }
  });
});
