import { expect } from 'chai';
import { ConstantSparsity, PolynomialDecay, PruningSchedule, scheduleFromConfig } from '../../src';

describe('PruningSchedule', () => {
  it('shouldPrune follows tfmot: beginStep <= step <= endStep and (step - beginStep) % frequency == 0, plus endStep', () => {
    const schedules: PruningSchedule[] = [
      new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 4, endStep: 57, frequency: 6 }),
      new ConstantSparsity({ targetSparsity: 0.5, beginStep: 2, endStep: 40, frequency: 3 }),
      new ConstantSparsity({ targetSparsity: 0.5, beginStep: 9, frequency: 1 }),
    ];
    for (const s of schedules) {
      for (let step = 0; step < 200; step++) {
        const inRange = step >= s.beginStep && (s.endStep < 0 || step <= s.endStep);
        const expected = inRange && ((step - s.beginStep) % s.frequency === 0 || step === s.endStep);
        expect(s.shouldPrune(step), `${s.getClassName()} step ${step}`).to.equal(expected);
      }
    }
  });

  it('scheduleFromConfig rebuilds each registered schedule from its class name and config', () => {
    const schedules = [
      new PolynomialDecay({ initialSparsity: 0.1, finalSparsity: 0.6, beginStep: 1, endStep: 9, power: 2, frequency: 2 }),
      new ConstantSparsity({ targetSparsity: 0.3, endStep: 50 }),
    ];
    for (const s of schedules) {
      const stored = JSON.parse(JSON.stringify({ className: s.getClassName(), config: s.getConfig() }));
      const copy = scheduleFromConfig(stored.className, stored.config);
      expect(copy.constructor).to.equal(s.constructor);
      expect(copy.getConfig()).to.deep.equal(s.getConfig());
    }
  });

  it('scheduleFromConfig rejects unknown classes and bad configs', () => {
    expect(() => scheduleFromConfig('Dense', {})).to.throw(
      "className must name a registered pruning schedule ('ConstantSparsity', 'PolynomialDecay'); received string \"Dense\".");
    expect(() => scheduleFromConfig('toString', {})).to.throw('received string "toString".');
    expect(() => scheduleFromConfig('PolynomialDecay', { initialSparsity: 0, finalSparsity: 0.5, beginStep: 5, endStep: 5 }))
      .to.throw(RangeError, 'PolynomialDecay: endStep must be greater than beginStep (5); received 5');
  });
});
