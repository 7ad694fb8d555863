import { expect } from 'chai';
import { parseCommandLine } from '../../experiments/cli';
import { planTasks, taskCost } from '../../experiments/plan';
import type { ComparisonSettings } from '../../experiments/results';

function settings(args: string[]): ComparisonSettings {
  const { out, backend, ...rest } = parseCommandLine(args);
  return { ...rest, backend: 'wasm', command: 'npm start' };
}

describe('experiments plan', () => {
  it('plans every run of the default study once, with unique ids', () => {
    const tasks = planTasks(settings([]));
    expect(new Set(tasks.map((t) => t.id)).size).to.equal(tasks.length);
    const of = (network: string) => tasks.filter((t) => t.id.startsWith(`${network} `));
    // The reference MLP; LeNet-300-100 dense, two dropout rates, 2 × 5 gradual.
    expect(of('reference MLP')).to.have.length(1);
    expect(of('LeNet-300-100')).to.have.length(3 + 10);
    // LeNet-5, seed 1: dense, dropout, 4 sparsities of weight, global and random pruning, 3 of filter pruning;
    // seeds 2 and 3: dense, weight 90%, filter 50%.
    const cnn = of('LeNet-5').map((t) => t.id);
    expect(cnn).to.have.length(2 + 3 * 4 + 3 + 2 * 3);
    expect(cnn).to.include.members(['LeNet-5 gradual weight (global) 98%, seed 1', 'LeNet-5 gradual random 80%, seed 1']);
    expect(cnn.filter((id) => id.endsWith('seed 3'))).to.deep.equal(
      ['LeNet-5 dense, seed 3', 'LeNet-5 gradual weight 90%, seed 3', 'LeNet-5 gradual unit 50%, seed 3']);
    const dense = tasks.find((t) => t.id === 'LeNet-5 dense, seed 1')!;
    expect(dense.kind === 'baseline' && dense.run.oneShot?.fineTune).to.equal(true);
    expect(dense.kind === 'baseline' && dense.run.trainSize).to.equal(30000);
  });

  it('runs the headline rows only when their sparsities are asked for, and each experiment only when selected', () => {
    const ids = planTasks(settings(['-e', 'cnn-gradual', '--cnn-sparsities', '0.8', '--filter-sparsities', '0.5', '--headline-seeds', '2']))
      .map((t) => t.id);
    expect(ids).to.deep.equal(['LeNet-5 gradual weight 80%, seed 1', 'LeNet-5 gradual weight (global) 80%, seed 1',
      'LeNet-5 gradual random 80%, seed 1', 'LeNet-5 gradual unit 50%, seed 1', 'LeNet-5 gradual unit 50%, seed 2']);
    expect(planTasks(settings(['-e', 'one-shot', '--seeds', '1,2'])).map((t) => t.id)).to.deep.equal(
      ['reference MLP dense, seed 1', 'reference MLP dense, seed 2']);
  });

  it('estimates LeNet-5 with its 15 fine-tunes and the reference MLP (3 epochs of 784-1000-1000-500-200-10) as the longest runs', () => {
    const s = settings([]);
    const sorted = [...planTasks(s)].sort((a, b) => taskCost(b, s) - taskCost(a, s));
    expect(sorted.slice(0, 2).map((t) => t.id)).to.deep.equal(['LeNet-5 dense, seed 1', 'reference MLP dense, seed 1']);
    // Fewer images, longer runs.
    const half = settings(['--cnn-train-size', '15000']);
    const gradual = planTasks(s).find((t) => t.id === 'LeNet-5 gradual weight 90%, seed 1')!;
    expect(taskCost(planTasks(half).find((t) => t.id === gradual.id)!, half)).to.be.closeTo(taskCost(gradual, s) / 2, taskCost(gradual, s) / 100);
  });
});
