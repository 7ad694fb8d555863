import { expect } from 'chai';
import { PolynomialDecay } from '../../src';
import { gradualSchedule, rampOf } from '../../experiments/gradual';
import { choiceOptions, PruningChoice } from '../../experiments/pruning_choices';

describe('experiments gradual schedule', () => {
  it('prunes from 10% to 70% of training, every 100 steps at most', () => {
    expect(gradualSchedule(0.9, 4690, 'scratch')).to.deep.equal({
      initialSparsity: 0, finalSparsity: 0.9, beginStep: 469, endStep: 3283, power: 3, frequency: 100,
    });
    const schedule = new PolynomialDecay(gradualSchedule(0.9, 4690, 'scratch'));
    expect(schedule.sparsityAt(469)).to.equal(0);
    expect(schedule.sparsityAt(3283)).to.equal(0.9);
    expect(schedule.shouldPrune(3283)).to.equal(true);
  });

  it('still updates about 10 times in a short run', () => {
    expect(gradualSchedule(0.5, 16, 'scratch')).to.include({ beginStep: 2, endStep: 11, frequency: 1 });
    expect(gradualSchedule(0.5, 200, 'scratch')).to.include({ beginStep: 20, endStep: 140, frequency: 12 });
    // A single step still yields a valid schedule.
    expect(() => new PolynomialDecay(gradualSchedule(0.5, 1, 'scratch'))).to.not.throw();
  });

  it('prunes single weights over the first tenth of a fine-tune of a pretrained model, whole units over the first third', () => {
    expect(gradualSchedule(0.9, 354, 'weights')).to.include({ beginStep: 0, endStep: 35, frequency: 3, finalSparsity: 0.9 });
    expect(gradualSchedule(0.5, 354, 'units')).to.include({ beginStep: 0, endStep: 118, frequency: 11, finalSparsity: 0.5 });
    const ramp = (choice: PruningChoice, pretrained: boolean) => rampOf(choiceOptions(choice, 1).method, pretrained);
    expect((['weight', 'weight (global)', 'random'] as const).map((c) => ramp(c, true))).to.deep.equal(['weights', 'weights', 'weights']);
    expect([ramp('unit', true), ramp('channel', true), ramp('weight', false), ramp('unit', false)])
      .to.deep.equal(['units', 'units', 'scratch', 'scratch']);
  });
});
