import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { combineCallbacks, ConstantSparsity, PruningScheduleCallback } from '../../src';

describe('combineCallbacks', () => {
  it('keeps callback objects and wraps plain hook objects in tf.CustomCallback, in order', () => {
    const pruning = new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5 }) });
    const stop = tf.callbacks.earlyStopping({ monitor: 'loss' });
    const hooks = { onEpochEnd: () => undefined, onBatchEnd: async () => undefined };
    const custom = new tf.CustomCallback({ onTrainEnd: () => undefined });
    const list = combineCallbacks(hooks, pruning, stop, custom);
    expect(list).to.have.length(4);
    expect(list[0]).to.be.instanceOf(tf.CustomCallback);
    expect(list.slice(1)).to.deep.equal([pruning, stop, custom]);
    expect(combineCallbacks()).to.deep.equal([]);
  });

  it('lets fit run a callback object and plain hooks in any order, each with its own this', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const events: string[] = [];
    class Recorder extends tf.Callback {
      readonly tag = 'recorder';
      override async onEpochEnd(epoch: number): Promise<void> {
        events.push(`${this.tag} ${epoch}`);
      }
    }
    const xs = tf.ones([4, 2]);
    const ys = tf.zeros([4, 1]);
    await model.fit(xs, ys, {
      epochs: 2, verbose: 0,
      callbacks: combineCallbacks({ onEpochEnd: (epoch) => void events.push(`hooks ${epoch}`) }, new Recorder()),
    });
    expect(events).to.deep.equal(['hooks 0', 'recorder 0', 'hooks 1', 'recorder 1']);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('rejects what is neither a callback nor hooks, naming the entry', () => {
    expect(() => combineCallbacks({ onEpochEnd: () => undefined }, null as never)).to.throw(TypeError,
      'combineCallbacks: callbacks[1] must be a tf.Callback or an object of hook functions (onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onYield); received null.');
    expect(() => combineCallbacks((() => undefined) as never)).to.throw(TypeError, 'callbacks[0] must be a tf.Callback or an object of hook functions');
    expect(() => combineCallbacks([{ onEpochEnd: () => undefined }] as never)).to.throw(TypeError, 'received an array.');
    expect(() => combineCallbacks({ onEpochEnds: () => undefined } as never)).to.throw(
      "combineCallbacks: callbacks[0] has an unknown hook 'onEpochEnds'; hooks are onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onYield.");
    expect(() => combineCallbacks({ onBatchEnd: 'log' } as never)).to.throw(TypeError,
      'combineCallbacks: callbacks[0].onBatchEnd must be a function; received string "log".');
  });
});
