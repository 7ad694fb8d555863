import { expect } from 'chai';
import { stat, summarize } from '../../experiments/aggregate';
import type { NetworkName, ResultRow, SpeedRow } from '../../experiments/results';
import {
  cnnDenseTarget, cnnFilterTarget, cnnWeightTarget, fallOffs, mainTarget, methodGaps, residualChannelTarget,
} from '../../experiments/targets';

function row(method: string, schedule: ResultRow['schedule'], targetSparsity: number, testAccuracy: number, seed = 1,
  network: NetworkName = 'LeNet-300-100'): ResultRow {
  return {
    experiment: schedule === 'gradual' ? 'gradual' : 'baselines', network, method, schedule, targetSparsity, seed,
    testAccuracy, sparsity: targetSparsity, prunedUnits: 0, deployed: 'stripped', nonzeroParameters: 100, totalParameters: 200, macs: 200,
    gzipBytes: 50, uint8Bytes: 200, uint8GzipBytes: 20, trainSeconds: 1, epochs: 2, loadAverage: 1,
  };
}

const cnn = (method: string, schedule: ResultRow['schedule'], targetSparsity: number, testAccuracy: number, seed = 1) =>
  row(method, schedule, targetSparsity, testAccuracy, seed, 'LeNet-5');

function speed(seed: number, speedup: number, batch = 32, network: NetworkName = 'LeNet-5', method = 'unit'): SpeedRow {
  return {
    network, method, schedule: 'gradual', targetSparsity: 0.5, seed, batch, compactedMs: 1, denseMs: speedup,
    speedup, clock: 'cpu', repetitions: 21, loadAverage: 1,
  };
}

describe('experiments summaries and targets', () => {
  it('averages seeds per configuration, in order of first appearance', () => {
    const s = summarize([row('dense', 'none', 0, 0.98, 1), row('weight', 'gradual', 0.9, 0.97, 1), row('dense', 'none', 0, 0.96, 2)]);
    expect(s.map((x) => [x.method, x.seeds])).to.deep.equal([['dense', 2], ['weight', 1]]);
    expect(s[0].testAccuracy.mean).to.be.closeTo(0.97, 1e-12);
    expect(s[0].testAccuracy.std).to.be.closeTo(Math.SQRT2 * 0.01, 1e-12);
    expect(stat([5])).to.deep.equal({ mean: 5, std: 0 });
  });

  it('checks gradual weight pruning at 90% against dense within 0.5 points', () => {
    expect(mainTarget(summarize([row('dense', 'none', 0, 0.98)]))).to.equal(null);
    const met = mainTarget(summarize([row('dense', 'none', 0, 0.98), row('weight', 'gradual', 0.9, 0.9760)]))!;
    expect(met.met).to.equal(true);
    expect(met.points).to.be.closeTo(-0.4, 1e-9);
    expect(mainTarget(summarize([row('dense', 'none', 0, 0.98), row('weight', 'gradual', 0.9, 0.9740)]))!.met).to.equal(false);
  });

  it('checks LeNet-5 gradual weight pruning at 90% in global scope within 0.1 points of dense, over the seeds run', () => {
    expect(cnnWeightTarget(summarize([cnn('dense', 'none', 0, 0.99)]))).to.equal(null);
    // The layer-scope row is not the target's.
    expect(cnnWeightTarget(summarize([cnn('dense', 'none', 0, 0.99), cnn('weight', 'gradual', 0.9, 0.99)]))).to.equal(null);
    const rows = [cnn('dense', 'none', 0, 0.990, 1), cnn('dense', 'none', 0, 0.992, 2), cnn('weight (global)', 'gradual', 0.9, 0.9896, 1),
      cnn('weight (global)', 'gradual', 0.9, 0.9905, 2), cnn('weight', 'gradual', 0.9, 0.95, 1)];
    const met = cnnWeightTarget(summarize(rows))!;
    expect(met).to.include({ met: true, seeds: 2, speedup: null });
    expect(met.points).to.be.closeTo(-0.095, 1e-9);
    rows[3] = cnn('weight (global)', 'gradual', 0.9, 0.9890, 2);
    expect(cnnWeightTarget(summarize(rows))!.met).to.equal(false);
  });

  it('checks LeNet-5 filter pruning at 50% on accuracy and on the mean speedup at batch 32', () => {
    const rows = summarize([cnn('dense', 'none', 0, 0.99), cnn('unit', 'gradual', 0.5, 0.988)]);
    expect(cnnFilterTarget(rows, [])).to.include({ met: false, accuracyMet: true, speedup: null });
    const fast = cnnFilterTarget(rows, [speed(1, 2.4), speed(2, 2.7), speed(1, 1.2, 1)])!;
    expect(fast.speedup).to.be.closeTo(2.55, 1e-12);
    expect(fast.met).to.equal(true);
    expect(cnnFilterTarget(rows, [speed(1, 2.4)])!.met).to.equal(false);
    const slow = summarize([cnn('dense', 'none', 0, 0.99), cnn('unit', 'gradual', 0.5, 0.986)]);
    expect(cnnFilterTarget(slow, [speed(1, 3)])).to.include({ accuracyMet: false, met: false });
  });

  it('checks the dense LeNet-5 at 99% over its seeds, and the residual CNN\'s channel pruning at 50% within 0.5 points and 2x', () => {
    expect(cnnDenseTarget(summarize([row('dense', 'none', 0, 0.999)]))).to.equal(null);
    expect(cnnDenseTarget(summarize([cnn('dense', 'none', 0, 0.991, 1), cnn('dense', 'none', 0, 0.990, 2)]))).to.deep.include({ met: true, seeds: 2 });
    expect(cnnDenseTarget(summarize([cnn('dense', 'none', 0, 0.991, 1), cnn('dense', 'none', 0, 0.988, 2)]))!.met).to.equal(false);
    const residual = (method: string, schedule: ResultRow['schedule'], k: number, accuracy: number) =>
      row(method, schedule, k, accuracy, 1, 'residual CNN');
    const rows = summarize([residual('dense', 'none', 0, 0.99), residual('channel', 'gradual', 0.5, 0.986), cnn('channel', 'gradual', 0.5, 0.5)]);
    expect(residualChannelTarget(rows, [speed(1, 2.1, 32, 'residual CNN', 'channel')])).to.include({ met: true, accuracyMet: true, speedup: 2.1 });
    // The LeNet-5 filter rows are not the residual CNN's.
    expect(residualChannelTarget(rows, [speed(1, 3)])).to.include({ met: false, speedup: null });
    expect(residualChannelTarget(summarize([residual('dense', 'none', 0, 0.99), residual('channel', 'gradual', 0.5, 0.984)]),
      [speed(1, 3, 32, 'residual CNN', 'channel')])).to.include({ met: false, accuracyMet: false });
  });

  it('compares two LeNet-5 methods wherever both ran', () => {
    const rows = summarize([cnn('weight', 'gradual', 0.8, 0.99), cnn('random', 'gradual', 0.8, 0.97), cnn('weight', 'gradual', 0.9, 0.98),
      cnn('weight', 'one-shot', 0.8, 0.95), cnn('random', 'one-shot', 0.8, 0.5), row('random', 'gradual', 0.9, 0.1)]);
    const gaps = methodGaps(rows, 'weight', 'random');
    expect(gaps.map((g) => [g.schedule, g.sparsity])).to.deep.equal([['gradual', 0.8], ['one-shot', 0.8]]);
    expect(gaps[0].points).to.be.closeTo(2, 1e-9);
    expect(gaps[1].points).to.be.closeTo(45, 1e-9);
  });

  it('finds where each curve holds and where it falls off', () => {
    const rows = [
      row('dense', 'none', 0, 0.98),
      row('unit', 'gradual', 0.5, 0.978), row('unit', 'gradual', 0.8, 0.974), row('unit', 'gradual', 0.9, 0.969),
      row('weight', 'one-shot', 0.5, 0.98), row('weight', 'one-shot', 0.9, 0.981),
    ];
    expect(fallOffs(summarize(rows))).to.deep.equal([
      { network: 'LeNet-300-100', method: 'unit', schedule: 'gradual', dense: 0.98, holdsUpTo: 0.5, fallsFrom: 0.9 },
      { network: 'LeNet-300-100', method: 'weight', schedule: 'one-shot', dense: 0.98, holdsUpTo: 0.9, fallsFrom: null },
    ]);
  });
});
