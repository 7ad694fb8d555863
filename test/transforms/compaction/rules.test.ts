// compactUnits through every layer rule: the compacted model computes what
// the pruned one computes, to 1e-5 on cpu and wasm, and loses exactly the
// channels it can lose exactly; what it keeps, it keeps for the reason given.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  compactionReport, compactUnits, findPrunableLayers, PrunableLayer, prunableConv1d, prunableConv2d, prunableConv2dTranspose,
  prunableDense, prunableDepthwiseConv2d, prunableSeparableConv2d,
} from '../../../src';
import { describeOnBackends } from '../../support/backends';
import { randomWeights } from '../../support/random';

type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;

/** Zeroes the masks of `units` (output units) of `layer` in every masked weight that holds them. */
function pruneUnits(layer: PrunableLayer, units: number[]): void {
  for (const m of layer.maskedWeights) {
    if (m.units === null) continue;
    const values = m.mask.read().dataSync().slice();
    const { outer, units: count, inner } = m.units;
    for (let o = 0; o < outer; o++) for (const u of units) for (let j = 0; j < inner; j++) values[(o * count + u) * inner + j] = 0;
    layer.setMask(values, m.name);
  }
}

/** Seeded values for every weight: kernels and biases in [-0.5, 0.5), BatchNormalization variances positive. */
function randomize(model: tf.LayersModel, seed: number): void {
  const masks = new Set(findPrunableLayers(model).flatMap((l) => l.maskedWeights.map((m) => m.mask)));
  model.weights.forEach((w, i) => {
    if (masks.has(w)) return;
    const shape = w.shape as number[];
    let values = randomWeights(tf.util.sizeFromShape(shape), seed * 97 + i, 'uniform').map((v) => v / 2);
    if (w.originalName.endsWith('moving_variance')) values = values.map((v) => Math.abs(v) + 0.1);
    const t = tf.tensor(values, shape);
    w.write(t);
    t.dispose();
  });
}

/** Sets the bias of `units` of `layer` to `value` (e.g. negative before a relu: the pruned units then emit 0). */
function setBias(layer: tf.layers.Layer, units: number[], value: number): void {
  const bias = layer.weights.find((w) => w.originalName.endsWith('/bias'))!;
  const values = bias.read().dataSync().slice();
  for (const u of units) values[u] = value;
  const t = tf.tensor(values, bias.shape as number[]);
  bias.write(t);
  t.dispose();
}

/** The channel count of each layer with a kernel of `model`: units, filters, or a depthwise kernel's channels. */
function widths(model: tf.LayersModel): Record<string, number> {
  const entries = model.layers.filter((l) => l.weights.length > 0 && !l.getClassName().includes('Normalization') && l.getClassName() !== 'PReLU')
    .map((l) => {
      const config = l.getConfig();
      // A depthwise kernel [kh, kw, channels, multiplier] makes channels · multiplier outputs.
      const depthwise = () => l.getWeights()[0].shape[2]! * l.getWeights()[0].shape[3]!;
      const width = (config.units ?? config.filters ?? depthwise()) as number;
      return [l.name, width] as [string, number];
    });
  return Object.fromEntries(entries);
}

/** Asserts that `compact` predicts what `model` predicts, to 1e-5 of the largest output. */
function expectSamePredictions(compact: tf.LayersModel, model: tf.LayersModel, seed = 7): void {
  const dims = model.inputs[0].shape.slice(1) as number[];
  const x = tf.tensor(randomWeights(3 * tf.util.sizeFromShape(dims), seed, 'normal'), [3, ...dims]);
  tf.tidy(() => {
    const [a, e] = [compact.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor];
    expect(a.shape).to.deep.equal(e.shape);
    const scale = Math.max(1, tf.max(tf.abs(e)).dataSync()[0]);
    expect(tf.max(tf.abs(tf.sub(a, e))).dataSync()[0], 'largest difference').to.be.at.most(1e-5 * scale);
  });
  x.dispose();
}

/** A model to compact, the units to prune per layer, and what compaction must give. */
interface Case {
  what: string;
  build: () => tf.LayersModel;
  prune: Record<string, number[]>;
  /** Before pruning, with the weights random: e.g. biases that make pruned units emit 0. */
  adjust?: (model: tf.LayersModel) => void;
  /** Channel counts after compaction, of the layers named. */
  widths: Record<string, number>;
  /** For a layer, the pruned units that stay and the reason (a RegExp for all of them). */
  kept?: Record<string, RegExp>;
}

/** input [8, 8, 3] → c1 (Conv2D 6@3x3 valid, relu) → `between` → c2 (Conv2D 4@3x3, `padding`) → flatten → out (Dense 2). */
function convChain(between: (x: Sym) => Sym, options: { padding?: 'same' | 'valid'; input?: number[]; activation?: string } = {}): () => tf.LayersModel {
  return () => {
    const input = tf.input({ shape: options.input ?? [8, 8, 3] });
    let x = apply(prunableConv2d({ filters: 6, kernelSize: 3, activation: (options.activation ?? 'relu') as 'relu', name: 'c1' }), input);
    x = between(x);
    x = apply(prunableConv2d({ filters: 4, kernelSize: 3, padding: options.padding ?? 'valid', name: 'c2' }), x);
    return tf.model({ inputs: input, outputs: apply(prunableDense({ units: 2, name: 'out' }), apply(tf.layers.flatten(), x)) });
  };
}

const same = (x: Sym) => x;

const CASES: Case[] = [
  { what: 'Conv2D into a valid Conv2D: the filters go, their constants folded into its bias', build: convChain(same),
    prune: { c1: [1, 4] }, widths: { c1: 4, c2: 4, out: 2 } },
  { what: "Conv2D into a 'same' Conv2D: a nonzero constant stays", build: convChain(same, { padding: 'same' }),
    prune: { c1: [1, 4] }, widths: { c1: 6 }, kept: { c1: /^it reaches 'c2', a Conv2D with 'same' padding, holding the constant -?0\.\d+: its zero padding would make it vary at the borders$/ } },
  { what: "Conv2D into a 'same' Conv2D: a zero constant (relu of a negative bias) goes", build: convChain(same, { padding: 'same' }),
    prune: { c1: [1, 4] }, adjust: (m) => setBias(m.getLayer('c1'), [1, 4], -0.3), widths: { c1: 4 } },
  { what: "a 'same' 1x1 Conv2D does not pad: a nonzero constant folds", build: () => {
    const input = tf.input({ shape: [6, 6, 3] });
    const x = apply(prunableConv2d({ filters: 5, kernelSize: 3, activation: 'sigmoid', name: 'c1' }), input);
    const y = apply(prunableConv2d({ filters: 3, kernelSize: 1, padding: 'same', name: 'c2' }), x);
    return tf.model({ inputs: input, outputs: apply(tf.layers.globalAveragePooling2d({}), y) });
  }, prune: { c1: [0, 2] }, widths: { c1: 3, c2: 3 } },
  { what: 'BatchNormalization (moving statistics), ReLU, LeakyReLU, ELU, ThresholdedReLU, ReLU6 between', build: convChain((x) => {
    let y = apply(tf.layers.batchNormalization({ name: 'bn' }), x);
    y = apply(tf.layers.reLU({}), y);
    y = apply(tf.layers.leakyReLU({ alpha: 0.1 }), y);
    y = apply(tf.layers.elu({}), y);
    y = apply(tf.layers.thresholdedReLU({ theta: 0.05 }), y);
    return apply(tf.layers.reLU({ maxValue: 6 }), y);
  }, { activation: 'linear' }), prune: { c1: [0, 3, 5] }, widths: { c1: 3, c2: 4 } },
  { what: "BatchNormalization with Keras's list axis [3]", build: convChain((x) => apply(tf.layers.batchNormalization({ axis: [3] as never, name: 'bn' }), x)),
    prune: { c1: [2] }, widths: { c1: 5 } },
  { what: 'PReLU with one alpha per channel', build: convChain((x) => apply(tf.layers.prelu({ sharedAxes: [1, 2] }), x), { activation: 'linear' }),
    prune: { c1: [1, 2] }, widths: { c1: 4 } },
  { what: 'an Activation layer (tanh), Dropout, SpatialDropout, GaussianNoise, GaussianDropout, AlphaDropout', build: convChain((x) => {
    let y = apply(tf.layers.activation({ activation: 'tanh' }), x);
    y = apply(tf.layers.dropout({ rate: 0.3 }), y);
    y = apply(tf.layers.gaussianNoise({ stddev: 0.2 }), y);
    y = apply(tf.layers.gaussianDropout({ rate: 0.2 }), y);
    return apply(tf.layers.alphaDropout({ rate: 0.2 }), y);
  }), prune: { c1: [4] }, widths: { c1: 5 } },
  { what: "MaxPooling2D (valid) and AveragePooling2D ('same'), Cropping2D, UpSampling2D", build: convChain((x) => {
    let y = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }), x);
    y = apply(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), y);
    y = apply(tf.layers.upSampling2d({ size: [2, 2] }), y);
    return apply(tf.layers.cropping2D({ cropping: [[1, 2], [2, 1]] }), y);
  }, { input: [9, 9, 3] }), prune: { c1: [0, 5] }, widths: { c1: 4 } },
  { what: 'ZeroPadding2D: a nonzero constant stays', build: convChain((x) => apply(tf.layers.zeroPadding2d({ padding: 1 }), x)),
    prune: { c1: [3] }, adjust: (m) => setBias(m.getLayer('c1'), [3], 0.4), widths: { c1: 6 }, kept: { c1: /^it reaches 'c2', a Conv2D without a constant value$/ } },
  { what: 'ZeroPadding2D: a zero constant goes', build: convChain((x) => apply(tf.layers.zeroPadding2d({ padding: 1 }), x)),
    prune: { c1: [3] }, adjust: (m) => setBias(m.getLayer('c1'), [3], -1), widths: { c1: 5 } },
  { what: 'Flatten into Dense: each channel\'s positions go', build: () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const x = apply(prunableConv2d({ filters: 5, kernelSize: 3, activation: 'relu', name: 'c1' }), input);
    const y = apply(prunableDense({ units: 4, activation: 'relu', name: 'd1' }), apply(tf.layers.flatten(), x));
    return tf.model({ inputs: input, outputs: apply(prunableDense({ units: 3, name: 'out' }), y) });
  }, prune: { c1: [0, 4], d1: [2] }, widths: { c1: 3, d1: 3, out: 3 } },
  { what: 'GlobalAveragePooling2D and GlobalMaxPooling2D into Dense', build: () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const x = apply(prunableConv2d({ filters: 5, kernelSize: 3, activation: 'relu', name: 'c1' }), input);
    const avg = apply(tf.layers.globalAveragePooling2d({}), x);
    const max = apply(tf.layers.globalMaxPooling2d({}), x);
    return tf.model({ inputs: input, outputs: apply(prunableDense({ units: 3, name: 'out' }), apply(tf.layers.concatenate({}), [avg, max])) });
  }, prune: { c1: [1, 2] }, widths: { c1: 3 } },
  { what: 'channelsFirst: Conv2D, MaxPooling2D, UpSampling2D, Conv2D, Flatten', build: () => {
    const input = tf.input({ shape: [3, 9, 9] });
    let x = apply(prunableConv2d({ filters: 6, kernelSize: 3, activation: 'relu', dataFormat: 'channelsFirst', name: 'c1' }), input);
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }), x);
    x = apply(tf.layers.upSampling2d({ size: [2, 2], dataFormat: 'channelsFirst' }), x);
    x = apply(prunableConv2d({ filters: 4, kernelSize: 2, dataFormat: 'channelsFirst', name: 'c2' }), x);
    return tf.model({ inputs: input, outputs: apply(prunableDense({ units: 2, name: 'out' }), apply(tf.layers.flatten({ dataFormat: 'channelsFirst' }), x)) });
  }, prune: { c1: [0, 2], c2: [3] }, widths: { c1: 4, c2: 3 } },
  // TF.js 4.22's batchNorm4d broadcasts its parameters along the last axis, whatever their shape: channels on axis 1
  // get another channel's statistics, by position. Compaction keeps what TF.js computes, so they stay.
  { what: 'BatchNormalization on axis 1 of a channelsFirst image, which TF.js computes by position: channels stay', build: () => {
    const input = tf.input({ shape: [3, 9, 9] });
    let x = apply(prunableConv2d({ filters: 6, kernelSize: 3, activation: 'relu', dataFormat: 'channelsFirst', name: 'c1' }), input);
    x = apply(tf.layers.batchNormalization({ axis: 1 }), x);
    x = apply(prunableConv2d({ filters: 4, kernelSize: 2, dataFormat: 'channelsFirst', name: 'c2' }), x);
    return tf.model({ inputs: input, outputs: apply(tf.layers.flatten(), x) });
  }, prune: { c1: [0, 2] }, adjust: (m) => setBias(m.getLayer('c1'), [0, 2], 0.3), widths: { c1: 6 },
  kept: { c1: /^it reaches 'c2', a Conv2D without a constant value$/ } },
  { what: 'DepthwiseConv2D (multiplier 2): a removed channel takes its depthwise channels and their readers along', build: () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = apply(prunableConv2d({ filters: 5, kernelSize: 1, activation: 'relu', name: 'c1' }), input);
    x = apply(prunableDepthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu', name: 'dw' }), x);
    x = apply(prunableConv2d({ filters: 4, kernelSize: 1, name: 'pw' }), x);
    return tf.model({ inputs: input, outputs: apply(tf.layers.globalAveragePooling2d({}), x) });
  }, prune: { c1: [1, 3] }, widths: { c1: 3, dw: 6, pw: 4 } },
  { what: "DepthwiseConv2D with 'same' padding: a nonzero constant stays", build: () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = apply(prunableConv2d({ filters: 5, kernelSize: 1, activation: 'sigmoid', name: 'c1' }), input);
    x = apply(prunableDepthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw' }), x);
    x = apply(prunableConv2d({ filters: 4, kernelSize: 1, name: 'pw' }), x);
    return tf.model({ inputs: input, outputs: apply(tf.layers.globalAveragePooling2d({}), x) });
  }, prune: { c1: [1] }, widths: { c1: 5, dw: 5 }, kept: { c1: /^it reaches 'pw', a Conv2D without a constant value$/ } },
  { what: 'SeparableConv2D (valid) reading a pruned layer, itself pruned', build: () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = apply(prunableConv2d({ filters: 6, kernelSize: 1, activation: 'relu', name: 'c1' }), input);
    x = apply(prunableSeparableConv2d({ filters: 5, kernelSize: 3, activation: 'relu', name: 'sep' }), x);
    x = apply(prunableConv2d({ filters: 3, kernelSize: 3, name: 'c2' }), x);
    return tf.model({ inputs: input, outputs: apply(tf.layers.flatten(), x) });
  }, prune: { c1: [0, 5], sep: [2] }, widths: { c1: 4, sep: 4, c2: 3 } },
  { what: 'Conv2DTranspose: its own pruned filters go; a nonzero constant into it stays', build: () => {
    const input = tf.input({ shape: [5, 5, 2] });
    let x = apply(prunableConv2d({ filters: 4, kernelSize: 1, activation: 'sigmoid', name: 'c1' }), input);
    x = apply(prunableConv2dTranspose({ filters: 5, kernelSize: 3, strides: 2, activation: 'relu', name: 'up' }), x);
    x = apply(prunableConv2d({ filters: 2, kernelSize: 3, name: 'c2' }), x);
    return tf.model({ inputs: input, outputs: apply(tf.layers.flatten(), x) });
  }, prune: { c1: [2], up: [0, 3] }, widths: { c1: 4, up: 3 },
  kept: { c1: /^it reaches 'up', a Conv2DTranspose holding the constant 0\.\d+: a transposed convolution of a constant varies at the borders$/ } },
  { what: 'Conv1D, MaxPooling1D, SpatialDropout1D, AveragePooling1D, GlobalAveragePooling1D into Dense', build: () => {
    const input = tf.input({ shape: [12, 3] });
    let x = apply(prunableConv1d({ filters: 5, kernelSize: 3, activation: 'relu', name: 'c1' }), input);
    x = apply(tf.layers.maxPooling1d({ poolSize: 2 }), x);
    x = apply(tf.layers.spatialDropout1d({ rate: 0.2 }), x);
    x = apply(prunableConv1d({ filters: 4, kernelSize: 2, activation: 'elu', name: 'c2' }), x);
    x = apply(tf.layers.averagePooling1d({ poolSize: 2, padding: 'same' }), x);
    x = apply(tf.layers.globalAveragePooling1d({}), x);
    return tf.model({ inputs: input, outputs: apply(prunableDense({ units: 2, name: 'out' }), x) });
  }, prune: { c1: [0, 1], c2: [3] }, widths: { c1: 3, c2: 3 } },
  { what: 'a residual Add: a channel goes only where both branches prune it', build: () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const a = apply(prunableConv2d({ filters: 4, kernelSize: 1, activation: 'relu', name: 'a' }), input);
    const b = apply(prunableConv2d({ filters: 4, kernelSize: 1, activation: 'relu', name: 'b' }), input);
    const sum = apply(tf.layers.add({ name: 'add' }), [a, b]);
    return tf.model({ inputs: input, outputs: apply(prunableConv2d({ filters: 2, kernelSize: 3, name: 'c' }), sum) });
  }, prune: { a: [0, 2], b: [2, 3] }, widths: { a: 3, b: 3, c: 2 }, kept: { a: /^it is not pruned$/, b: /^it is not pruned$/ } },
  { what: 'Multiply, Average, Maximum and Minimum of branches that prune the same channel', build: () => {
    const input = tf.input({ shape: [5, 5, 2] });
    const branch = (name: string) => apply(prunableConv2d({ filters: 3, kernelSize: 1, activation: 'sigmoid', name }), input);
    const [p, q] = [branch('p'), branch('q')];
    const merged = [tf.layers.multiply({}), tf.layers.average({}), tf.layers.maximum({}), tf.layers.minimum({})].map((l) => apply(l, [p, q]));
    const joined = apply(tf.layers.concatenate({}), merged);
    return tf.model({ inputs: input, outputs: apply(prunableConv2d({ filters: 2, kernelSize: 2, name: 'c' }), joined) });
  }, prune: { p: [1], q: [1] }, widths: { p: 2, q: 2 } },
  { what: 'Concatenate on the channel axis: each input\'s channels at their offset', build: () => {
    const input = tf.input({ shape: [5, 5, 2] });
    const a = apply(prunableConv2d({ filters: 3, kernelSize: 1, activation: 'relu', name: 'a' }), input);
    const b = apply(prunableConv2d({ filters: 4, kernelSize: 1, activation: 'relu', name: 'b' }), input);
    const joined = apply(tf.layers.concatenate({}), [a, b, input]);
    return tf.model({ inputs: input, outputs: apply(prunableConv2d({ filters: 2, kernelSize: 2, name: 'c' }), joined) });
  }, prune: { a: [0], b: [1, 3] }, widths: { a: 2, b: 2 } },
  { what: 'Reshape stops compaction, with no loss of exactness', build: convChain((x) => apply(tf.layers.reshape({ targetShape: [6, 6, 6] }), x)),
    prune: { c1: [2] }, widths: { c1: 6 }, kept: { c1: /^it reaches 'reshape_Reshape\d+', a Reshape, which compaction cannot follow$/ } },
  { what: 'Permute stops compaction', build: convChain((x) => apply(tf.layers.permute({ dims: [2, 1, 3] }), x)),
    prune: { c1: [2] }, widths: { c1: 6 }, kept: { c1: /a Permute, which compaction cannot follow$/ } },
  { what: 'a Softmax layer stops compaction', build: convChain((x) => apply(tf.layers.softmax({ axis: -1 }), x)),
    prune: { c1: [2] }, widths: { c1: 6 }, kept: { c1: /a Softmax, which compaction cannot follow$/ } },
  { what: 'an output of the model keeps its channels', build: () => {
    const input = tf.input({ shape: [6, 6, 2] });
    return tf.model({ inputs: input, outputs: apply(prunableConv2d({ filters: 4, kernelSize: 3, name: 'c1' }), input) });
  }, prune: { c1: [1] }, widths: { c1: 4 }, kept: { c1: /^it reaches an output of the model$/ } },
  { what: 'Dense into BatchNormalization on axis 1 as Keras writes it ([1]), into Dense', build: () => {
    const input = tf.input({ shape: [6] });
    const x = apply(prunableDense({ units: 5, activation: 'relu', name: 'd1' }), input);
    const y = apply(tf.layers.batchNormalization({ axis: [1] as never }), x);
    return tf.model({ inputs: input, outputs: apply(prunableDense({ units: 2, name: 'out' }), y) });
  }, prune: { d1: [0, 4] }, widths: { d1: 3 } },
  { what: 'a layer whose units are all pruned keeps one', build: convChain(same), prune: { c1: [0, 1, 2, 3, 4, 5] }, widths: { c1: 1 },
    kept: { c1: /^all its units are pruned, and a layer keeps one$/ } },
];

describeOnBackends('compactUnits: the layer rules', () => {
  for (const c of CASES) {
    it(c.what, () => {
      const model = c.build();
      randomize(model, 5);
      c.adjust?.(model);
      for (const [name, units] of Object.entries(c.prune)) pruneUnits(model.getLayer(name) as PrunableLayer, units);
      const report = compactionReport(model);
      const compact = compactUnits(model);
      expect(widths(compact)).to.deep.include(c.widths);
      for (const [name, reason] of Object.entries(c.kept ?? {})) {
        const row = report.layers.find((l) => l.layer === name)!;
        expect(row.kept.length, `${name} keeps some pruned units`).to.be.above(0);
        for (const k of row.kept) expect(k.reason, `${name} unit ${k.unit}`).to.match(reason);
      }
      for (const row of report.layers) expect(widths(compact)[row.layer], row.layer).to.equal(row.outputs.after);
      expectSamePredictions(compact, model);
      compact.dispose();
      model.dispose();
    });
  }
});
