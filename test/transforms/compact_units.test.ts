import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { compactionReport, compactUnits, makePrunable, PrunableDense, prunableDense, pruneModel, stripPruning } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomWeights } from '../support/random';
import {
  artifactsOf, expectSameOutputs, inputsFor, prunableLayers, randomizeModel, weightValues, withoutPrunableLayers, wrappedPrunableModel,
} from '../io/fixtures';

/** Every layer of `model`, nested models expanded. */
function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? leafLayers(l) : [l]));
}

function layerNamed(model: tf.LayersModel, name: string): tf.layers.Layer {
  return leafLayers(model).find((l) => l.name === name)!;
}

/** Zeroes the mask columns `units` of a PrunableDense, pruning those units. */
function pruneUnits(layer: PrunableDense, units: number[]): void {
  const [rows, cols] = layer.weightVariables.mask.shape as [number, number];
  const mask = new Float32Array(rows * cols).fill(1);
  for (let r = 0; r < rows; r++) for (const c of units) mask[r * cols + c] = 0;
  layer.setMask(mask);
}

/** Sets every bias of `model` to seeded nonzero values, so that pruned units emit activation(bias) != 0. */
function randomizeBiases(model: tf.LayersModel, seed: number): void {
  model.weights.filter((w) => w.originalName.endsWith('/bias')).forEach((variable, i) => {
    const values = tf.tensor(randomWeights(variable.shape[0]!, seed + i, 'uniform'), variable.shape as number[]);
    variable.write(values);
    values.dispose();
  });
}

/** Units of each dense layer, by name. */
function unitsOf(model: tf.LayersModel): Record<string, number> {
  return Object.fromEntries(leafLayers(model).filter((l) => l.getClassName() === 'Dense' || l instanceof PrunableDense)
    .map((l) => [l.name, l.getConfig().units as number]));
}

/** Asserts that both models predict the same for seeded inputs, to 1e-5. */
function expectSamePredictions(actual: tf.LayersModel, expected: tf.LayersModel, x: tf.Tensor = inputsFor(expected, 9, 17)): void {
  const [a, e] = [actual.predict(x) as tf.Tensor, expected.predict(x) as tf.Tensor];
  expect(a.shape).to.deep.equal(e.shape);
  const [av, ev] = [a.dataSync(), e.dataSync()];
  ev.forEach((v, i) => expect(av[i]).to.be.closeTo(v, 1e-5, `output ${i}`));
  tf.dispose([x, a, e]);
}

/**
 * input[10] → h1[8] sigmoid → Dropout → h2[7] relu → Activation(tanh) →
 * LeakyReLU → h3[6] elu → out[4] softmax; units 1, 4, 5 of h1, 0 and 6 of
 * h2, 2 of h3 and 3 of out pruned; every bias nonzero.
 */
function elementwiseModel(seed: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      prunableDense({ units: 8, activation: 'sigmoid', inputShape: [10], name: 'h1' }),
      tf.layers.dropout({ rate: 0.5, name: 'drop' }),
      prunableDense({ units: 7, activation: 'relu', name: 'h2' }),
      tf.layers.activation({ activation: 'tanh', name: 'tanh' }),
      tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }),
      prunableDense({ units: 6, activation: 'elu', name: 'h3' }),
      prunableDense({ units: 4, activation: 'softmax', name: 'out' }),
    ],
  });
  randomizeModel(model, seed);
  randomizeBiases(model, seed);
  const layers = prunableLayers(model);
  [[1, 4, 5], [0, 6], [2], [3]].forEach((units, i) => pruneUnits(layers[i], units));
  return model;
}

describeOnBackends('compactUnits', () => {
  it('removes pruned units through Dropout, Activation and LeakyReLU, folding activation(bias) into the next bias', () => {
    const model = elementwiseModel(3);
    const compact = compactUnits(model);
    expect(leafLayers(compact).map((l) => `${l.name}:${l.getClassName()}`)).to.deep.equal(
      ['h1:Dense', 'drop:Dropout', 'h2:Dense', 'tanh:Activation', 'leaky:LeakyReLU', 'h3:Dense', 'out:Dense']);
    // The output layer keeps its width, its pruned unit included.
    expect(unitsOf(compact)).to.deep.equal({ h1: 5, h2: 5, h3: 5, out: 4 });
    // Kernels: 10*5 + 5*5 + 5*5 + 5*4, biases: 5 + 5 + 5 + 4.
    expect(compact.countParams()).to.equal(120 + 19);
    expectSamePredictions(compact, model);
    // The constants matter: the pruned sigmoid units of h1 emit sigmoid(bias) != 0.
    const h2 = (layerNamed(model, 'h2') as PrunableDense).weightVariables.bias!.read().dataSync();
    const foldedH2 = layerNamed(compact, 'h2').getWeights()[1].dataSync();
    expect(Array.from(foldedH2)).to.not.deep.equal([0, 1, 2, 3, 4, 5, 6].filter((j) => j !== 0 && j !== 6).map((j) => h2[j]));
    model.dispose();
    compact.dispose();
  });

  it('folds the constant of a sigmoid unit with zero bias (sigmoid(0) = 0.5)', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 3, activation: 'sigmoid', inputShape: [4], name: 'a', biasInitializer: 'zeros' }),
        tf.layers.dense({ units: 2, name: 'b', useBias: false }),
      ],
    });
    const [kernel] = model.getLayer('a').getWeights();
    const zeroed = tf.mul(kernel, tf.tensor2d([1, 0, 1], [1, 3]));
    model.getLayer('a').setWeights([zeroed, tf.zeros([3])]);
    const b = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    model.getLayer('b').setWeights([b]);
    const compact = compactUnits(model);
    expect(unitsOf(compact)).to.deep.equal({ a: 2, b: 2 });
    // b had no bias: it gains one, 0.5 * row 1 of its kernel.
    expect(compact.getLayer('b').getConfig().useBias).to.equal(true);
    expect(Array.from(compact.getLayer('b').getWeights()[1].dataSync())).to.deep.equal([1.5, 2]);
    expect(Array.from(compact.getLayer('b').getWeights()[0].dataSync())).to.deep.equal([1, 2, 5, 6]);
    expectSamePredictions(compact, model);
    tf.dispose([zeroed, b]);
    model.dispose();
    compact.dispose();
  });

  it('adds no bias where the removed units emit 0 (relu of a zero bias)', () => {
    const model = tf.sequential({
      layers: [
        prunableDense({ units: 3, activation: 'relu', inputShape: [4], name: 'a' }),
        prunableDense({ units: 2, name: 'b', useBias: false }),
      ],
    });
    pruneUnits(model.layers[0] as PrunableDense, [1]);
    const compact = compactUnits(model);
    expect(compact.getLayer('b').getConfig().useBias).to.equal(false);
    expect(compact.countParams()).to.equal(4 * 2 + 2 + 2 * 2);
    expectSamePredictions(compact, model);
    model.dispose();
    compact.dispose();
  });

  it('compacts a functional model: a layer read by two dense layers, BatchNormalization shrunk and folded', () => {
    const input = tf.input({ shape: [6], name: 'x' });
    const a = prunableDense({ units: 9, activation: 'tanh', name: 'a' }).apply(input) as tf.SymbolicTensor;
    const norm = tf.layers.batchNormalization({ name: 'norm' }).apply(a) as tf.SymbolicTensor;
    const left = prunableDense({ units: 5, activation: 'relu', name: 'left' })
      .apply(tf.layers.reLU({ name: 'relu' }).apply(norm)) as tf.SymbolicTensor;
    const right = prunableDense({ units: 3, name: 'right' }).apply(a) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'join' }).apply([left, right]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: 'out' }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeModel(model, 8);
    const variance = model.getLayer('norm').weights[3];
    const positive = tf.abs(variance.read());
    variance.write(positive);
    positive.dispose();
    pruneUnits(model.getLayer('a') as PrunableDense, [0, 2, 3, 8]);
    pruneUnits(model.getLayer('left') as PrunableDense, []);
    pruneUnits(model.getLayer('right') as PrunableDense, []);
    const compact = compactUnits(model);
    expect(unitsOf(compact)).to.deep.equal({ a: 5, left: 5, right: 3, out: 2 });
    expect(compact.getLayer('norm').getWeights().map((w) => w.shape)).to.deep.equal([[5], [5], [5], [5]]);
    expect(Array.from(compact.getLayer('norm').getWeights()[2].dataSync()))
      .to.deep.equal([1, 4, 5, 6, 7].map((j) => model.getLayer('norm').getWeights()[2].dataSync()[j]));
    expectSamePredictions(compact, model);
    model.dispose();
    compact.dispose();
  });

  it('compacts the unit-pruned output of pruneModel(…, {method: "unit"}), with the expected parameter counts', () => {
    const model = tf.sequential({
      layers: [
        prunableDense({ units: 30, activation: 'relu', inputShape: [20], name: 'fc1' }),
        prunableDense({ units: 10, activation: 'relu', name: 'fc2' }),
        prunableDense({ units: 5, activation: 'softmax', name: 'fc3' }),
      ],
    });
    randomizeModel(model, 12);
    prunableLayers(model).forEach((l) => l.setMask(new Float32Array(tf.util.sizeFromShape(l.weightVariables.mask.shape as number[])).fill(1)));
    randomizeBiases(model, 12);
    pruneModel(model, { method: 'unit', sparsity: 0.8 });
    const compact = compactUnits(model);
    // fc1 keeps 6 of 30 units, fc2 2 of 10; fc3 is the output and keeps its 5.
    expect(unitsOf(compact)).to.deep.equal({ fc1: 6, fc2: 2, fc3: 5 });
    // Kernels and masks, biases.
    expect(model.countParams()).to.equal(2 * (20 * 30 + 30 * 10 + 10 * 5) + 30 + 10 + 5);
    expect(compact.countParams()).to.equal(20 * 6 + 6 + 6 * 2 + 2 + 2 * 5 + 5);
    expectSamePredictions(compact, model);
    model.dispose();
    compact.dispose();
  });

  it('is stripPruning when no unit is pruned, and a copy for a plain model', () => {
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [6], name: 'd1' }), tf.layers.dense({ units: 2, name: 'd2' })] });
    const copy = compactUnits(dense);
    expect(copy.toJSON(null, false)).to.deep.equal(dense.toJSON(null, false));
    expect(weightValues(copy)).to.deep.equal(weightValues(dense));
    const prunable = makePrunable(dense);
    (prunable.layers[0] as PrunableDense).setMask(Float32Array.from({ length: 18 }, (_, i) => i % 2));
    const [compact, stripped] = [compactUnits(prunable), stripPruning(prunable)];
    expect(compact.toJSON(null, false)).to.deep.equal(stripped.toJSON(null, false));
    expect(weightValues(compact)).to.deep.equal(weightValues(stripped));
    [dense, copy, prunable, compact, stripped].forEach((m) => m.dispose());
  });

  it('compacts plain Dense layers with all-zero kernel columns, and keeps one unit of a layer pruned entirely', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], name: 'a', biasInitializer: 'ones' }),
        tf.layers.dense({ units: 3, activation: 'sigmoid', name: 'b', kernelInitializer: 'zeros', biasInitializer: 'ones' }),
        tf.layers.dense({ units: 2, name: 'c' }),
      ],
    });
    const [kernel, bias] = model.getLayer('a').getWeights();
    const zeroed = tf.mul(kernel, tf.tensor2d([[0, 1, 0, 1]]));
    model.getLayer('a').setWeights([zeroed, bias]);
    const compact = compactUnits(model);
    expect(unitsOf(compact)).to.deep.equal({ a: 2, b: 1, c: 2 });
    expectSamePredictions(compact, model);
    zeroed.dispose();
    model.dispose();
    compact.dispose();
  });

  it('compacts dense layers applied to the last axis of a rank-3 input', () => {
    const model = tf.sequential({
      layers: [
        prunableDense({ units: 5, activation: 'sigmoid', inputShape: [3, 4], name: 'a' }),
        tf.layers.batchNormalization({ name: 'norm' }),
        prunableDense({ units: 2, name: 'b' }),
      ],
    });
    randomizeModel(model, 4);
    const variance = model.getLayer('norm').weights[3];
    const positive = tf.abs(variance.read());
    variance.write(positive);
    positive.dispose();
    pruneUnits(model.layers[0] as PrunableDense, [1, 3]);
    const compact = compactUnits(model);
    expect(unitsOf(compact)).to.deep.equal({ a: 3, b: 2 });
    expectSamePredictions(compact, model, tf.tensor3d(randomWeights(2 * 3 * 4, 9, 'normal'), [2, 3, 4]));
    model.dispose();
    compact.dispose();
  });

  it('compacts inside a nested model, which keeps its output width', () => {
    const inner = tf.sequential({
      name: 'inner',
      layers: [
        prunableDense({ units: 6, activation: 'relu', inputShape: [5], name: 'i1' }),
        prunableDense({ units: 4, activation: 'relu', name: 'i2' }),
      ],
    });
    const outer = tf.sequential({ layers: [inner, prunableDense({ units: 3, name: 'o' })] });
    randomizeModel(outer, 21);
    randomizeBiases(outer, 21);
    pruneUnits(inner.layers[0] as PrunableDense, [0, 5]);
    pruneUnits(inner.layers[1] as PrunableDense, [1]);
    const compact = compactUnits(outer);
    expect(unitsOf(compact)).to.deep.equal({ i1: 4, i2: 4, o: 3 });
    expect(compact.layers[0]).to.be.instanceOf(tf.LayersModel);
    expectSamePredictions(compact, outer);
    outer.dispose();
    compact.dispose();
  });

  it('turns a PrunableDense inside a TimeDistributed into a Dense with kernel ⊙ mask, keeping its units', async () => {
    const model = wrappedPrunableModel(45);
    const compact = compactUnits(model);
    const wrapped = (compact.getLayer('td') as unknown as { layer: tf.layers.Layer }).layer;
    expect(`${wrapped.name}:${wrapped.getClassName()}`).to.equal('step_dense:Dense');
    expect(wrapped.getWeights()[0].shape).to.deep.equal([4, 5]);
    expectSameOutputs(compact, model);
    expect(JSON.stringify((await artifactsOf(compact)).modelTopology)).to.not.include('PrunableDense');
    model.dispose();
    compact.dispose();
  });

  it('saves a plain model that loads without this library', async () => {
    const model = elementwiseModel(5);
    const compact = compactUnits(model);
    const artifacts = await artifactsOf(compact);
    expect(JSON.stringify(artifacts.modelTopology)).to.not.include('PrunableDense');
    const loaded = await withoutPrunableLayers(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
    expectSamePredictions(loaded, model);
    [model, compact, loaded].forEach((m) => m.dispose());
  });

  it('leaves the original as it was and leaks no tensor', async () => {
    const model = elementwiseModel(6);
    const json = JSON.stringify(model.toJSON(null, false));
    const weights = weightValues(model);
    await expectNoTensorLeak(() => compactUnits(model).dispose());
    expect(JSON.stringify(model.toJSON(null, false))).to.equal(json);
    expect(weightValues(model)).to.deep.equal(weights);
    model.dispose();
  });
});

describe('compactUnits: pruned units that stay', () => {
  /** input[6] → a[5] with units 1 and 3 pruned → `between` → b[2]. */
  function modelWith(between: tf.layers.Layer[], args: { activation?: string } = {}): tf.LayersModel {
    const model = tf.sequential({
      layers: [
        prunableDense({ units: 5, inputShape: [6], name: 'a', activation: (args.activation ?? 'relu') as 'relu' }),
        ...between,
        prunableDense({ units: 2, name: 'b' }),
      ],
    });
    randomizeBiases(model, 3);
    pruneUnits(model.layers[0] as PrunableDense, [1, 3]);
    return model;
  }

  /**
   * Asserts that `layer` keeps its pruned `units` for `reason`, and the
   * compacted model computes the same. TF.js 4.22's `dispose` of a model
   * with a nested model or a layer applied twice leaves their weights: there
   * `disposesAll` is false and the leak check is skipped.
   */
  async function expectKept(model: tf.LayersModel, layer: string, units: number[], reason: string | RegExp, disposesAll = true): Promise<void> {
    const row = compactionReport(model).layers.find((l) => l.layer === layer)!;
    expect(row.kept.map((k) => k.unit)).to.deep.equal(units);
    for (const { reason: why } of row.kept) {
      if (typeof reason === 'string') expect(why).to.equal(reason);
      else expect(why).to.match(reason);
    }
    if (disposesAll) await expectNoTensorLeak(() => compactUnits(model).dispose());
    const compact = compactUnits(model);
    expect(unitsOf(compact)[layer]).to.equal(row.outputs.before);
    expectSamePredictions(compact, model);
    compact.dispose();
    model.dispose();
  }

  it('keeps what reaches a layer that combines or reshapes channels, naming it', async () => {
    // A Reshape that only adds an axis of length 1 passes the channels on; a Permute then mixes them.
    await expectKept(modelWith([tf.layers.reshape({ targetShape: [5, 1], name: 'shape' }), tf.layers.permute({ dims: [2, 1], name: 'perm' }),
      tf.layers.flatten({ name: 'flat' })]), 'a', [1, 3], "it reaches 'perm', a Permute, which compaction cannot follow");
    await expectKept(modelWith([tf.layers.layerNormalization({ name: 'ln' })]), 'a', [1, 3],
      "it reaches 'ln', a LayerNormalization, which compaction cannot follow");
    await expectKept(modelWith([tf.layers.dropout({ rate: 0.1, name: 'd' }), tf.layers.activation({ activation: 'softmax', name: 'sm' })]),
      'a', [1, 3], "it reaches 'sm', a Activation, which compaction cannot follow");
    await expectKept(modelWith([tf.layers.softmax({ name: 'soft' })]), 'a', [1, 3], "it reaches 'soft', a Softmax, which compaction cannot follow");
  });

  it('keeps the pruned units of a layer with a softmax activation, which combines its units', async () => {
    await expectKept(modelWith([], { activation: 'softmax' }), 'a', [1, 3], "its activation 'softmax' combines its units");
  });

  it('keeps what reaches a nested model, whose input width is fixed', async () => {
    const inner = tf.sequential({ name: 'inner', layers: [tf.layers.dense({ units: 2, inputShape: [5] })] });
    await expectKept(modelWith([inner]), 'a', [1, 3], "it reaches 'inner', a nested model, which compaction cannot follow", false);
  });

  it('keeps what reaches a layer applied twice', async () => {
    const input = tf.input({ shape: [6] });
    const a = prunableDense({ units: 5, name: 'a' }).apply(input) as tf.SymbolicTensor;
    const shared = tf.layers.dense({ units: 5, name: 'shared' });
    const twice = shared.apply(shared.apply(a)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: twice });
    randomizeBiases(model, 4);
    pruneUnits(model.getLayer('a') as PrunableDense, [2]);
    await expectKept(model, 'a', [2], "it reaches 'shared', a Dense applied more than once, which compaction cannot follow", false);
  });

  it('follows a Concatenate on the units axis: the pruned unit goes, its constant folded into the reader', async () => {
    const input = tf.input({ shape: [6] });
    const a = prunableDense({ units: 5, name: 'a', activation: 'sigmoid' }).apply(input) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'join' }).apply([a, input]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'reader' }).apply(joined) as tf.SymbolicTensor });
    randomizeBiases(model, 5);
    pruneUnits(model.getLayer('a') as PrunableDense, [0]);
    const compact = compactUnits(model);
    expect(unitsOf(compact)).to.deep.equal({ a: 4, reader: 2 });
    expect((compact.getLayer('reader').getWeights()[0]).shape).to.deep.equal([10, 2]);
    expectSamePredictions(compact, model);
    [model, compact].forEach((m) => m.dispose());
  });

  it('rejects what is not a model', () => {
    expect(() => compactUnits(tf.layers.dense({ units: 2 }) as unknown as tf.LayersModel)).to.throw(TypeError,
      'compactUnits: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received a Dense.');
  });
});
