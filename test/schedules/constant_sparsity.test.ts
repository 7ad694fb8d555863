import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ConstantSparsity, constantSparsity, ConstantSparsityArgs } from '../../src';

describe('ConstantSparsity', () => {
  it('targets the same sparsity at every step', () => {
    const schedule = constantSparsity({ targetSparsity: 0.8 });
    for (let step = 0; step < 1000; step += 13) expect(schedule.sparsityAt(step)).to.equal(0.8);
  });

  it('prunes every frequency steps from beginStep, forever with endStep -1 (the defaults: 0, -1, 100)', () => {
    const schedule = new ConstantSparsity({ targetSparsity: 0.5 });
    const steps = [];
    for (let step = 0; step <= 100000; step++) if (schedule.shouldPrune(step)) steps.push(step);
    expect(steps.length).to.equal(1001);
    expect(steps.slice(0, 3)).to.deep.equal([0, 100, 200]);
    expect(steps[steps.length - 1]).to.equal(100000);
    expect(schedule.getConfig()).to.deep.equal({ targetSparsity: 0.5, beginStep: 0, endStep: -1, frequency: 100 });
  });

  it('stops after endStep, pruning at endStep even off the frequency', () => {
    const schedule = new ConstantSparsity({ targetSparsity: 0.5, beginStep: 3, endStep: 20, frequency: 5 });
    const steps = [];
    for (let step = 0; step <= 100; step++) if (schedule.shouldPrune(step)) steps.push(step);
    expect(steps).to.deep.equal([3, 8, 13, 18, 20]);
    const once = new ConstantSparsity({ targetSparsity: 0.5, beginStep: 7, endStep: 7 });
    expect([6, 7, 8].map((s) => once.shouldPrune(s))).to.deep.equal([false, true, false]);
  });

  it('round-trips through getConfig and the serialization registry', () => {
    const args = { targetSparsity: 0.25, beginStep: 10, endStep: 90, frequency: 4 };
    const schedule = new ConstantSparsity(args);
    expect(schedule.getClassName()).to.equal('ConstantSparsity');
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap.ConstantSparsity;
    const copy = fromConfig(cls, JSON.parse(JSON.stringify(schedule.getConfig()))) as ConstantSparsity;
    expect(copy).to.be.instanceOf(ConstantSparsity);
    expect(copy.getConfig()).to.deep.equal(args);
    for (let step = 0; step < 120; step++) expect(copy.shouldPrune(step)).to.equal(schedule.shouldPrune(step));
  });

  it('rejects bad configurations with clear errors', () => {
    const bad = (args: Record<string, unknown>) => () => new ConstantSparsity(args as unknown as ConstantSparsityArgs);
    expect(bad(null as unknown as Record<string, unknown>)).to.throw(TypeError,
      'ConstantSparsity needs options {targetSparsity, beginStep?, endStep?, frequency?}; received null.');
    expect(bad({})).to.throw(TypeError, 'ConstantSparsity: targetSparsity must be a number in [0, 1); received undefined');
    expect(bad({ targetSparsity: 1 })).to.throw(RangeError, 'ConstantSparsity: targetSparsity must be a number in [0, 1); received 1');
    expect(bad({ targetSparsity: 0.5, beginStep: 1.5 })).to.throw(RangeError, 'ConstantSparsity: beginStep must be a non-negative integer; received 1.5');
    expect(bad({ targetSparsity: 0.5, endStep: -2 })).to.throw(RangeError,
      'ConstantSparsity: endStep must be -1 (no end) or an integer >= beginStep (0); received -2');
    expect(bad({ targetSparsity: 0.5, beginStep: 10, endStep: 9 })).to.throw(RangeError,
      'endStep must be -1 (no end) or an integer >= beginStep (10); received 9');
    expect(bad({ targetSparsity: 0.5, endStep: 5.5 })).to.throw(RangeError, 'received 5.5');
    expect(bad({ targetSparsity: 0.5, endStep: '9' })).to.throw(TypeError, 'received string "9"');
    expect(bad({ targetSparsity: 0.5, frequency: 0 })).to.throw(RangeError, 'ConstantSparsity: frequency must be an integer >= 1; received 0');
    expect(bad({ targetSparsity: 0.5, frequency: -1 })).to.throw(RangeError, 'ConstantSparsity: frequency must be an integer >= 1; received -1');
    expect(bad({ targetSparsity: 0.5, frequency: '5' })).to.throw(TypeError, 'ConstantSparsity: frequency must be an integer >= 1; received string "5"');
    expect(bad([] as unknown as Record<string, unknown>)).to.throw(TypeError,
      'ConstantSparsity needs options {targetSparsity, beginStep?, endStep?, frequency?}; received an array.');
    expect(() => constantSparsity({ targetSparsity: 0.5 }).sparsityAt(NaN)).to.throw(RangeError,
      'ConstantSparsity.sparsityAt: step must be a non-negative integer; received NaN');
  });
});
