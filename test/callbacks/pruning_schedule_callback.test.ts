import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  combineCallbacks,
  ConstantSparsity,
  findPrunableLayers,
  layerPruningReport,
  PolynomialDecay,
  PrunableDense,
  prunableDense,
  PruningScheduleCallback,
  pruningScheduleCallback,
  PruningScheduleCallbackArgs,
  prunableConv2d,
  prunableDepthwiseConv2d,
  prunableSeparableConv2d,
} from '../../src';
import { selectNMMask } from '../../src/masks/nm_selection';
import { expectSameArray } from '../masks/reference';
import { describeOnBackends } from '../support/backends';
import { countZeroColumns, countZeros } from '../support/counts';
import { expectNoTensorLeak } from '../support/memory';
import { mulberry32 } from '../support/random';

const INPUTS = 8;
const CLASSES = 3;

/** A 3-class task: the label is the argmax of a fixed random linear map of x ∈ [-1, 1]^8; `seed` draws the samples. */
function task(n: number, seed: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const rng = mulberry32(1);
  const w = Array.from({ length: INPUTS * CLASSES }, () => rng() * 2 - 1);
  const data = mulberry32(seed);
  const x = new Float32Array(n * INPUTS);
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    const scores = new Array<number>(CLASSES).fill(0);
    for (let j = 0; j < INPUTS; j++) {
      const v = (x[i * INPUTS + j] = data() * 2 - 1);
      for (let c = 0; c < CLASSES; c++) scores[c] += v * w[j * CLASSES + c];
    }
    y[i * CLASSES + scores.indexOf(Math.max(...scores))] = 1;
  }
  return { xs: tf.tensor2d(x, [n, INPUTS]), ys: tf.tensor2d(y, [n, CLASSES]) };
}

function mlp(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      prunableDense({ units: 32, activation: 'relu', inputShape: [INPUTS], name: 'hidden' }),
      prunableDense({ units: CLASSES, activation: 'softmax', name: 'out' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function prunable(model: tf.LayersModel): PrunableDense[] {
  return model.layers.filter((l): l is PrunableDense => l instanceof PrunableDense);
}

function maskValues(layer: PrunableDense): Float32Array {
  return layer.weightVariables.mask.read().dataSync() as Float32Array;
}

/** Runs `work` with console.log captured; returns the lines. */
async function captureLog(work: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await work();
  } finally {
    console.log = original;
  }
  return lines;
}

/** The steps named by verbose lines. */
function updateSteps(lines: string[]): number[] {
  return lines.map((line) => Number(/step (\d+):/.exec(line)?.[1]));
}

const polynomial = (endStep: number, frequency: number, finalSparsity = 0.9) =>
  new PolynomialDecay({ initialSparsity: 0, finalSparsity, beginStep: 0, endStep, frequency });

// 256 samples in batches of 32: 8 steps per epoch.
const FIT = { batchSize: 32, verbose: 0 as const, shuffle: false };

describe('PruningScheduleCallback', () => {
  let data: { xs: tf.Tensor2D; ys: tf.Tensor2D };
  before(() => {
    data = task(256, 7);
  });
  after(() => {
    tf.dispose([data.xs, data.ys]);
  });

  it('reaches exactly round(0.9·size) zeros per layer by weight, masks only growing and pruned weights staying zero', async () => {
    const model = mlp();
    const layers = prunable(model);
    let previous = layers.map((l) => maskValues(l).slice());
    let checks = 0;
    const watcher = {
      onBatchEnd: async () => {
        layers.forEach((layer, i) => {
          const mask = maskValues(layer);
          const effective = tf.tidy(() => tf.mul(layer.weightVariables.kernel.read(), layer.weightVariables.mask.read()).dataSync());
          for (let j = 0; j < mask.length; j++) {
            if (previous[i][j] === 0) expect(mask[j], `${layer.name} mask[${j}] regrew`).to.equal(0);
            if (mask[j] === 0) expect(effective[j]).to.equal(0);
          }
          previous[i] = mask.slice();
        });
        checks++;
      },
    };
    // endStep 25 is not a multiple of the frequency 10: updates at 0, 10, 20 and 25.
    const callback = new PruningScheduleCallback({ schedule: polynomial(25, 10), verbose: true });
    const lines = await captureLog(() =>
      model.fit(data.xs, data.ys, { ...FIT, epochs: 4, callbacks: combineCallbacks(callback, watcher) }));
    expect(checks).to.equal(32);
    expect(callback.step).to.equal(32);
    expect(updateSteps(lines)).to.deep.equal([0, 10, 20, 25]);
    // 230 of 256 and 86 of 96 kernel entries: 316 / 352.
    expect(lines[3]).to.equal('PruningScheduleCallback: step 25: target sparsity 0.9000, sparsity 0.8977 over 2 layer(s)');
    for (const layer of layers) {
      const mask = maskValues(layer);
      expect(countZeros(mask), layer.name).to.equal(Math.round(0.9 * mask.length));
    }
    model.dispose();
  });

  it("zeroes the optimizer's state at pruned weights, so they keep their values through training", async () => {
    const model = mlp();
    const layers = prunable(model);
    const kernel = (layer: PrunableDense) => layer.weightVariables.kernel.read().dataSync() as Float32Array;
    let previous = layers.map((l) => ({ mask: maskValues(l).slice(), kernel: kernel(l).slice() }));
    let moved = 0;
    const watcher = {
      onBatchEnd: async () => {
        layers.forEach((layer, i) => {
          const now = kernel(layer);
          previous[i].mask.forEach((m, j) => m === 0 && now[j] !== previous[i].kernel[j] && moved++);
        });
        previous = layers.map((l) => ({ mask: maskValues(l).slice(), kernel: kernel(l).slice() }));
      },
    };
    const callback = new PruningScheduleCallback({ schedule: polynomial(20, 5) });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 4, callbacks: combineCallbacks(callback, watcher) });
    expect(moved, 'pruned kernel entries that moved').to.equal(0);
    const state = await model.optimizer.getWeights();
    for (const layer of layers) {
      const mask = maskValues(layer);
      const slots = state.filter((w) => w.name.startsWith(`${layer.weightVariables.kernel.name}/`));
      expect(slots.map((w) => w.name.split('/').pop())).to.deep.equal(['m', 'v']);
      for (const slot of slots) {
        const values = slot.tensor.dataSync();
        mask.forEach((m, j) => m === 0 && expect(values[j], `${slot.name}[${j}]`).to.equal(0));
      }
    }
    tf.dispose(state.filter((w) => w.name === 'iter').map((w) => w.tensor));
    model.dispose();
  });

  it('prunes whole units with method unit, with per-layer overrides', async () => {
    const model = mlp();
    const callback = new PruningScheduleCallback({ schedule: polynomial(15, 5), method: 'unit', methods: { out: 'weight' } });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] });
    const [hidden, out] = prunable(model);
    expect(countZeroColumns(maskValues(hidden), INPUTS, 32)).to.equal(Math.round(0.9 * 32));
    expect(countZeros(maskValues(hidden))).to.equal(Math.round(0.9 * 32) * INPUTS);
    expect(countZeros(maskValues(out))).to.equal(Math.round(0.9 * 32 * CLASSES));
    model.dispose();
  });

  it("leaves the output layer alone with method 'unit' unless named", async () => {
    const model = mlp();
    const callback = new PruningScheduleCallback({ schedule: polynomial(15, 5), method: 'unit' });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] });
    const [hidden, out] = prunable(model);
    expect(countZeroColumns(maskValues(hidden), INPUTS, 32)).to.equal(Math.round(0.9 * 32));
    expect(countZeros(maskValues(out))).to.equal(0);
    model.dispose();
  });

  it('reads per-layer methods by own name only: a layer named toString uses method', async () => {
    const model = tf.sequential({ layers: [prunableDense({ units: 10, inputShape: [INPUTS], name: 'toString' })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const callback = new PruningScheduleCallback({ schedule: polynomial(4, 2, 0.5), method: 'unit', layers: ['toString'] });
    const ys = tf.zeros([256, 10]);
    await model.fit(data.xs, ys, { ...FIT, epochs: 1, callbacks: [callback] });
    expect(countZeroColumns(maskValues(model.layers[0] as PrunableDense), INPUTS, 10)).to.equal(5);
    ys.dispose();
    model.dispose();
  });

  it('prunes only the selected layers, nested models included', async () => {
    const inner = tf.sequential({ name: 'inner', layers: [prunableDense({ units: 16, activation: 'relu', inputShape: [INPUTS], name: 'inner_dense' })] });
    const input = tf.input({ shape: [INPUTS] });
    const hidden = inner.apply(input) as tf.SymbolicTensor;
    const output = prunableDense({ units: CLASSES, activation: 'softmax', name: 'head' }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const all = new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5, frequency: 1 }) });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [all] });
    const innerDense = inner.getLayer('inner_dense') as PrunableDense;
    const head = model.getLayer('head') as PrunableDense;
    expect(innerDense.sparsity()).to.equal(0.5);
    expect(head.sparsity()).to.equal(0.5);

    const model2 = mlp();
    const some = new PruningScheduleCallback({ schedule: polynomial(8, 4), layers: ['hidden'] });
    const history = await model2.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [some] });
    expect((model2.getLayer('hidden') as PrunableDense).sparsity()).to.equal(Math.round(0.9 * 256) / 256);
    expect((model2.getLayer('out') as PrunableDense).sparsity()).to.equal(0);
    // The logged sparsity is the model's: over every PrunableDense, the unselected 'out' included.
    expect(history.history.sparsity).to.have.length(1);
    expect(history.history.sparsity[0]).to.be.closeTo(Math.round(0.9 * 256) / (256 + 96), 1e-12);
    expect(history.history.targetSparsity).to.deep.equal([0.9]);
    model.dispose();
    model2.dispose();
  });

  it('prunes PrunableDense layers inside a TimeDistributed wrapper', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.timeDistributed({ layer: prunableDense({ units: 4, activation: 'relu', name: 'step_dense' }), inputShape: [2, INPUTS / 2], name: 'td' }),
        tf.layers.flatten(),
        prunableDense({ units: CLASSES, activation: 'softmax', name: 'out' }),
      ],
    });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const xs = data.xs.reshape([256, 2, INPUTS / 2]);
    const callback = new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5, frequency: 1 }) });
    const history = await model.fit(xs, data.ys, { ...FIT, epochs: 1, callbacks: [callback] });
    const wrapped = (model.getLayer('td') as unknown as { layer: PrunableDense }).layer;
    expect(wrapped.name).to.equal('step_dense');
    expect(wrapped.sparsity()).to.equal(0.5);
    expect((model.getLayer('out') as PrunableDense).sparsity()).to.equal(0.5);
    expect(history.history.sparsity).to.deep.equal([0.5]);
    xs.dispose();
    model.dispose();
  });

  it('counts steps across epochs and fit calls, logs sparsity and target per epoch, and keeps masks after endStep', async () => {
    const model = mlp();
    const callback = pruningScheduleCallback({ schedule: polynomial(20, 6, 0.8), verbose: true });
    const fits: tf.History[] = [];
    const lines = await captureLog(async () => {
      fits.push(await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] }));
      expect(callback.step).to.equal(16);
      fits.push(await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] }));
    });
    expect(callback.step).to.equal(32);
    // Step 16 ends the first fit and begins the second: one update only.
    expect(updateSteps(lines)).to.deep.equal([0, 6, 12, 18, 20]);
    const schedule = callback.schedule;
    expect(fits[0].history.targetSparsity).to.deep.equal([schedule.sparsityAt(8), schedule.sparsityAt(16)]);
    expect(fits[1].history.targetSparsity).to.deep.equal([0.8, 0.8]);
    const size = 256 + 96;
    const expected = (s: number) => (Math.round(s * 256) + Math.round(s * 96)) / size;
    expect(fits[0].history.sparsity[0]).to.be.closeTo(expected(schedule.sparsityAt(6)), 1e-12);
    expect(fits[0].history.sparsity[1]).to.be.closeTo(expected(schedule.sparsityAt(12)), 1e-12);
    expect(fits[1].history.sparsity[0]).to.be.closeTo(expected(0.8), 1e-12);
    expect(fits[1].history.sparsity[1]).to.be.closeTo(expected(0.8), 1e-12);
    expect(fits[1].history.loss).to.have.length(2);
    // Updates at 0, 6, 12, 18, 20; the epochs end at steps 8, 16, 24, 32.
    expect(fits[0].history.appliedSparsity).to.deep.equal([schedule.sparsityAt(6), schedule.sparsityAt(12)]);
    expect(fits[0].history.nextUpdateStep).to.deep.equal([12, 18]);
    expect(fits[1].history.appliedSparsity).to.deep.equal([0.8, 0.8]);
    expect(fits[1].history.nextUpdateStep).to.deep.equal([-1, -1]);
    model.dispose();
  });

  it('logs what the last update applied and when the next comes: a target that rises between updates is not applied yet', async () => {
    const model = mlp();
    // The default frequency, 100, on 8 steps per epoch: the only update in 4 epochs is step 0's, to 0.
    const rising = new PruningScheduleCallback({ schedule: new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 1000 }) });
    const history = await model.fit(data.xs, data.ys, { ...FIT, epochs: 4, callbacks: [rising] });
    expect(history.history.targetSparsity).to.deep.equal([8, 16, 24, 32].map((s) => rising.schedule.sparsityAt(s)));
    expect(history.history.targetSparsity[3]).to.be.above(0.07);
    expect(history.history.sparsity).to.deep.equal([0, 0, 0, 0]);
    expect(history.history.appliedSparsity).to.deep.equal([0, 0, 0, 0]);
    expect(history.history.nextUpdateStep).to.deep.equal([100, 100, 100, 100]);
    // Before the first update (beginStep 12): NaN, then the target; no update after endStep.
    const later = new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5, beginStep: 12, endStep: 20, frequency: 5 }) });
    const model2 = mlp();
    const history2 = await model2.fit(data.xs, data.ys, { ...FIT, epochs: 3, callbacks: [later] });
    expect(history2.history.appliedSparsity).to.deep.equal([NaN, 0.5, 0.5]);
    expect(history2.history.nextUpdateStep).to.deep.equal([12, 17, -1]);
    expect(history2.history.sparsity).to.deep.equal([0, 0.5, 0.5]);
    model.dispose();
    model2.dispose();
  });

  it('works with fitDataset', async () => {
    const model = mlp();
    const dataset = tf.data.zip({ xs: tf.data.array(tf.unstack(data.xs)), ys: tf.data.array(tf.unstack(data.ys)) }).batch(32);
    const callback = new PruningScheduleCallback({ schedule: polynomial(12, 4, 0.75) });
    const history = await model.fitDataset(dataset as tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>, { epochs: 2, verbose: 0, callbacks: [callback] });
    expect(callback.step).to.equal(16);
    for (const layer of prunable(model)) expect(countZeros(maskValues(layer))).to.equal(Math.round(0.75 * maskValues(layer).length));
    expect(history.history.targetSparsity).to.deep.equal([callback.schedule.sparsityAt(8), 0.75]);
    model.dispose();
  });

  it('runs next to tf.callbacks.earlyStopping and plain hooks combined with combineCallbacks', async () => {
    const model = mlp();
    const callback = new PruningScheduleCallback({ schedule: polynomial(8, 2, 0.5) });
    const seen: number[] = [];
    // Any epoch after the first fails to improve the loss by 10: training stops after epoch 2.
    const stop = tf.callbacks.earlyStopping({ monitor: 'loss', minDelta: 10, patience: 0 });
    const history = await model.fit(data.xs, data.ys, {
      ...FIT,
      epochs: 10,
      callbacks: combineCallbacks(callback, stop, { onEpochEnd: (_epoch, logs) => void seen.push(logs?.sparsity as number) }),
    });
    expect(history.epoch).to.deep.equal([0, 1]);
    expect(callback.step).to.equal(16);
    expect(seen).to.deep.equal(history.history.sparsity);
    for (const layer of prunable(model)) expect(layer.sparsity()).to.equal(0.5);
    // The TF.js pitfall combineCallbacks avoids: a plain object after a callback object.
    const bare = new PruningScheduleCallback({ schedule: polynomial(8, 2, 0.5) });
    const mixed = [bare, { onEpochEnd: () => undefined }] as unknown as tf.Callback[];
    let failure: unknown;
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: mixed }).catch((e) => (failure = e));
    expect(String(failure)).to.equal('TypeError: callback.setParams is not a function');
    // And before one: TF.js wraps the callback as plain hooks, calling them on another object (the guide quotes both).
    const wrapped = [{ onEpochEnd: () => undefined }, new PruningScheduleCallback({ schedule: polynomial(8, 2, 0.5) })] as unknown as tf.Callback[];
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: wrapped }).catch((e) => (failure = e));
    expect(String(failure)).to.equal('TypeError: this.updateMasks is not a function');
    model.dispose();
  });

  it('learns a simple task while reaching 80% sparsity', async () => {
    const model = mlp();
    const test = task(512, 8);
    const callback = new PruningScheduleCallback({ schedule: polynomial(120, 10, 0.8) });
    const history = await model.fit(data.xs, data.ys, { ...FIT, epochs: 25, callbacks: [callback] });
    const sparsity = history.history.sparsity as number[];
    expect(sparsity[sparsity.length - 1]).to.be.closeTo((Math.round(0.8 * 256) + Math.round(0.8 * 96)) / 352, 1e-12);
    const accuracy = tf.tidy(() => tf.metrics.categoricalAccuracy(test.ys, model.predict(test.xs) as tf.Tensor).mean().dataSync()[0]);
    expect(accuracy).to.be.above(0.85); // chance is 1/3
    tf.dispose([test.xs, test.ys]);
    model.dispose();
  });

  it('leaves no tensor behind: as many tensors after a long fit with many updates as after a short one', async () => {
    const model = mlp();
    const fit = (epochs: number, frequency: number) => model.fit(data.xs, data.ys, {
      ...FIT, epochs, callbacks: [new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5, frequency }), method: 'unit' })],
    });
    await fit(1, 100); // creates the optimizer's variables
    await expectNoTensorLeak(() => fit(1, 100));
    await expectNoTensorLeak(async () => {
      await fit(10, 1);
      await fit(5, 3);
    });
    model.dispose();
  });

  it('rejects bad options at construction with clear errors', () => {
    const schedule = polynomial(10, 1);
    const bad = (args: unknown) => () => new PruningScheduleCallback(args as PruningScheduleCallbackArgs);
    expect(bad(undefined)).to.throw(TypeError,
      'PruningScheduleCallback needs options {schedule, schedules?, method?, methods?, layers?, scope?, n?, m?, seed?, blockShape?, verbose?, initialStep?}; received undefined.');
    expect(bad({})).to.throw(TypeError, 'PruningScheduleCallback: schedule must be a PruningSchedule such as new PolynomialDecay({...}) or new ConstantSparsity({...}); received undefined.');
    expect(bad({ schedule: { sparsityAt: () => 0.5 } })).to.throw(TypeError, 'schedule must be a PruningSchedule');
    expect(bad({ schedule, sparsity: 0.5 })).to.throw("PruningScheduleCallback: unknown option 'sparsity'; options are schedule, schedules, method, methods, layers, verbose, initialStep, scope, n, m, seed, blockShape, roundTo.");
    expect(bad({ schedule, method: 'magnitude' })).to.throw("PruningScheduleCallback: method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"magnitude\".");
    expect(bad({ schedule, methods: ['unit'] })).to.throw(TypeError, "PruningScheduleCallback: methods must be an object mapping layer names to methods ('weight', 'unit', 'nm', 'random', 'channel'); received an array.");
    expect(bad({ schedule, methods: { out: 'column' } })).to.throw("PruningScheduleCallback: methods['out'] must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"column\".");
    expect(bad({ schedule, layers: 'hidden' })).to.throw(TypeError, 'PruningScheduleCallback: layers must be an array of layer names or prunable layers; received string "hidden".');
    expect(bad({ schedule, layers: [] })).to.throw('PruningScheduleCallback: layers must select at least one layer; received an empty array.');
    expect(bad({ schedule, layers: ['hidden', tf.layers.dense({ units: 2, name: 'extra' })] })).to.throw(TypeError,
      "PruningScheduleCallback: layers[1] must be a layer name or a prunable layer; received a Dense layer 'extra'.");
    expect(bad({ schedule, layers: [3] })).to.throw(TypeError, 'PruningScheduleCallback: layers[0] must be a layer name or a prunable layer; received 3.');
    expect(bad({ schedule, methods: null })).to.throw(TypeError, "PruningScheduleCallback: methods must be an object mapping layer names to methods ('weight', 'unit', 'nm', 'random', 'channel'); received null.");
    expect(bad({ schedule, verbose: 2 })).to.throw(TypeError, 'PruningScheduleCallback: verbose must be true, false, 1 or 0; received 2.');
    expect(bad({ schedule, verbose: 1 })).to.not.throw();
    expect(bad({ schedule, verbose: 0 })).to.not.throw();
    expect(bad({ schedule, initialStep: -3 })).to.throw(RangeError, 'PruningScheduleCallback: initialStep must be a non-negative integer; received -3');
    expect(bad({ schedule, initialStep: '5' })).to.throw(TypeError, 'PruningScheduleCallback: initialStep must be a non-negative integer; received string "5"');
  });

  it('checks layer names when training begins, before any mask changes', async () => {
    const schedule = polynomial(8, 1, 0.5);
    const cases: Array<[Partial<PruningScheduleCallbackArgs>, string | RegExp]> = [
      [{ layers: ['hidden', 'nope'] }, "PruningScheduleCallback: layers: the model has no layer named 'nope'; its prunable layers are: 'hidden', 'out'."],
      [{ methods: { hidden: 'unit', nope: 'unit' } }, "PruningScheduleCallback: methods names 'nope', which is not a pruned layer; the pruned layers are 'hidden', 'out'."],
      [{ layers: ['hidden'], methods: { out: 'unit' } }, "PruningScheduleCallback: methods names 'out', which is not a pruned layer; the pruned layers are 'hidden'."],
    ];
    for (const [options, message] of cases) {
      const model = mlp();
      let failure: unknown;
      await model.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [new PruningScheduleCallback({ schedule, ...options })] })
        .catch((e) => (failure = e));
      expect(failure).to.be.instanceOf(Error);
      expect((failure as Error).message).to.equal(message);
      for (const layer of prunable(model)) expect(layer.sparsity()).to.equal(0);
      model.dispose();
    }
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: CLASSES, inputShape: [INPUTS] })] });
    dense.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await dense.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [new PruningScheduleCallback({ schedule })] })
      .then(() => expect.fail('fit should fail'), (e: Error) => expect(e.message).to.equal(
        "PruningScheduleCallback: the model has no prunable layer to prune; build it with prunable layers (prunableDense instead of " +
        "tf.layers.dense, prunableConv2d instead of tf.layers.conv2d...) or convert it with makePrunable."));
    dense.dispose();
  });

  it('follows one model', async () => {
    const [a, b] = [mlp(), mlp()];
    const callback = new PruningScheduleCallback({ schedule: polynomial(8, 1, 0.5) });
    await a.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [callback] });
    await b.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [callback] })
      .then(() => expect.fail('fit should fail'), (e: Error) => expect(e.message).to.equal(
        'PruningScheduleCallback: this callback already follows another model; create one PruningScheduleCallback per model.'));
    for (const layer of prunable(b)) expect(layer.sparsity()).to.equal(0);
    a.dispose();
    b.dispose();
  });
});

describe('PruningScheduleCallback: schedules, scope and methods', () => {
  let data: { xs: tf.Tensor2D; ys: tf.Tensor2D };
  before(() => {
    data = task(256, 7);
  });
  after(() => {
    tf.dispose([data.xs, data.ys]);
  });

  it('prunes the layers schedules names by their own schedule, the others by schedule', async () => {
    const model = mlp();
    const callback = new PruningScheduleCallback({
      schedule: polynomial(15, 5), schedules: { out: new ConstantSparsity({ targetSparsity: 0.3, beginStep: 4, endStep: 4 }) }, verbose: true,
    });
    const lines = await captureLog(() => model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] }));
    expect(updateSteps(lines)).to.deep.equal([0, 4, 5, 10, 15]);
    expect(lines[1]).to.match(/^PruningScheduleCallback: step 4: target sparsity 0\.3000, sparsity [0-9.]+ over 1 layer\(s\)$/);
    const [hidden, out] = prunable(model);
    expect(countZeros(maskValues(hidden))).to.equal(Math.round(0.9 * 256));
    expect(countZeros(maskValues(out))).to.equal(Math.round(0.3 * 96));
    model.dispose();
  });

  it("reaches n:m at the schedule's begin step with 'nm' and keeps it; pruned weights keep their values", async () => {
    const model = mlp();
    const layers = prunable(model);
    const seen: Array<{ step: number; masks: Float32Array[] }> = [];
    const watcher = {
      onBatchEnd: async () => {
        const masks = layers.map((l) => maskValues(l).slice());
        if (callback.step === 3) {
          // The ranking just made: every group of 4 inputs of a unit keeps its 2 largest.
          layers.forEach((l, i) => expectSameArray(masks[i],
            selectNMMask(l.weightVariables.kernel.read().dataSync(), l.weightVariables.kernel.shape as number[], 0, 2, 4), l.name));
        }
        seen.push({ step: callback.step as number, masks });
      },
    };
    const callback = new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.8, beginStep: 3, frequency: 2 }), method: 'nm' });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: combineCallbacks(callback, watcher) });
    for (const { step, masks } of seen) {
      masks.forEach((mask, i) => expect(countZeros(mask), `step ${step} ${layers[i].name}`).to.equal(step < 3 ? 0 : mask.length / 2));
      if (step > 3) masks.forEach((mask, i) => expectSameArray(mask, seen[2].masks[i], `step ${step} kept`));
    }
    model.dispose();
  });

  it("ranks all layers together with scope 'global': exact total count, layers at different sparsities", async () => {
    const model = mlp();
    const callback = new PruningScheduleCallback({ schedule: polynomial(10, 5, 0.8), scope: 'global' });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] });
    const [hidden, out] = prunable(model);
    expect(countZeros(maskValues(hidden)) + countZeros(maskValues(out))).to.equal(Math.round(0.8 * 352));
    expect(hidden.sparsity()).to.not.equal(out.sparsity());
    model.dispose();
  });

  it("prunes reproducibly with 'random' and a seed, whatever the weights", async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const model = mlp();
      const callback = new PruningScheduleCallback({ schedule: polynomial(8, 4, 0.6), method: 'random', seed: 21, methods: { out: 'weight' } });
      await model.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [callback] });
      runs.push(prunable(model).map((l) => maskValues(l).slice()));
      model.dispose();
    }
    expectSameArray(runs[0][0], runs[1][0], 'hidden, seed 21');
    expect(countZeros(runs[0][0])).to.equal(Math.round(0.6 * 256));
    expect(countZeros(runs[0][1])).to.equal(Math.round(0.6 * 96));
  });

  it('checks schedules and N:M layers when training begins, before any mask changes', async () => {
    const schedule = polynomial(8, 1, 0.5);
    const cases: Array<[() => tf.LayersModel, Partial<PruningScheduleCallbackArgs>, string]> = [
      [mlp, { schedules: { nope: schedule } }, "PruningScheduleCallback: schedules names 'nope', which is not a pruned layer; the pruned layers are 'hidden', 'out'."],
      [mlp, { layers: ['hidden'], schedules: { out: schedule } }, "PruningScheduleCallback: schedules names 'out', which is not a pruned layer; the pruned layers are 'hidden'."],
      [mlp, { method: 'nm', m: 12, methods: { hidden: 'weight' } },
        "PruningScheduleCallback: PrunableDense 'out': 'kernel': the input axis (axis 0 of shape [32, 3], length 32) must be a multiple of m = 12 for N:M pruning"],
      [() => {
        const model = tf.sequential({ layers: [prunableDepthwiseConv2d({ kernelSize: 1, inputShape: [2, 2, 2], name: 'dw' }), tf.layers.flatten(), prunableDense({ units: CLASSES, name: 'out' })] });
        model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        return model;
      }, { method: 'nm', m: 2 }, "PruningScheduleCallback: PrunableDepthwiseConv2D 'dw': method 'nm' groups entries along an input axis"],
    ];
    for (const [make, options, message] of cases) {
      const model = make();
      const xs = model.inputs[0].shape.length === 2 ? data.xs : tf.zeros([256, 2, 2, 2]);
      let failure: unknown;
      await model.fit(xs, data.ys, { ...FIT, epochs: 1, callbacks: [new PruningScheduleCallback({ schedule, ...options })] }).catch((e) => (failure = e));
      expect(failure, message).to.be.instanceOf(Error);
      expect((failure as Error).message).to.include(message);
      for (const layer of findPrunableLayers(model)) expect(layer.sparsity()).to.equal(0);
      if (xs !== data.xs) xs.dispose();
      model.dispose();
    }
  });

  it('warns once when training ends before the schedule pruned anything, naming beginStep and frequency', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    const model = mlp();
    const small = { xs: data.xs.slice(0, 192), ys: data.ys.slice(0, 192) }; // 6 batches of 32
    try {
      const callback = new PruningScheduleCallback({ schedule: new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 1000 }) });
      await model.fit(small.xs, small.ys, { ...FIT, epochs: 1, callbacks: [callback] });
      await model.fit(small.xs, small.ys, { ...FIT, epochs: 1, callbacks: [callback] });
      expect(warnings).to.deep.equal(["PruningScheduleCallback: training ended at step 6 with no mask pruned yet; the schedule's next update is " +
        'at step 100 (beginStep 0, frequency 100). Train for more steps, or lower frequency or beginStep.']);
      // A schedule that prunes within the fit says nothing.
      const quick = new PruningScheduleCallback({ schedule: new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 4, frequency: 2 }) });
      await model.fit(small.xs, small.ys, { ...FIT, epochs: 1, callbacks: [quick] });
      expect(warnings).to.have.length(1);
    } finally {
      console.warn = warn;
      tf.dispose([small.xs, small.ys]);
      model.dispose();
    }
  });

  it("checks a custom schedule's sparsity where it enters, before any mask changes", async () => {
    class Overshoot extends PolynomialDecay {
      override sparsityAt(): number {
        return 1.5;
      }
    }
    const model = mlp();
    const callback = new PruningScheduleCallback({ schedule: new Overshoot({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 4, frequency: 1 }) });
    let failure: unknown;
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 1, callbacks: [callback] }).catch((e) => (failure = e));
    expect(failure).to.be.instanceOf(RangeError);
    expect((failure as Error).message).to.equal('sparsity must be a number in [0, 1]; received 1.5');
    for (const layer of findPrunableLayers(model)) expect(layer.sparsity()).to.equal(0);
    model.dispose();
  });

  it('rejects bad schedules and selection options at construction', () => {
    const schedule = polynomial(10, 1);
    const bad = (args: unknown) => () => new PruningScheduleCallback(args as PruningScheduleCallbackArgs);
    expect(bad({ schedule, schedules: { out: { targetSparsity: 0.5 } } })).to.throw(TypeError,
      "PruningScheduleCallback: schedules['out'] must be a PruningSchedule such as new PolynomialDecay({...}) or new ConstantSparsity({...}); received an object.");
    expect(bad({ schedule, schedules: [schedule] })).to.throw(TypeError,
      'PruningScheduleCallback: schedules must be an object mapping layer names to PruningSchedules; received an array.');
    expect(bad({ schedule, schedules: { out: schedule }, scope: 'global' })).to.throw(
      "PruningScheduleCallback: scope 'global' ranks all the selected layers to one sparsity, so it takes one schedule; give per-layer schedules with scope 'layer'.");
    expect(bad({ schedule, n: 2 })).to.throw("PruningScheduleCallback: n applies to method 'nm' only; the method is 'weight'.");
    expect(bad({ schedule, method: 'unit', seed: 2 })).to.throw("PruningScheduleCallback: seed applies to method 'random' only; the method is 'unit'.");
    expect(bad({ schedule, method: 'nm', n: 3, m: 2 })).to.throw(RangeError, 'PruningScheduleCallback: n must be an integer in [1, m = 2]');
    expect(bad({ schedule, method: 'nm', scope: 'global' })).to.throw("PruningScheduleCallback: scope 'global' does not apply to method 'nm'");
    expect(bad({ schedule, blockShape: [0, 1] })).to.throw('PruningScheduleCallback: blockShape must be [rows, cols], two positive integers; received [0, 1].');
    expect(bad({ schedule, scope: 'model' })).to.throw("PruningScheduleCallback: scope must be one of 'layer', 'global'; received string \"model\".");
    // Options for a method only `methods` uses are fine.
    expect(bad({ schedule, method: 'unit', methods: { out: 'weight' }, blockShape: [2, 1] })).to.not.throw();
    expect(bad({ schedule, methods: { out: 'nm' }, n: 1, m: 2 })).to.not.throw();
  });
});

describeOnBackends('PruningScheduleCallback resuming a reloaded model', () => {
  let data: { xs: tf.Tensor2D; ys: tf.Tensor2D };
  before(() => {
    data = task(128, 11);
  });
  after(() => {
    tf.dispose([data.xs, data.ys]);
  });

  // 128 samples in batches of 32: 4 steps per epoch; updates every 3 steps up to 14.
  const schedule = () => polynomial(14, 3, 0.75);

  async function trainAndReload(includeOptimizer: boolean): Promise<tf.LayersModel> {
    const model = mlp();
    const callback = new PruningScheduleCallback({ schedule: schedule() });
    await model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] });
    expect(callback.step).to.equal(8);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }), { includeOptimizer });
    model.dispose();
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    // Step 8 is no update step: the masks are those of step 6.
    const expected = schedule().sparsityAt(6);
    for (const layer of prunable(loaded)) expect(countZeros(maskValues(layer))).to.equal(Math.round(expected * maskValues(layer).length));
    return loaded;
  }

  async function resume(model: tf.LayersModel, args: Partial<PruningScheduleCallbackArgs>): Promise<string[]> {
    const callback = new PruningScheduleCallback({ schedule: schedule(), verbose: true, ...args });
    const lines = await captureLog(() => model.fit(data.xs, data.ys, { ...FIT, epochs: 2, callbacks: [callback] }));
    expect(callback.step).to.equal(16);
    for (const layer of prunable(model)) expect(countZeros(maskValues(layer))).to.equal(Math.round(0.75 * maskValues(layer).length));
    return lines;
  }

  it('continues the schedule from the optimizer iterations saved with includeOptimizer', async () => {
    const loaded = await trainAndReload(true);
    expect(loaded.optimizer.iterations).to.equal(8);
    expect(updateSteps(await resume(loaded, {}))).to.deep.equal([9, 12, 14]);
    loaded.dispose();
  });

  it('continues from initialStep for a model saved without its optimizer', async () => {
    const loaded = await trainAndReload(false);
    loaded.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    expect(loaded.optimizer.iterations).to.equal(0);
    expect(updateSteps(await resume(loaded, { initialStep: 8 }))).to.deep.equal([9, 12, 14]);
    loaded.dispose();
  });
});

describeOnBackends('PruningScheduleCallback on a CNN', () => {
  it('trains every convolution kind with fit, prunes each to its target, and pruned weights keep their values', async () => {
    // Seeded initializers: with some random ones (about 1 in 15), the one filter of conv that unit pruning keeps is a
    // dead ReLU, and does not train.
    const init = (seed: number) => tf.initializers.glorotNormal({ seed });
    const model = tf.sequential({
      layers: [
        prunableConv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1], name: 'conv', kernelInitializer: init(1) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        prunableDepthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, padding: 'same', name: 'dw', depthwiseInitializer: init(2) }),
        prunableSeparableConv2d({ filters: 4, kernelSize: 2, activation: 'relu', name: 'sep', depthwiseInitializer: init(3), pointwiseInitializer: init(4) }),
        tf.layers.flatten(),
        prunableDense({ units: CLASSES, activation: 'softmax', name: 'out', kernelInitializer: init(5) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const rng = mulberry32(3);
    const xs = tf.tensor4d(Float32Array.from({ length: 64 * 64 }, () => rng()), [64, 8, 8, 1]);
    const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % CLASSES), 'int32'), CLASSES);
    const layers = findPrunableLayers(model);
    const snapshot = () => layers.flatMap((l) => l.maskedWeights.map((m) => ({
      mask: m.mask.read().dataSync().slice(), weight: m.weight.read().dataSync().slice(),
    })));
    const before = snapshot();
    let pruned: ReturnType<typeof snapshot> | null = null;
    const watcher = {
      onBatchEnd: async () => {
        if (callback.step === 6) pruned = snapshot();
      },
    };
    // Prunes to 75% at step 6, then 6 more steps of training.
    const callback = new PruningScheduleCallback({
      schedule: new ConstantSparsity({ targetSparsity: 0.75, beginStep: 6, endStep: 6 }), methods: { conv: 'unit' },
    });
    await model.fit(xs, ys, { ...FIT, batchSize: 16, epochs: 3, callbacks: combineCallbacks(callback, watcher) });
    const after = snapshot();
    const reports = layers.map(layerPruningReport);
    expect(reports[0].prunedUnits).to.equal(3);
    for (const r of reports.slice(1)) for (const m of r.masks) expect(m.weights - m.nonzero, `${r.layer}/${m.weight}`).to.equal(Math.round(0.75 * m.weights));
    after.forEach(({ mask, weight }, i) => {
      let moved = 0;
      for (let j = 0; j < mask.length; j++) {
        if (mask[j] === 0) expect(weight[j], `weight ${i}[${j}] pruned`).to.equal(pruned![i].weight[j]);
        else if (weight[j] !== pruned![i].weight[j]) moved++;
      }
      expect(moved, `weight ${i} trained`).to.be.above(0);
      expect(Array.from(weight).some((v, j) => v !== before[i].weight[j])).to.equal(true);
    });
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
