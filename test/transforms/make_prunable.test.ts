import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { findPrunableLayers, makePrunable, PrunableDense, prunableDense, pruneModel } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { convolutionalModels, expectCloseOutputs, expectSameOutputs, inputsFor, prunableLayers, randomizeModel, weightValues } from '../io/fixtures';

/** input[6] → dense a[5] → batchNorm → inner(functional: dense b[4] → nested(Sequential: dense c[3])) → dense out[2]. */
function denseModel(): tf.LayersModel {
  const nested = tf.sequential({ name: 'nested', layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'c', activation: 'relu' })] });
  const innerInput = tf.input({ shape: [5], name: 'inner_input' });
  const b = tf.layers.dense({ units: 4, name: 'b', activation: 'tanh' }).apply(innerInput) as tf.SymbolicTensor;
  const inner = tf.model({ inputs: innerInput, outputs: nested.apply(b) as tf.SymbolicTensor, name: 'inner' });
  const input = tf.input({ shape: [6], name: 'features' });
  let x = tf.layers.dense({ units: 5, name: 'a', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'norm' }).apply(x) as tf.SymbolicTensor;
  x = inner.apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 2, name: 'out' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'dense_model' });
  randomizeModel(model, 31); // Moving mean and variance too.
  const variance = model.getLayer('norm').weights[3];
  const positive = tf.abs(variance.read());
  variance.write(positive);
  positive.dispose();
  return model;
}

/** Class names of every layer, nested models expanded. */
function classNames(model: tf.LayersModel): unknown[] {
  return model.layers.map((l) => (l instanceof tf.LayersModel ? { [l.name]: classNames(l) } : `${l.name}:${l.getClassName()}`));
}

describeOnBackends('makePrunable', () => {
  it('turns every Dense (nested models included) into a PrunableDense with the same weights and a mask of ones', () => {
    const model = denseModel();
    const json = JSON.stringify(model.toJSON(null, false));
    const weights = weightValues(model);
    const prunable = makePrunable(model);
    expect(classNames(prunable)).to.deep.equal([
      'features:InputLayer', 'a:PrunableDense', 'norm:BatchNormalization',
      { inner: ['inner_input:InputLayer', 'b:PrunableDense', { nested: ['c:PrunableDense'] }] }, 'out:PrunableDense',
    ]);
    for (const layer of prunableLayers(prunable)) {
      expect(layer.sparsity()).to.equal(0);
      const { kernel, bias } = layer.weightVariables;
      const original = findLayer(model, layer.name);
      expect(Array.from(kernel.read().dataSync())).to.deep.equal(Array.from(original.getWeights()[0].dataSync()));
      expect(Array.from(bias!.read().dataSync())).to.deep.equal(Array.from(original.getWeights()[1].dataSync()));
      expect(layer.getConfig()).to.deep.equal(original.getConfig());
    }
    // BatchNormalization keeps its (non-trainable) moving statistics.
    expect(weightValues(prunable).filter(([n]) => n.startsWith('norm/'))).to.deep.equal(weights.filter(([n]) => n.startsWith('norm/')));
    expectSameOutputs(prunable, model);
    // The original is untouched.
    expect(JSON.stringify(model.toJSON(null, false))).to.equal(json);
    expect(weightValues(model)).to.deep.equal(weights);
    model.dispose();
    prunable.dispose();
  });

  it('converts only the Dense layers the filter selects, and hands it only Dense layers', () => {
    const model = denseModel();
    const seen: string[] = [];
    const prunable = makePrunable(model, {
      filter: (layer) => {
        seen.push(layer.name);
        return layer.name === 'b' || layer.name === 'out';
      },
    });
    expect(seen.sort()).to.deep.equal(['a', 'b', 'c', 'out']);
    expect(classNames(prunable)).to.deep.equal([
      'features:InputLayer', 'a:Dense', 'norm:BatchNormalization',
      { inner: ['inner_input:InputLayer', 'b:PrunableDense', { nested: ['c:Dense'] }] }, 'out:PrunableDense',
    ]);
    expectSameOutputs(prunable, model);
    model.dispose();
    prunable.dispose();
  });

  it('gives the copy its own variables: pruning and training it leave the original as it was, and vice versa', async () => {
    const model = denseModel();
    const weights = weightValues(model);
    const before = tf.memory().numTensors;
    const prunable = makePrunable(model);
    // One variable per weight of the copy (its masks included), nothing else.
    expect(tf.memory().numTensors - before).to.equal(prunable.weights.length);
    pruneModel(prunable, { method: 'weight', sparsity: 0.5 });
    prunable.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [inputsFor(prunable), tf.ones([7, 2])];
    await prunable.fit(x, y, { epochs: 1, verbose: 0 });
    expect(weightValues(model)).to.deep.equal(weights);
    const trained = weightValues(prunable);
    model.dispose();
    expect(weightValues(prunable)).to.deep.equal(trained);
    tf.dispose([x, y]);
    prunable.dispose();
  });

  it('keeps the masks of layers that are PrunableDense already, and leaks no tensor', async () => {
    const model = tf.sequential({ layers: [prunableDense({ units: 3, inputShape: [4], name: 'p' }), tf.layers.dense({ units: 2, name: 'd' })] });
    randomizeModel(model, 32);
    const mask = Array.from((model.getLayer('p') as PrunableDense).getMask().dataSync());
    // Inference keeps each masked kernel until the weights change (see PrunableLayer): once, before measuring.
    tf.tidy(() => {
      model.predict(inputsFor(model));
    });
    await expectNoTensorLeak(() => {
      const prunable = makePrunable(model);
      expect(prunable).to.be.instanceOf(tf.Sequential);
      expect(Array.from((prunable.getLayer('p') as PrunableDense).weightVariables.mask.read().dataSync())).to.deep.equal(mask);
      expectSameOutputs(prunable, model);
      prunable.dispose();
    });
    model.dispose();
  });
});

describe('makePrunable: wrappers', () => {
  it('converts a Dense inside a TimeDistributed, which pruneModel then finds', () => {
    const model = tf.sequential({
      layers: [tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, name: 'step_dense' }), inputShape: [3, 4], name: 'td' })],
    });
    randomizeModel(model, 46);
    const prunable = makePrunable(model);
    const wrapped = (prunable.getLayer('td') as unknown as { layer: tf.layers.Layer }).layer;
    expect(wrapped).to.be.instanceOf(PrunableDense);
    expect(wrapped.name).to.equal('step_dense');
    expect(weightValues(prunable).map(([name]) => name)).to.deep.equal(['td/kernel', 'td/bias', 'td/mask']);
    expectSameOutputs(prunable, model);
    expect(pruneModel(prunable, { method: 'unit', sparsity: 0.4, layers: ['step_dense'] })).to.deep.include.members([
      {
        layer: 'step_dense', className: 'PrunableDense', masks: [{ weight: 'kernel', shape: [4, 5], weights: 20, nonzero: 12 }],
        weights: 20, nonzero: 12, sparsity: 0.4, units: 5, prunedUnits: 2,
      },
    ]);
    model.dispose();
    prunable.dispose();
  });
});

describe('makePrunable: errors', () => {
  it('rejects what is not a model, bad options and a bad filter, creating nothing', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    await expectNoTensorLeak(() => {
      expect(() => makePrunable({} as tf.LayersModel)).to.throw(TypeError,
        'makePrunable: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received an object.');
      expect(() => makePrunable(undefined as unknown as tf.LayersModel)).to.throw(TypeError, /received undefined\./);
      expect(() => makePrunable(model, null as never)).to.throw(TypeError, 'makePrunable: options must be an object {filter?}; received null.');
      expect(() => makePrunable(model, [] as never)).to.throw(TypeError, 'makePrunable: options must be an object {filter?}; received an array.');
      expect(() => makePrunable(model, { filter: 'a' as never })).to.throw(TypeError,
        'makePrunable: filter must be a function (layer) => boolean; received string "a".');
      expect(() => makePrunable(model, { filter: () => { throw new Error('filter failed'); } })).to.throw('filter failed');
    });
    model.dispose();
  });
});

describe('makePrunable: models it cannot rebuild', () => {
  it('names a layer whose class is not registered, creating nothing', async () => {
    class Unregistered extends tf.layers.Layer {
      static className = 'Unregistered';
      override computeOutputShape(shape: tf.Shape | tf.Shape[]) { return shape; }
      override call(inputs: tf.Tensor | tf.Tensor[]) { return inputs; }
    }
    const model = tf.sequential({
      name: 'custom',
      layers: [tf.layers.dense({ units: 3, inputShape: [4] }), new Unregistered({ name: 'mine' }), tf.layers.dense({ units: 2 })],
    });
    await expectNoTensorLeak(() => {
      expect(() => makePrunable(model)).to.throw("Cannot rebuild model 'custom': its layer 'mine' is a Unregistered, " +
        'a class not registered with tf.serialization.registerClass, so TF.js cannot rebuild it from its config.');
    });
    model.dispose();
  });
});

function findLayer(model: tf.LayersModel, name: string): tf.layers.Layer {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    if (layer instanceof tf.LayersModel) {
      try {
        return findLayer(layer, name);
      } catch {
        // Not in this nested model.
      }
    }
  }
  throw new Error(`no layer ${name}`);
}

describeOnBackends('makePrunable: convolutional models', () => {
  it('turns every convolution into its prunable class with the same weights and masks of ones, computing the same', () => {
    for (const model of convolutionalModels(71)) {
      const prunable = makePrunable(model);
      const kinds = prunable.layers.filter((l) => l.weights.length > 0).map((l) => `${l.name}:${l.getClassName()}`);
      expect(kinds).to.deep.equal(model.name === 'cnn'
        ? ['conv:PrunableConv2D', 'dw:PrunableDepthwiseConv2D', 'sep:PrunableSeparableConv2D', 'up:PrunableConv2DTranspose', 'out:PrunableDense']
        : ['conv1d:PrunableConv1D', 'out:PrunableDense']);
      const names = (m: tf.LayersModel) => weightValues(m).map(([name]) => name);
      expect(names(prunable).filter((n) => !n.endsWith('mask'))).to.deep.equal(names(model));
      const masks = findPrunableLayers(prunable).flatMap((l) => l.maskedWeights.map((m) => `${l.name}/${m.name}`));
      expect(names(prunable).filter((n) => n.endsWith('mask'))).to.have.length(masks.length);
      expect(findPrunableLayers(prunable).every((l) => l.sparsity() === 0)).to.equal(true);
      expectCloseOutputs(prunable, model);
      model.dispose();
      prunable.dispose();
    }
  });

  it('hands the filter every layer it could convert, and converts those it selects', () => {
    const [model] = convolutionalModels(72);
    const offered: string[] = [];
    const prunable = makePrunable(model, {
      filter: (layer) => {
        offered.push(layer.name);
        return layer.name === 'sep';
      },
    });
    expect(offered).to.deep.equal(['conv', 'dw', 'sep', 'up', 'out']);
    expect(findPrunableLayers(prunable).map((l) => l.name)).to.deep.equal(['sep']);
    expectCloseOutputs(prunable, model);
    model.dispose();
    prunable.dispose();
  });

  it('converts a Conv2D inside a TimeDistributed', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'frame_conv' }), inputShape: [3, 6, 6, 1], name: 'frames' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    randomizeModel(model, 73);
    const prunable = makePrunable(model);
    expect(findPrunableLayers(prunable).map((l) => `${l.name}:${l.getClassName()}`)).to.deep.equal(['frame_conv:PrunableConv2D', `${prunable.layers[2].name}:PrunableDense`]);
    expectCloseOutputs(prunable, model);
    model.dispose();
    prunable.dispose();
  });
});
