import { expect } from 'chai';
import { parseCommandLine } from '../../experiments/cli';
import { planTasks, pretrainOf, taskCost } from '../../experiments/plan';
import type { ComparisonSettings } from '../../experiments/results';

function settings(args: string[]): ComparisonSettings {
  const { out, backend, resume, ...rest } = parseCommandLine(args);
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
    // LeNet-5, seed 1: pretrained, dense, dropout, 4 sparsities of weight, global and random pruning, 3 of filter pruning, gradual and one-shot;
    // seeds 2 and 3: pretrained, dense, global weight 90%, filter 50%.
    const cnn = of('LeNet-5').map((t) => t.id);
    expect(cnn).to.have.length(3 + 2 * (3 * 4 + 3) + 2 * 4);
    expect(cnn).to.include.members(['LeNet-5 gradual weight (global) 98%, seed 1', 'LeNet-5 one-shot random 80%, seed 1']);
    expect(cnn.filter((id) => id.endsWith('seed 3'))).to.deep.equal(
      ['LeNet-5 pretrained, seed 3', 'LeNet-5 dense, seed 3', 'LeNet-5 gradual weight (global) 90%, seed 3', 'LeNet-5 gradual unit 50%, seed 3']);
    // The residual CNN, seed 1: pretrained, dense, channel and unit at 3 sparsities; seeds 2 and 3: pretrained, dense, channel 50%.
    expect(of('residual CNN').filter((t) => t.id.endsWith('seed 1'))).to.have.length(2 + 2 * 3);
    expect(of('residual CNN').filter((t) => t.id.endsWith('seed 2')).map((t) => t.id)).to.deep.equal(
      ['residual CNN pretrained, seed 2', 'residual CNN dense, seed 2', 'residual CNN gradual channel 50%, seed 2']);
  });

  it('starts every CNN run but dropout from its seed\'s pretrained model, which trains on all images', () => {
    const tasks = planTasks(settings([]));
    for (const task of tasks.filter((t) => t.id.startsWith('LeNet-5') || t.id.startsWith('residual CNN'))) {
      const seed = task.id.slice(task.id.lastIndexOf(' ') + 1);
      const network = task.id.startsWith('LeNet-5') ? 'LeNet-5' : 'residual CNN';
      // The last epoch of every CNN run at the lower rate.
      if (task.kind === 'pretrain') {
        expect(task.run).to.include({ epochs: 3, trainSize: 60000, decayFrom: 2 });
      } else if (task.id.includes('dropout')) {
        expect(pretrainOf(task)).to.equal(undefined);
        expect(task.run).to.include({ epochs: 3 + 3, trainSize: 60000, decayFrom: 5 });
      } else {
        expect(pretrainOf(task), task.id).to.equal(`${network} pretrained, seed ${seed}`);
        expect(task.run, task.id).to.include({ epochs: 3, trainSize: 15000, decayFrom: 2 });
      }
    }
    // Every MLP run trains from scratch, at one rate.
    for (const task of tasks.filter((t) => !t.id.startsWith('LeNet-5') && !t.id.startsWith('residual'))) {
      expect(pretrainOf(task), task.id).to.equal(undefined);
      expect(task.run, task.id).to.not.have.property('decayFrom');
    }
  });

  it('runs the headline rows only when their sparsities are asked for, and each experiment only when selected', () => {
    const ids = planTasks(settings(['-e', 'cnn-gradual', '--cnn-sparsities', '0.8', '--filter-sparsities', '0.5', '--headline-seeds', '2']))
      .map((t) => t.id);
    expect(ids).to.deep.equal(['LeNet-5 pretrained, seed 1', 'LeNet-5 gradual weight 80%, seed 1', 'LeNet-5 gradual weight (global) 80%, seed 1',
      'LeNet-5 gradual random 80%, seed 1', 'LeNet-5 gradual unit 50%, seed 1', 'LeNet-5 pretrained, seed 2', 'LeNet-5 gradual unit 50%, seed 2']);
    expect(planTasks(settings(['-e', 'one-shot', '--seeds', '1,2'])).map((t) => t.id)).to.deep.equal(
      ['reference MLP dense, seed 1', 'reference MLP dense, seed 2']);
    expect(planTasks(settings(['-e', 'residual', '--channel-sparsities', '0.3', '--headline-seeds', '1'])).map((t) => t.id)).to.deep.equal(
      ['residual CNN pretrained, seed 1', 'residual CNN dense, seed 1', 'residual CNN gradual channel 30%, seed 1', 'residual CNN gradual unit 30%, seed 1']);
  });

  it('costs a run by its steps: the pretraining over all images, a fine-tune over --cnn-train-size', () => {
    const s = settings([]);
    const tasks = planTasks(s);
    const cost = (id: string, on = s) => taskCost(planTasks(on).find((t) => t.id === id)!, on);
    // 3 epochs of 60,000 images against 3 of 15,000.
    expect(cost('LeNet-5 pretrained, seed 1')).to.be.closeTo(4 * cost('LeNet-5 gradual weight 90%, seed 1'), cost('LeNet-5 pretrained, seed 1') / 100);
    const half = settings(['--cnn-train-size', '7500']);
    expect(cost('LeNet-5 gradual weight 90%, seed 1', half)).to.be.closeTo(cost('LeNet-5 gradual weight 90%, seed 1') / 2, cost('LeNet-5 gradual weight 90%, seed 1') / 100);
    expect(tasks.every((t) => taskCost(t, s) > 0)).to.equal(true);
  });
});
