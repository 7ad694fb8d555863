// Models, artifacts and comparisons shared by the save, load and transform tests.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { findPrunableLayers, PrunableDense, prunableDense } from '../../src';
import { prunableClasses } from '../../src/layers/registry';
import { randomMask, randomWeights } from '../support/random';

/**
 * A functional model with a nested Sequential, both holding PrunableDense
 * layers, and a plain Dense output: input[6] → inner(inner_dense[5]) →
 * hidden[4] → logits[3]. Weights and masks are seeded random (about half
 * the mask entries 0).
 */
export function nestedPrunableModel(seed = 1): tf.LayersModel {
  const inner = tf.sequential({
    name: 'inner',
    layers: [prunableDense({ units: 5, activation: 'relu', inputShape: [6], name: 'inner_dense' })],
  });
  const input = tf.input({ shape: [6], name: 'features' });
  const nested = inner.apply(input) as tf.SymbolicTensor;
  const hidden = prunableDense({ units: 4, activation: 'tanh', name: 'hidden' }).apply(nested) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 3, activation: 'softmax', name: 'logits' }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: logits, name: 'nested_prunable' });
  randomizeModel(model, seed);
  return model;
}

/** Sets every weight of `model` to seeded random values and every mask to a seeded random 0/1 mask. */
export function randomizeModel(model: tf.LayersModel, seed: number): void {
  const layers = findPrunableLayers(model);
  const masks = new Set(layers.flatMap((layer) => layer.maskedWeights.map((m) => m.mask)));
  model.weights.forEach((variable, i) => {
    if (masks.has(variable)) return;
    const shape = variable.shape as number[];
    const values = tf.tensor(randomWeights(tf.util.sizeFromShape(shape), seed * 100 + i, 'normal'), shape);
    variable.write(values);
    values.dispose();
  });
  layers.forEach((layer, i) => layer.maskedWeights.forEach((m, j) => {
    layer.setMask(randomMask(m.mask.read().size, seed * 1000 + i + 500 * j, 0.5), m.name);
  }));
}

/** The PrunableDense layers of `model`, in nested models and wrappers too. */
export function prunableLayers(model: tf.LayersModel): PrunableDense[] {
  return findPrunableLayers(model) as PrunableDense[];
}

/**
 * A Sequential model with a PrunableDense inside a TimeDistributed wrapper:
 * input[3, 4] → td(step_dense[5], relu) → flatten → logits[2]. Weights and
 * masks are seeded random; step_dense has units 1 and 3 pruned.
 */
export function wrappedPrunableModel(seed = 1): tf.LayersModel {
  const model = tf.sequential({
    name: 'wrapped_prunable',
    layers: [
      tf.layers.timeDistributed({ layer: prunableDense({ units: 5, activation: 'relu', name: 'step_dense' }), inputShape: [3, 4], name: 'td' }),
      tf.layers.flatten({ name: 'flat' }),
      prunableDense({ units: 2, name: 'logits' }),
    ],
  });
  randomizeModel(model, seed);
  const stepDense = (model.getLayer('td') as unknown as { layer: PrunableDense }).layer;
  const mask = stepDense.getMask();
  const values = mask.dataSync().slice();
  for (let r = 0; r < 4; r++) [1, 3].forEach((c) => (values[r * 5 + c] = 0));
  stepDense.setMask(values);
  mask.dispose();
  return model;
}

/** Seeded inputs for `model` (one input of shape [null, ...dims]). */
export function inputsFor(model: tf.LayersModel, rows = 7, seed = 5): tf.Tensor {
  const dims = model.inputs[0].shape.slice(1) as number[];
  return tf.tensor(randomWeights(rows * tf.util.sizeFromShape(dims), seed, 'normal'), [rows, ...dims]);
}

/** What `model.save` hands a save handler. */
export async function artifactsOf(model: tf.LayersModel, config?: tf.io.SaveConfig): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }), config);
  return artifacts as unknown as tf.io.ModelArtifacts;
}

/** Weight values by original name, in model order. */
export function weightValues(model: tf.LayersModel): Array<[string, number[]]> {
  return model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]);
}

/**
 * Asserts that `actual` is an exact copy of `expected`: same topology and
 * configs, bit-equal weights (kernels, biases, masks), same sparsity per
 * PrunableDense, and bit-equal predictions.
 */
export function expectSameModel(actual: tf.LayersModel, expected: tf.LayersModel): void {
  expect(actual.toJSON(null, false)).to.deep.equal(expected.toJSON(null, false));
  expect(weightValues(actual)).to.deep.equal(weightValues(expected));
  expect(prunableLayers(actual).map((l) => [l.name, l.sparsity()]))
    .to.deep.equal(prunableLayers(expected).map((l) => [l.name, l.sparsity()]));
  const x = inputsFor(expected);
  const [a, e] = [actual.predict(x) as tf.Tensor, expected.predict(x) as tf.Tensor];
  expect(Array.from(a.dataSync())).to.deep.equal(Array.from(e.dataSync()));
  tf.dispose([x, a, e]);
}

/** Runs `work` as if this library had not been imported: its layer classes unregistered from TF.js. */
export async function withoutPrunableLayers<T>(work: () => Promise<T>): Promise<T> {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const entries = prunableClasses().map((cls) => [cls.className, map[cls.className]] as const);
  for (const [name] of entries) delete map[name];
  try {
    return await work();
  } finally {
    for (const [name, entry] of entries) map[name] = entry;
  }
}

/**
 * A plain functional CNN with a layer of every convolution kind:
 * input[8, 8, 2] → conv (Conv2D 4@3x3 same, relu) → dw (DepthwiseConv2D 3x3, ×2) →
 * sep (SeparableConv2D 3@3x3 same) → up (Conv2DTranspose 2@2x2 stride 2) →
 * flatten → out (Dense 3); and a Conv1D model, input[10, 3] → conv1d (4@3) →
 * flatten → out (Dense 2). Weights are seeded random.
 */
export function convolutionalModels(seed = 1): tf.LayersModel[] {
  const input = tf.input({ shape: [8, 8, 2], name: 'image' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'sep' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, name: 'up' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const cnn = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, name: 'out' }).apply(x) as tf.SymbolicTensor, name: 'cnn' });
  const sequence = tf.sequential({
    name: 'sequence',
    layers: [
      tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [10, 3], name: 'conv1d' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  randomizeModel(cnn, seed);
  randomizeModel(sequence, seed + 1);
  return [cnn, sequence];
}

/** The vocabulary of {@link sequenceModels}' tokens. */
export const SEQUENCE_VOCABULARY = 9;

/**
 * Plain sequence models with a layer of every recurrent kind and Embedding
 * inside each wrapper, weights seeded random:
 * 'text', tokens[8] → embed (Embedding 12→5, maskZero) → bi (Bidirectional
 * of lstm, LSTM 4, returnSequences) → gru (GRU 3) → out (Dense 2); and
 * 'frames', tokens[3, 4] → td (TimeDistributed of step_embed, Embedding 9→2)
 * → reshape [3, 8] → rnn (SimpleRNN 3, goBackwards) → out (Dense 2).
 */
export function sequenceModels(seed = 1): tf.LayersModel[] {
  const tokens = tf.input({ shape: [8], name: 'tokens' });
  let x = tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true, name: 'embed' }).apply(tokens) as tf.SymbolicTensor;
  x = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, name: 'lstm' }) as never, name: 'bi' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.gru({ units: 3, name: 'gru' }).apply(x) as tf.SymbolicTensor;
  const text = tf.model({ inputs: tokens, outputs: tf.layers.dense({ units: 2, name: 'out' }).apply(x) as tf.SymbolicTensor, name: 'text' });
  const frames = tf.sequential({
    name: 'frames',
    layers: [
      tf.layers.timeDistributed({ layer: tf.layers.embedding({ inputDim: 9, outputDim: 2, name: 'step_embed' }), inputShape: [3, 4], name: 'td' }),
      tf.layers.reshape({ targetShape: [3, 8] }),
      tf.layers.simpleRNN({ units: 3, goBackwards: true, name: 'rnn' }),
      tf.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  randomizeModel(text, seed);
  randomizeModel(frames, seed + 1);
  return [text, frames];
}

/** Seeded tokens for `model` (one input), in [0, SEQUENCE_VOCABULARY), zeros (padding) included. */
export function tokensFor(model: tf.LayersModel, rows = 5, seed = 5): tf.Tensor {
  const dims = model.inputs[0].shape.slice(1) as number[];
  const values = randomWeights(rows * tf.util.sizeFromShape(dims), seed, 'uniform').map((v) => Math.floor(((v + 1) / 2) * SEQUENCE_VOCABULARY));
  return tf.tensor(values, [rows, ...dims], 'int32');
}

/**
 * Asserts that two models compute the same outputs up to float32 rounding, for
 * a Dense and a PrunableDense version of one model: Dense runs a fused
 * matMul + bias + activation kernel (on wasm), PrunableDense separate ops, so
 * their outputs can differ in the last bits.
 */
export function expectSameOutputs(actual: tf.LayersModel, expected: tf.LayersModel): void {
  const x = inputsFor(expected);
  const [a, e] = [actual.predict(x) as tf.Tensor, expected.predict(x) as tf.Tensor];
  const [av, ev] = [a.dataSync(), e.dataSync()];
  expect(av.length).to.equal(ev.length);
  ev.forEach((v, i) => expect(av[i]).to.be.closeTo(v, 1e-6 * Math.max(1, Math.abs(v)), `output ${i}`));
  tf.dispose([x, a, e]);
}

/**
 * Asserts that two models compute the same outputs to 1e-5 of the largest
 * output (at least 1), on `input` (default: seeded normal values):
 * convolutions sum many products, in another order in each implementation.
 */
export function expectCloseOutputs(actual: tf.LayersModel, expected: tf.LayersModel, input?: tf.Tensor): void {
  const x = input ?? inputsFor(expected);
  tf.tidy(() => {
    const [a, e] = [actual.predict(x) as tf.Tensor, expected.predict(x) as tf.Tensor];
    expect(a.shape).to.deep.equal(e.shape);
    const scale = Math.max(1, tf.max(tf.abs(e)).dataSync()[0]);
    expect(tf.max(tf.abs(tf.sub(a, e))).dataSync()[0]).to.be.at.most(1e-5 * scale);
  });
  if (input === undefined) x.dispose();
}
