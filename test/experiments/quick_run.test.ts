import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../experiments/cli';
import { LENET_HIDDEN, REFERENCE_HIDDEN } from '../../experiments/models';
import type { ComparisonResults, ResultRow } from '../../experiments/results';
import { sink } from '../support/sink';

/** The pruned kernels of each network as [entries per unit, units] (the residual CNN's channel pruning masks readers too: not listed). */
const KERNELS: Record<Exclude<ResultRow['network'], 'residual CNN'>, Array<[number, number]>> = {
  'reference MLP': [784, ...REFERENCE_HIDDEN].slice(1).map((units, i) => [[784, ...REFERENCE_HIDDEN][i], units]),
  'LeNet-300-100': [784, ...LENET_HIDDEN].slice(1).map((units, i) => [[784, ...LENET_HIDDEN][i], units]),
  // conv1 5x5x1 → 20, conv2 5x5x20 → 50, hidden 4·4·50 → 500.
  'LeNet-5': [[25, 20], [500, 50], [800, 500]],
};

/**
 * Exact sparsity of kernels pruned at k: round(k · entries) (weight, random) or round(k · units) whole units per layer,
 * or round(k · entries) over all layers together (global scope).
 */
function expectedSparsity(kernels: Array<[number, number]>, method: string, k: number): { sparsity: number; units: number } {
  const entries = kernels.reduce((n, [perUnit, cols]) => n + perUnit * cols, 0);
  if (method === 'weight (global)') return { sparsity: Math.round(k * entries) / entries, units: 0 };
  let removed = 0;
  let total = 0;
  let units = 0;
  for (const [perUnit, cols] of kernels) {
    total += perUnit * cols;
    if (method === 'unit') {
      units += Math.round(k * cols);
      removed += Math.round(k * cols) * perUnit;
    } else {
      removed += Math.round(k * perUnit * cols);
    }
  }
  return { sparsity: 1 - (total - removed) / total, units };
}

describe('npm start -- --quick', function () {
  // The run trains ~100 models in 2 workers: about 110 s on an idle 2-core machine, more when it is shared.
  this.timeout(300_000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-quick-test-'));
  let stdout = '';
  let stderr = '';
  let code = -1;

  before(async () => {
    const o = sink();
    const e = sink();
    // Measured on 500 held-out training images: the path a tuning run takes.
    code = await main(['--quick', '--holdout', '500', '--out', out], { out: o.stream, err: e.stream });
    stdout = o.text();
    stderr = e.text();
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('runs every experiment in worker processes, shows each worker\'s runs and ends with a summary', () => {
    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(/Running one-shot, gradual, baselines, cnn-baselines, cnn-gradual, residual on the wasm backend in \d+ worker process/);
    expect(stderr).to.match(/\[worker \d\] LeNet-300-100 gradual weight 90%, seed 1: epoch 2\/2, loss [\d.]+, accuracy [\d.]+%, sparsity 90\.0%/);
    expect(stderr).to.match(/\[worker \d\] LeNet-5 gradual unit 50%, seed 1: test accuracy [\d.]+%, sparsity 50\.0%/);
    expect(stderr).to.match(/predict LeNet-5 gradual unit 50%, seed 1, batch 32: [\d.]+ ms vs dense [\d.]+ ms/);
    expect(stderr).to.match(/predict sparse LeNet-300-100 gradual weight 90%, seed 1, batch 1: [\d.]+ ms vs dense [\d.]+ ms \(cpu time, 2 sparse layers\)/);
    expect(stdout).to.match(/Summary \(wasm backend, seeds 1, --quick subset\)/);
    expect(stdout).to.match(/Target, gradual weight pruning at 90% within 0\.5 points of dense: (met|MISSED) \([+-]\d+\.\d\d points; a --quick run, on a small subset for few epochs, is not expected to meet it: run without --quick to measure it\)/);
    expect(stdout).to.match(/Target, dense LeNet-5 at least 99\.00%: (met|MISSED) \(\d+\.\d\d%, 1 seed; a --quick run/);
    expect(stdout).to.match(/Target, LeNet-5 gradual global weight pruning at 90% within 0\.1 points of dense: (met|MISSED)/);
    expect(stdout).to.match(/Target, residual CNN gradual channel pruning at 50% within 0\.5 points and 2x faster at batch 32: (met|MISSED) \([+-]\d+\.\d\d points, \d+\.\d\dx/);
    expect(stdout).to.match(/Target, LeNet-5 gradual filter pruning at 50% within 0\.3 points and 2\.5x faster at batch 32: (met|MISSED) \([+-]\d+\.\d\d points, \d+\.\d\dx/);
    expect(stdout).to.include(`Report: ${path.join(out, 'README.md')}`);
  });

  it('writes the report, its SVG plots and the raw results', () => {
    const files = fs.readdirSync(out).sort();
    expect(files).to.deep.equal(['README.md', 'lenet-gradual.svg', 'lenet-one-shot-vs-gradual.svg', 'lenet-size.svg',
      'lenet5-gradual.svg', 'lenet5-one-shot-vs-gradual.svg', 'lenet5-size.svg', 'lenet5-speed.svg', 'reference-one-shot.svg', 'results.json']);
    const report = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    for (const heading of ['# MNIST: weight, filter, channel, global and random pruning vs dropout, on MLPs, LeNet-5 and a residual CNN', '## Targets',
      '## 1. Reference experiment: one-shot pruning of the 784-1000-1000-500-200-10 MLP',
      '## 2. LeNet-300-100: gradual pruning vs dense and dropout',
      '## 3. LeNet-5: weight, global, random and filter pruning, with measured speed',
      '### Predict time of the compacted models', '## 4. A residual CNN: channel pruning by groups vs unit pruning', '## Reproduce']) {
      expect(`\n${report}`).to.include(`\n${heading}\n`);
    }
    expect(report).to.include('`npm start -- --quick --holdout 500 --out');
    expect(report).to.include('the last 500 training images, held out (`--holdout`), to measure on. **This run never looked at the test images');
    expect(report).to.match(/^- Pretraining, accuracy after each epoch \(on the images every accuracy here is measured on\): seed 1: [\d.]+%\.$/m);
    expect(report).to.include('This is a `--quick` run');
    expect(report).to.match(/^- Gradual weight pruning at 90% sparsity .*; a --quick run, on a small subset for few epochs, is not expected to meet it: run without --quick to measure it\.$/m);
    expect(report).to.match(/^- LeNet-5, gradual filter pruning at 50%, compacted, .*speedup \d+\.\d\dx.*run without --quick to measure it\.$/m);
    expect(report).to.match(/Runs shared the machine: with each other/);
    for (const svg of files.filter((f) => f.endsWith('.svg'))) {
      expect(report).to.match(new RegExp(`!\\[[^\\]]+\\]\\(${svg}\\)`));
      const text = fs.readFileSync(path.join(out, svg), 'utf8');
      expect(text.startsWith('<svg')).to.equal(true);
      expect(text.trimEnd().endsWith('</svg>')).to.equal(true);
    }
    // One table row per k of the reference sweep, beside the published numbers.
    expect(report).to.match(/\| 25% \| [\d.]+% \| [\d.]+% \| 95\.04% \| 39\.28% \| 98\.01% \| 97\.70% \|/);
    expect(report.match(/^\| \d+% \| [\d.]+% \| [\d.]+% \|/gm)).to.have.length(10);
    // The speed tables: a row per compacted model, both batch sizes: LeNet-5's filter pruning, the residual CNN's channel and unit pruning.
    expect(report.match(/^\| (gradual|one-shot|one-shot \+ fine-tune) unit \d+%, seed 1 \| [\d.]+ \| [\d.]+ \| \*\*[\d.]+x\*\* \| [\d.]+ \| [\d.]+ \| \*\*[\d.]+x\*\* \|$/gm))
      .to.have.length(9 + 3);
    expect(report.match(/^\| gradual channel \d+%, seed 1 \|/gm)).to.have.length(3);
    // The residual CNN's table: MACs against dense.
    expect(report).to.match(/^\| channel \| 50% \| 1 \| [\d.]+% \| [+-][\d.]+ \| [\d,]+ \(0\.\d\d\) \| [\d,]+ \| [\d.]+x \| [\d.]+x \|$/m);
  });

  it('records every run in the plan\'s order, and pruned models hit their target sparsities exactly', () => {
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ComparisonResults;
    expect(results.settings).to.include({
      quick: true, trainSize: 1000, cnnTrainSize: 1000, testSize: 500, holdout: 500, epochs: 2, referenceEpochs: 1, cnnPretrainEpochs: 1, cnnEpochs: 1, backend: 'wasm',
    });
    const count = (f: (r: ResultRow) => boolean) => results.rows.filter(f).length;
    expect(count((r) => r.network === 'reference MLP')).to.equal(1 + 2 * 10);
    expect(count((r) => r.network === 'LeNet-300-100' && r.schedule === 'gradual')).to.equal(2 * 5);
    expect(count((r) => r.network === 'LeNet-300-100' && r.schedule === 'one-shot')).to.equal(2 * 5);
    // Weight, global and random pruning at 4 sparsities, filter pruning at 3.
    const cnnPoints = 3 * 4 + 3;
    for (const schedule of ['gradual', 'one-shot', 'one-shot + fine-tune']) {
      expect(count((r) => r.network === 'LeNet-5' && r.schedule === schedule), schedule).to.equal(cnnPoints);
    }
    expect(results.rows.filter((r) => r.schedule === 'none').map((r) => `${r.network} ${r.method}`)).to.deep.equal(
      ['reference MLP dense', 'LeNet-300-100 dense', 'LeNet-300-100 dropout 0.2', 'LeNet-300-100 dropout 0.5', 'LeNet-5 pretrained', 'LeNet-5 dense',
        'LeNet-5 dropout 0.5', 'residual CNN pretrained', 'residual CNN dense']);
    // A pretrained model's last epoch accuracy is the one it is measured at.
    for (const r of results.rows.filter((row) => row.method === 'pretrained')) expect(r.epochAccuracies).to.deep.equal([r.testAccuracy]);
    // Channel and unit pruning of the residual CNN at 3 sparsities, compacted: groups remove more multiply-accumulates at each.
    const residual = results.rows.filter((r) => r.network === 'residual CNN' && r.schedule === 'gradual');
    expect(residual.map((r) => `${r.method} ${r.targetSparsity} ${r.deployed}`)).to.deep.equal(['channel 0.3 compacted', 'channel 0.5 compacted',
      'channel 0.7 compacted', 'unit 0.3 compacted', 'unit 0.5 compacted', 'unit 0.7 compacted']);
    for (const k of [0.3, 0.5, 0.7]) {
      const [channel, unit] = ['channel', 'unit'].map((m) => residual.find((r) => r.method === m && r.targetSparsity === k)!);
      expect(channel.macs, `${k}`).to.be.below(unit.macs);
    }
    const dense = results.rows.find((r) => r.network === 'LeNet-5' && r.method === 'dense')!;
    for (const r of results.rows) {
      if (r.schedule === 'none') {
        expect(r.sparsity).to.equal(0);
        continue;
      }
      if (r.network === 'residual CNN') continue;
      const expected = expectedSparsity(KERNELS[r.network], r.method, r.targetSparsity);
      expect(r.sparsity, `${r.network} ${r.schedule} ${r.method} ${r.targetSparsity}`).to.be.closeTo(expected.sparsity, 1e-12);
      if (r.method === 'unit') expect(r.prunedUnits).to.equal(expected.units);
      expect(r.testAccuracy).to.be.within(0, 1);
      expect(r.loadAverage).to.be.at.least(0);
      // LeNet-5's filter-pruned models deploy compacted: the pruned units are gone, not zero.
      const compacted = r.network === 'LeNet-5' && r.method === 'unit';
      expect(r.deployed).to.equal(compacted ? 'compacted' : 'stripped');
      if (compacted) expect(r.totalParameters).to.be.below(dense.totalParameters * (1 - r.targetSparsity));
      else if (r.targetSparsity > 0) expect(r.nonzeroParameters).to.be.below(r.totalParameters);
      // uint8 quantization: one byte per parameter.
      expect(r.uint8Bytes).to.equal(r.totalParameters);
    }
    expect(results.speed.map((s) => `${s.schedule} ${s.targetSparsity} ${s.batch}`)).to.have.length((9 + 6) * 2);
    // Speedups are medians of each round's ratio (pairedSpeedup, tested in test/timing), not ratios of these medians.
    for (const s of results.speed) expect(s.speedup).to.be.above(0).and.below(Infinity);
    // The weight-pruned models with a layer at 70% zeros or more (toSparseModel's default), timed sparse vs dense at batch 1:
    // every model pruned to 70% or more, and only weight-pruned ones (global pruning may take one layer there from less).
    const name = (r: Pick<ResultRow, 'network' | 'schedule' | 'method' | 'targetSparsity'>) => `${r.network} ${r.schedule} ${r.method} ${r.targetSparsity}`;
    const sparse = results.sparseSpeed!.map(name);
    const weightPruned = results.rows.filter((r) => r.deployed === 'stripped' && r.method !== 'unit' && r.targetSparsity > 0);
    expect(sparse).to.include.members(weightPruned.filter((r) => r.targetSparsity >= 0.7).map(name));
    expect(weightPruned.map(name)).to.include.members(sparse);
    for (const s of results.sparseSpeed!) {
      expect(s.sparseLayers).to.be.above(0);
      expect(s.speedup).to.be.above(0).and.below(Infinity);
    }
    const report = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(report.match(/\| [\d.]+ \/ [\d.]+ ms \([\d.]+×\) \|/g)).to.have.length.above(0);
  });
});
