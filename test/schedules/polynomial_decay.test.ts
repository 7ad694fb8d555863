import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PolynomialDecay, polynomialDecay, PolynomialDecayArgs } from '../../src';

/** Zhu & Gupta's formula as tfmot writes it, for comparison. */
function reference(a: Required<PolynomialDecayArgs>, step: number): number {
  const p = Math.min(1, Math.max(0, (step - a.beginStep) / (a.endStep - a.beginStep)));
  return a.finalSparsity + (a.initialSparsity - a.finalSparsity) * Math.pow(1 - p, a.power);
}

describe('PolynomialDecay', () => {
  const configs: Array<Required<PolynomialDecayArgs>> = [
    { initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 1000, power: 3, frequency: 100 },
    { initialSparsity: 0.5, finalSparsity: 0.8, beginStep: 2000, endStep: 4000, power: 1, frequency: 7 },
    { initialSparsity: 0.2, finalSparsity: 0.2, beginStep: 3, endStep: 4, power: 0.5, frequency: 1 },
  ];

  it('follows final + (initial - final)·(1 - p)^power at every step, flat outside [beginStep, endStep]', () => {
    for (const a of configs) {
      const schedule = new PolynomialDecay(a);
      for (let step = 0; step <= a.endStep + 300; step++) {
        expect(schedule.sparsityAt(step), `step ${step}`).to.be.closeTo(reference(a, step), 1e-12);
      }
      expect(schedule.sparsityAt(a.beginStep)).to.equal(a.initialSparsity);
      expect(schedule.sparsityAt(a.endStep)).to.equal(a.finalSparsity);
      expect(schedule.sparsityAt(a.endStep + 10 ** 6)).to.equal(a.finalSparsity);
    }
    // A hand-checked value: 0.9 - 0.9·(1 - 0.5)^3.
    expect(polynomialDecay(configs[0]).sparsityAt(500)).to.be.closeTo(0.7875, 1e-15);
  });

  it('prunes every frequency steps from beginStep, and at endStep even off the frequency', () => {
    const schedule = new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.9, beginStep: 5, endStep: 30, frequency: 10 });
    const steps = [];
    for (let step = 0; step <= 100; step++) if (schedule.shouldPrune(step)) steps.push(step);
    expect(steps).to.deep.equal([5, 15, 25, 30]);
    expect(schedule.sparsityAt(30)).to.equal(0.9);
  });

  it('defaults power to 3 and frequency to 100', () => {
    const schedule = new PolynomialDecay({ initialSparsity: 0.1, finalSparsity: 0.5, beginStep: 0, endStep: 10 });
    expect(schedule.getConfig()).to.deep.equal({
      initialSparsity: 0.1, finalSparsity: 0.5, beginStep: 0, endStep: 10, power: 3, frequency: 100,
    });
  });

  it('round-trips through getConfig and the serialization registry', () => {
    const schedule = new PolynomialDecay(configs[1]);
    expect(schedule.getClassName()).to.equal('PolynomialDecay');
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap.PolynomialDecay;
    const copy = fromConfig(cls, JSON.parse(JSON.stringify(schedule.getConfig()))) as PolynomialDecay;
    expect(copy).to.be.instanceOf(PolynomialDecay);
    expect(copy.getConfig()).to.deep.equal(configs[1]);
    for (let step = 0; step < 4500; step += 37) {
      expect(copy.sparsityAt(step)).to.equal(schedule.sparsityAt(step));
      expect(copy.shouldPrune(step)).to.equal(schedule.shouldPrune(step));
    }
  });

  it('rejects bad configurations with clear errors', () => {
    const ok = { initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 100 };
    const bad = (changes: Record<string, unknown>) => () => new PolynomialDecay({ ...ok, ...changes } as PolynomialDecayArgs);
    expect(() => new PolynomialDecay(undefined as unknown as PolynomialDecayArgs)).to.throw(TypeError,
      'PolynomialDecay needs options {initialSparsity, finalSparsity, beginStep, endStep, power?, frequency?}; received undefined.');
    expect(bad({ initialSparsity: undefined })).to.throw(TypeError, 'PolynomialDecay: initialSparsity must be a number in [0, 1); received undefined');
    expect(bad({ finalSparsity: 1 })).to.throw(RangeError, 'PolynomialDecay: finalSparsity must be a number in [0, 1); received 1');
    expect(bad({ finalSparsity: '0.9' })).to.throw(TypeError, 'PolynomialDecay: finalSparsity must be a number in [0, 1); received string "0.9"');
    expect(bad({ initialSparsity: -0.1 })).to.throw(RangeError, 'initialSparsity must be a number in [0, 1); received -0.1');
    expect(bad({ initialSparsity: NaN })).to.throw(RangeError, 'received NaN');
    expect(bad({ initialSparsity: 0.95 })).to.throw(RangeError,
      'PolynomialDecay: finalSparsity must be >= initialSparsity (0.95), since masks only grow; received 0.9');
    expect(bad({ beginStep: undefined })).to.throw(TypeError, 'PolynomialDecay: beginStep must be a non-negative integer; received undefined');
    expect(bad({ beginStep: 2.5 })).to.throw(RangeError, 'PolynomialDecay: beginStep must be a non-negative integer; received 2.5');
    expect(bad({ beginStep: -1 })).to.throw(RangeError, 'beginStep must be a non-negative integer; received -1');
    expect(bad({ endStep: undefined })).to.throw(TypeError, 'PolynomialDecay: endStep must be a non-negative integer; received undefined');
    expect(bad({ endStep: -1 })).to.throw(RangeError, 'PolynomialDecay: endStep must be a non-negative integer; received -1');
    expect(bad({ beginStep: 100 })).to.throw(RangeError, 'PolynomialDecay: endStep must be greater than beginStep (100); received 100');
    expect(bad({ beginStep: 200 })).to.throw(RangeError, 'endStep must be greater than beginStep (200); received 100');
    expect(bad({ power: 0 })).to.throw(RangeError, 'PolynomialDecay: power must be a finite number > 0; received 0');
    expect(bad({ power: -2 })).to.throw(RangeError, 'received -2');
    expect(bad({ power: Infinity })).to.throw(RangeError, 'received Infinity');
    expect(bad({ power: '3' })).to.throw(TypeError, 'PolynomialDecay: power must be a finite number > 0; received string "3"');
    expect(bad({ frequency: 0 })).to.throw(RangeError, 'PolynomialDecay: frequency must be an integer >= 1; received 0');
    expect(bad({ frequency: 1.5 })).to.throw(RangeError, 'PolynomialDecay: frequency must be an integer >= 1; received 1.5');
    const schedule = new PolynomialDecay(ok);
    expect(() => schedule.sparsityAt(-1)).to.throw(RangeError, 'PolynomialDecay.sparsityAt: step must be a non-negative integer; received -1');
    expect(() => schedule.shouldPrune(0.5)).to.throw(RangeError, 'PolynomialDecay.shouldPrune: step must be a non-negative integer; received 0.5');
  });
});
