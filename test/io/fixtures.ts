// Models, artifacts and comparisons shared by the save, load and transform tests.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PrunableDense, prunableDense } from '../../src';
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

/** Sets every weight of `model` to seeded random values and every PrunableDense mask to a seeded random 0/1 mask. */
export function randomizeModel(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((variable, i) => {
    if (variable.originalName.endsWith('/mask')) return;
    const shape = variable.shape as number[];
    const values = tf.tensor(randomWeights(tf.util.sizeFromShape(shape), seed * 100 + i, 'normal'), shape);
    variable.write(values);
    values.dispose();
  });
  prunableLayers(model).forEach((layer, i) => {
    const [rows, cols] = layer.weightVariables.mask.shape as [number, number];
    layer.setMask(randomMask(rows * cols, seed * 1000 + i, 0.5));
  });
}

/** The PrunableDense layers of `model`, nested ones included. */
export function prunableLayers(model: tf.LayersModel): PrunableDense[] {
  return model.layers.flatMap((layer) =>
    layer instanceof tf.LayersModel ? prunableLayers(layer) : layer instanceof PrunableDense ? [layer] : []);
}

/** Seeded inputs for `model` (one input of shape [null, n]). */
export function inputsFor(model: tf.LayersModel, rows = 7, seed = 5): tf.Tensor2D {
  const n = model.inputs[0].shape[1] as number;
  return tf.tensor2d(randomWeights(rows * n, seed, 'normal'), [rows, n]);
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

/** Runs `work` as if this library had not been imported: PrunableDense unregistered from TF.js. */
export async function withoutPrunableDense<T>(work: () => Promise<T>): Promise<T> {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const entry = map[PrunableDense.className];
  delete map[PrunableDense.className];
  try {
    return await work();
  } finally {
    map[PrunableDense.className] = entry;
  }
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
