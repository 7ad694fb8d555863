import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { loadPrunableModel, maskOptimizerState, PrunableDense, prunableDense, pruneModel } from '../../src';
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

/** The MLP compiled with `optimizer` and trained `steps` steps: a model whose optimizer has state. */
async function trainedMlp(optimizer: tf.Optimizer, steps: number): Promise<tf.Sequential> {
  const model = mlp();
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  await trainSteps(model, steps);
  return model;
}

/** Disposes `model` and its optimizer, which `model.dispose()` leaves alone when it was given as an object. */
function disposeWithOptimizer(model: tf.LayersModel): void {
  model.optimizer.dispose();
  model.dispose();
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
      const model = await trainedMlp(make(), 3);
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
      disposeWithOptimizer(model);
    });
  }

  it('is needed: without it, Adam momentum keeps moving pruned weights', async () => {
    const model = await trainedMlp(tf.train.adam(0.01), 3);
    pruneModel(model, { method: 'weight', sparsity: 0.6 });
    const h1 = model.getLayer('h1') as PrunableDense;
    const [mask, pruned] = [maskValues(h1), kernelValues(h1)];
    await trainSteps(model, 3);
    const trained = kernelValues(h1);
    expect(trained.some((v, i) => mask[i] === 0 && v !== pruned[i])).to.equal(true);
    disposeWithOptimizer(model);
  });

  it('masks only the selected layers', async () => {
    const model = await trainedMlp(tf.train.adam(0.01), 2);
    pruneModel(model, { method: 'weight', sparsity: 0.6 });
    const out = model.getLayer('out') as PrunableDense;
    const before = await kernelState(model, out);
    expect(await maskOptimizerState(model, ['h1'])).to.equal(2);
    expect(await kernelState(model, out)).to.deep.equal(before);
    disposeWithOptimizer(model);
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
    disposeWithOptimizer(model);
  });

  it('matches state by position: a layer frozen after compile keeps its place', async () => {
    // Three kernels of one shape: matching by shape alone could not tell them apart.
    const model = tf.sequential({
      layers: ['a', 'b', 'c'].map((name, i) => prunableDense({ units: 6, inputShape: i === 0 ? [6] : undefined, name,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 10 + i }) })),
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const [x, y] = [tf.randomNormal([8, 6], 0, 1, 'float32', 4), tf.randomNormal([8, 6], 0, 1, 'float32', 5)];
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => model.getLayer(n) as PrunableDense);
    pruneModel(model, { method: 'weight', sparsity: 0.5, layers: ['b'] });
    const [beforeA, beforeB, beforeC] = await Promise.all([a, b, c].map((l) => kernelState(model, l)));
    a.trainable = false;
    expect(await maskOptimizerState(model, ['b'])).to.equal(2);
    expect(await kernelState(model, a)).to.deep.equal(beforeA);
    expect(await kernelState(model, c)).to.deep.equal(beforeC);
    const mask = maskValues(b);
    for (const [slot, values] of await kernelState(model, b)) {
      values.forEach((v, i) => expect(v, `${slot}[${i}]`).to.equal(mask[i] === 0 ? 0 : beforeB.get(slot)![i]));
    }
    tf.dispose([x, y]);
    disposeWithOptimizer(model);
  });

  it('masks the state of a model reloaded with its optimizer, whose state names are those of the saved model', async () => {
    const model = await trainedMlp(tf.train.adam(0.01), 3);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const reloaded = await loadPrunableModel(tf.io.fromMemory(saved!));
    const h1 = reloaded.getLayer('h1') as PrunableDense;
    const stateNames = (await reloaded.optimizer.getWeights()).map((w) => w.name);
    expect(stateNames).to.include(`${(model.getLayer('h1') as PrunableDense).weightVariables.kernel.name}/m`);
    expect(stateNames).not.to.include(`${h1.weightVariables.kernel.name}/m`);
    pruneModel(reloaded, { method: 'weight', sparsity: 0.6 });
    expect(await maskOptimizerState(reloaded)).to.equal(4);
    const pruned = kernelValues(h1);
    await trainSteps(reloaded, 3);
    const mask = maskValues(h1);
    kernelValues(h1).forEach((v, i) => mask[i] === 0 && expect(v, `pruned kernel[${i}]`).to.equal(pruned[i]));
    [model, reloaded].forEach(disposeWithOptimizer);
  });

  it('masks every place of a layer shared by two nested models', async () => {
    const shared = prunableDense({ units: 6, name: 'shared', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) });
    const branch = (name: string) => {
      const input = tf.input({ shape: [6] });
      return tf.model({ inputs: input, outputs: shared.apply(input) as tf.SymbolicTensor, name });
    };
    const [left, right] = [branch('left'), branch('right')];
    const input = tf.input({ shape: [6] });
    const sum = tf.layers.add().apply([left.apply(input), right.apply(input)] as tf.SymbolicTensor[]);
    const output = prunableDense({ units: 3, activation: 'softmax', name: 'out' }).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await trainSteps(model, 2);
    pruneModel(model, { method: 'weight', sparsity: 0.5, layers: ['shared'] });
    // Listed twice among the trained weights, so Adam keeps two m and two v for its kernel.
    expect(await maskOptimizerState(model, ['shared'])).to.equal(4);
    const mask = maskValues(shared);
    const state = await model.optimizer.getWeights();
    const kernelSlots = state.filter((w) => w.name.startsWith(`${shared.weightVariables.kernel.name}/`));
    expect(kernelSlots).to.have.length(4);
    for (const slot of kernelSlots) slot.tensor.dataSync().forEach((v, i) => mask[i] === 0 && expect(v).to.equal(0));
    tf.dispose(state.filter((w) => w.name === 'iter').map((w) => w.tensor));
    disposeWithOptimizer(model);
  });

  it('leaves alone optimizer state that is not one entry per trained weight', async () => {
    /** SGD with one extra scalar of state, as a custom optimizer might keep. */
    class ScaledSgd extends tf.SGDOptimizer {
      readonly scale = tf.variable(tf.scalar(1));
      override async getWeights(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
        return [{ name: 'scale', tensor: this.scale }];
      }
      override dispose(): void {
        this.scale.dispose();
        super.dispose();
      }
    }
    const model = await trainedMlp(new ScaledSgd(0.1), 2);
    pruneModel(model, { method: 'weight', sparsity: 0.6 });
    expect(await maskOptimizerState(model)).to.equal(0);
    expect((model.optimizer as ScaledSgd).scale.dataSync()[0]).to.equal(1);
    disposeWithOptimizer(model);
  });

  it('leaves no tensor behind', async () => {
    const model = await trainedMlp(tf.train.adam(0.01), 2);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['h1'] });
    await expectNoTensorLeak(() => maskOptimizerState(model));
    disposeWithOptimizer(model);
  });

  it('rejects what is not a model, and layers it does not have', async () => {
    expect((await rejection(maskOptimizerState({} as tf.LayersModel))).message).to.match(/^maskOptimizerState: model must be a tf\.LayersModel/);
    const model = mlp();
    expect((await rejection(maskOptimizerState(model, ['nope']))).message).to.match(/layers: the model has no layer named 'nope'/);
    model.dispose();
  });
});
