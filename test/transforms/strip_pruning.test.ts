import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { findPrunableLayers, makePrunable, PrunableDense, stripPruning } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import {
  artifactsOf, convolutionalModels, expectCloseOutputs, expectSameModel, expectSameOutputs, nestedPrunableModel, prunableLayers, randomizeModel, weightValues,
  withoutPrunableLayers, wrappedPrunableModel,
} from '../io/fixtures';

/** Every layer of `model`, nested models expanded. */
function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? leafLayers(l) : [l]));
}

describeOnBackends('stripPruning', () => {
  it('replaces every PrunableDense (nested models included) by a Dense with kernel ⊙ mask and the same bias', () => {
    const model = nestedPrunableModel(41);
    const stripped = stripPruning(model);
    expect(leafLayers(stripped).map((l) => `${l.name}:${l.getClassName()}`))
      .to.deep.equal(['features:InputLayer', 'inner_dense:Dense', 'hidden:Dense', 'logits:Dense']);
    for (const layer of prunableLayers(model)) {
      const dense = leafLayers(stripped).find((l) => l.name === layer.name)!;
      const { kernel, bias, mask } = layer.weightVariables;
      const [k, m] = [kernel.read().dataSync(), mask.read().dataSync()];
      const [strippedKernel, strippedBias] = dense.getWeights().map((w) => Array.from(w.dataSync()));
      // Pruned entries are +0, never -0 (deep.equal tells them apart): -0 compresses worse.
      expect(strippedKernel).to.deep.equal(Array.from(k, (v, i) => v * m[i] + 0));
      expect(Array.from(k).some((v, i) => m[i] === 0 && v < 0), 'a pruned negative weight').to.equal(true);
      expect(strippedBias).to.deep.equal(Array.from(bias!.read().dataSync()));
      const { name: _n, ...config } = layer.getConfig();
      expect(dense.getConfig()).to.deep.include(config);
    }
    expectSameOutputs(stripped, model);
    model.dispose();
    stripped.dispose();
  });

  it('leaves the original as it was and leaks no tensor', async () => {
    const model = nestedPrunableModel(42);
    const json = JSON.stringify(model.toJSON(null, false));
    const weights = weightValues(model);
    await expectNoTensorLeak(() => stripPruning(model).dispose());
    expect(JSON.stringify(model.toJSON(null, false))).to.equal(json);
    expect(weightValues(model)).to.deep.equal(weights);
    expect(prunableLayers(model).map((l) => l.sparsity())).to.satisfy((s: number[]) => s.every((v) => v > 0));
    model.dispose();
  });

  it('saves JSON that names no PrunableDense and loads without this library, predicting the same', async () => {
    const model = nestedPrunableModel(43);
    const stripped = stripPruning(model);
    const artifacts = await artifactsOf(stripped);
    expect(JSON.stringify(artifacts.modelTopology)).to.not.include('PrunableDense');
    expect(artifacts.weightSpecs!.map((s) => s.name)).to.not.include.members(['hidden/mask', 'inner_dense/mask']);
    const loaded = await withoutPrunableLayers(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
    expectSameModel(loaded, stripped);
    expectSameOutputs(loaded, model);
    [model, stripped, loaded].forEach((m) => m.dispose());
  });

  it('strips a PrunableDense inside a TimeDistributed: the wrapper holds a Dense with kernel ⊙ mask, and loads without this library', async () => {
    const model = wrappedPrunableModel(44);
    const stripped = stripPruning(model);
    const wrapped = (stripped.getLayer('td') as unknown as { layer: tf.layers.Layer }).layer;
    expect(`${wrapped.name}:${wrapped.getClassName()}`).to.equal('step_dense:Dense');
    const { kernel, mask } = prunableLayers(model)[0].weightVariables;
    const [k, m] = [kernel.read().dataSync(), mask.read().dataSync()];
    expect(Array.from(wrapped.getWeights()[0].dataSync())).to.deep.equal(Array.from(k, (v, i) => v * m[i] + 0));
    expectSameOutputs(stripped, model);
    const artifacts = await artifactsOf(stripped);
    expect(JSON.stringify(artifacts.modelTopology)).to.not.include('PrunableDense');
    const loaded = await withoutPrunableLayers(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
    expectSameOutputs(loaded, model);
    [model, stripped, loaded].forEach((x) => x.dispose());
  });

  it('undoes makePrunable when no weight is pruned', () => {
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [6], name: 'd1' }), tf.layers.dense({ units: 2, name: 'd2' })] });
    const back = stripPruning(makePrunable(dense));
    expect(back.toJSON(null, false)).to.deep.equal(dense.toJSON(null, false));
    expect(weightValues(back)).to.deep.equal(weightValues(dense));
    expect(back.layers.some((l) => l instanceof PrunableDense)).to.equal(false);
    dense.dispose();
    back.dispose();
  });
});

describe('stripPruning: errors', () => {
  it('rejects what is not a model', () => {
    expect(() => stripPruning(tf.layers.dense({ units: 2 }) as unknown as tf.LayersModel)).to.throw(TypeError,
      'stripPruning: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received a Dense.');
  });
});

describeOnBackends('stripPruning: convolutional models', () => {
  it('returns the plain classes with weight ⊙ mask, loading without this library and computing the same', async () => {
    for (const model of convolutionalModels(81)) {
      const prunable = makePrunable(model);
      randomizeModel(prunable, 82);
      const stripped = stripPruning(prunable);
      expect(stripped.layers.map((l) => l.getClassName())).to.deep.equal(model.layers.map((l) => l.getClassName()));
      for (const layer of findPrunableLayers(prunable)) {
        const plain = stripped.getLayer(layer.name);
        const folded = tf.tidy(() => {
          const masks = new Map(layer.maskedWeights.map((m) => [m.weight, m.mask]));
          return layer.weights.filter((w) => ![...masks.values()].includes(w))
            .map((w) => Array.from(masks.has(w) ? tf.add(tf.mul(w.read(), masks.get(w)!.read()), 0).dataSync() : w.read().dataSync()));
        });
        expect(plain.getWeights().map((w) => Array.from(w.dataSync()))).to.deep.equal(folded);
      }
      expectCloseOutputs(stripped, prunable);
      const artifacts = await artifactsOf(stripped);
      expect(JSON.stringify(artifacts.modelTopology)).to.not.include('Prunable');
      const loaded = await withoutPrunableLayers(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
      expectCloseOutputs(loaded, prunable);
      [model, prunable, stripped, loaded].forEach((m) => m.dispose());
    }
  });
});
