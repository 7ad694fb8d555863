import { expect } from 'chai';
import { PolynomialDecay } from '../../src';
import { gradualSchedule } from '../../experiments/gradual';

describe('experiments gradual schedule', () => {
  it('prunes from 10% to 70% of training, every 100 steps at most', () => {
    expect(gradualSchedule(0.9, 4690, false)).to.deep.equal({
      initialSparsity: 0, finalSparsity: 0.9, beginStep: 469, endStep: 3283, power: 3, frequency: 100,
    });
    const schedule = new PolynomialDecay(gradualSchedule(0.9, 4690, false));
    expect(schedule.sparsityAt(469)).to.equal(0);
    expect(schedule.sparsityAt(3283)).to.equal(0.9);
    expect(schedule.shouldPrune(3283)).to.equal(true);
  });

  it('still updates about 10 times in a short run', () => {
    expect(gradualSchedule(0.5, 16, false)).to.include({ beginStep: 2, endStep: 11, frequency: 1 });
    expect(gradualSchedule(0.5, 200, false)).to.include({ beginStep: 20, endStep: 140, frequency: 12 });
    // A single step still yields a valid schedule.
    expect(() => new PolynomialDecay(gradualSchedule(0.5, 1, false))).to.not.throw();
  });

  it('prunes over the first third of a fine-tune of a pretrained model', () => {
    expect(gradualSchedule(0.9, 354, true)).to.include({ beginStep: 0, endStep: 118, finalSparsity: 0.9 });
  });
});
