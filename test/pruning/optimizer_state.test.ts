import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { maskOptimizerState, PrunableDense, prunableDense, pruneModel } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      prunableDense({ units: 12, activation: 'relu', inputShape: [6], name: 'h1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      prunableDense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

const xs = () => tf.randomNormal([16, 6], 0, 1, 'float32', 3);
const ys = () => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3);

async function trainSteps(model: tf.LayersModel, steps: number): Promise<void> {
  const [x, y] = [xs(), ys()];
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  tf.dispose([x, y]);
}

/** The optimizer's state tensors of `layer`'s kernel, by name, as arrays; their number is the number of slots. */
async function kernelState(model: tf.LayersModel, layer: PrunableDense): Promise<Map<string, Float32Array>> {
  const weights = await model.optimizer.getWeights();
  const prefix = `${layer.weightVariables.kernel.name}/`;
  const state = new Map(weights.filter((w) => w.name.startsWith(prefix)).map((w) => [w.name, w.tensor.dataSync() as Float32Array]));
  tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
  return state;
}

function kernelValues(layer: PrunableDense): Float32Array {
  return layer.weightVariables.kernel.read().dataSync() as Float32Array;
}

function maskValues(layer: PrunableDense): Float32Array {
  return layer.weightVariables.mask.read().dataSync() as Float32Array;
}

/** Optimizers of tf.train with the number of state variables each keeps per weight. */
const OPTIMIZERS: Array<{ name: string; make: () => tf.Optimizer; slots: number }> = [
  { name: 'sgd', make: () => tf.train.sgd(0.1), slots: 0 },
  { name: 'momentum', make: () => tf.train.momentum(0.1, 0.9), slots: 1 },
  { name: 'rmsprop with momentum', make: () => tf.train.rmsprop(0.01, 0.9, 0.9), slots: 2 },
  { name: 'adagrad', make: () => tf.train.adagrad(0.1), slots: 1 },
  { name: 'adadelta', make: () => tf.train.adadelta(1), slots: 2 },
  { name: 'adam', make: () => tf.train.adam(0.01), slots: 2 },
];

describeOnBackends('maskOptimizerState', () => {
  for (const { name, make, slots } of OPTIMIZERS) {
    it(`zeroes ${name}'s state at pruned weights, keeps the rest, and pruned weights then stay still`, async () => {
      const model = mlp();
      model.compile({ optimizer: make(), loss: 'categoricalCrossentropy' });
      await trainSteps(model, 3);
      pruneModel(model, { method: 'weight', sparsity: 0.6 });
      const h1 = model.getLayer('h1') as PrunableDense;
      const before = await kernelState(model, h1);
      expect(await maskOptimizerState(model)).to.equal(2 * slots);
      const after = await kernelState(model, h1);
      expect([...after.keys()]).to.deep.equal([...before.keys()]);
      const mask = maskValues(h1);
      for (const [slot, values] of after) {
        values.forEach((v, i) => expect(v, `${slot}[${i}]`).to.equal(mask[i] === 0 ? 0 : before.get(slot)![i]));
      }
      const pruned = kernelValues(h1);
      await trainSteps(model, 3);
      const trained = kernelValues(h1);
      trained.forEach((v, i) => {
        expect(Number.isFinite(v)).to.equal(true);
        if (mask[i] === 0) expect(v, `pruned kernel[${i}]`).to.equal(pruned[i]);
      });
      for (const values of (await kernelState(model, h1)).values()) {
        values.forEach((v, i) => mask[i] === 0 && expect(v).to.equal(0));
      }
      model.optimizer.dispose();
      model.dispose();
    });
  }

  it('is needed: without it, Adam momentum keeps moving pruned weights', async () => {
    const model = mlp();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await trainSteps(model, 3);
    pruneModel(model, { method: 'weight', sparsity: 0.6 });
    const h1 = model.getLayer('h1') as PrunableDense;
    const [mask, pruned] = [maskValues(h1), kernelValues(h1)];
    await trainSteps(model, 3);
    const trained = kernelValues(h1);
    expect(trained.some((v, i) => mask[i] === 0 && v !== pruned[i])).to.equal(true);
    model.optimizer.dispose();
    model.dispose();
  });

  it('masks only the selected layers', async () => {
    const model = mlp();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await trainSteps(model, 2);
    pruneModel(model, { method: 'weight', sparsity: 0.6 });
    const out = model.getLayer('out') as PrunableDense;
    const before = await kernelState(model, out);
    expect(await maskOptimizerState(model, ['h1'])).to.equal(2);
    expect(await kernelState(model, out)).to.deep.equal(before);
    model.optimizer.dispose();
    model.dispose();
  });

  it('changes nothing without an optimizer state to reach: not compiled, not trained yet, or adamax', async () => {
    const model = mlp();
    pruneModel(model, { method: 'weight', sparsity: 0.5 });
    expect(await maskOptimizerState(model)).to.equal(0);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    expect(await maskOptimizerState(model)).to.equal(0);
    model.optimizer.dispose();
    model.compile({ optimizer: tf.train.adamax(0.01), loss: 'categoricalCrossentropy' });
    await trainSteps(model, 2);
    expect(await maskOptimizerState(model)).to.equal(0);
    model.optimizer.dispose();
    model.dispose();
  });

  it("leaves alone state it cannot match to the model's trainable weights", async () => {
    const model = mlp();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await trainSteps(model, 2);
    pruneModel(model, { method: 'weight', sparsity: 0.6 });
    const h1 = model.getLayer('h1') as PrunableDense;
    const before = await kernelState(model, h1);
    // Frozen without a new compile: 2 trainable weights against Adam's 2 x 4 state variables of other shapes.
    model.getLayer('out').trainable = false;
    expect(await maskOptimizerState(model)).to.equal(0);
    expect(await kernelState(model, h1)).to.deep.equal(before);
    model.optimizer.dispose();
    model.dispose();
  });

  it('leaves no tensor behind', async () => {
    const model = mlp();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await trainSteps(model, 2);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['h1'] });
    await expectNoTensorLeak(() => maskOptimizerState(model));
    model.optimizer.dispose();
    model.dispose();
  });

  it('rejects what is not a model, and layers it does not have', async () => {
    expect((await rejection(maskOptimizerState({} as tf.LayersModel))).message).to.match(/^maskOptimizerState: model must be a tf\.LayersModel/);
    const model = mlp();
    expect((await rejection(maskOptimizerState(model, ['nope']))).message).to.match(/layers: the model has no layer named 'nope'/);
    model.dispose();
  });
});
