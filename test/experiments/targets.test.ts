import { expect } from 'chai';
import { stat, summarize } from '../../experiments/aggregate';
import type { ResultRow } from '../../experiments/results';
import { fallOffs, mainTarget } from '../../experiments/targets';

function row(method: string, schedule: ResultRow['schedule'], targetSparsity: number, testAccuracy: number, seed = 1): ResultRow {
  return {
    experiment: schedule === 'gradual' ? 'gradual' : 'baselines', network: 'LeNet-300-100', method, schedule, targetSparsity, seed,
    testAccuracy, sparsity: targetSparsity, prunedUnits: 0, nonzeroParameters: 100, totalParameters: 200, gzipBytes: 50,
    trainSeconds: 1, epochs: 2, loadAverage: 1,
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
