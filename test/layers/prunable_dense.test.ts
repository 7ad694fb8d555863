import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PrunableDense, prunableDense } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomMask, randomWeights } from '../support/random';

/** A Dense and a PrunableDense built from the same args and sharing kernel and bias values. */
function twinLayers(args: tf.serialization.ConfigDict & { units: number }, inputShape: number[]) {
  const dense = tf.layers.dense(args);
  const prunable = prunableDense(args);
  dense.build(inputShape);
  prunable.build(inputShape);
  const weights = dense.getWeights();
  prunable.setWeights([...weights, tf.onesLike(weights[0])]);
  return { dense, prunable };
}

function disposeWeights(...layers: tf.layers.Layer[]): void {
  for (const layer of layers) layer.weights.forEach((w) => w.dispose());
}

/** The values of `layer`'s mask. */
function maskOf(layer: PrunableDense): Float32Array {
  return layer.weightVariables.mask.read().dataSync() as Float32Array;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Gradients of sum(output · r) with respect to the input and every trainable weight. */
function gradients(layer: tf.layers.Layer, x: tf.Tensor, r: tf.Tensor): tf.Tensor[] {
  const weights = layer.trainableWeights.map((w) => w.read());
  const f = (input: tf.Tensor, ...ws: tf.Tensor[]) => {
    void ws;
    return tf.sum(tf.mul(layer.apply(input) as tf.Tensor, r));
  };
  return tf.grads(f)([x, ...weights]);
}

describe('PrunableDense: class and options', () => {
  it('is registered under its own class name and leaves Dense alone', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map.PrunableDense[0]).to.equal(PrunableDense);
    expect(map.Dense[0]).to.not.equal(PrunableDense);
    expect(tf.layers.dense({ units: 2 }).getClassName()).to.equal('Dense');
    const layer = prunableDense({ units: 2 });
    expect(layer).to.be.instanceOf(PrunableDense);
    expect(layer).to.be.instanceOf(tf.layers.Layer);
    expect(layer.getClassName()).to.equal('PrunableDense');
  });

  const optionSets: Array<tf.serialization.ConfigDict & { units: number }> = [
    { units: 3 },
    { units: 4, activation: 'relu', useBias: false, kernelInitializer: 'heNormal', biasInitializer: 'ones' },
    {
      units: 5,
      activation: 'sigmoid',
      kernelRegularizer: 'l1l2',
      biasRegularizer: 'l1l2',
      kernelConstraint: 'maxNorm',
      biasConstraint: 'nonNeg',
      inputDim: 7,
      name: 'named_layer',
      trainable: false,
      dtype: 'float32',
    },
    { units: 2, batchInputShape: [4, 3], activation: 'softmax', kernelInitializer: 'zeros' },
  ];
  optionSets.forEach((args, i) => {
    it(`has the same config as tf.layers.dense for option set ${i}`, () => {
      const expected = tf.layers.dense(args).getConfig();
      const actual = prunableDense(args).getConfig();
      delete expected.name;
      delete actual.name;
      expect(actual).to.deep.equal(expected);
    });
  });

  it('accepts initializer, regularizer and constraint objects', () => {
    const kernelInitializer = tf.initializers.randomUniform({ minval: 2, maxval: 3, seed: 1 });
    const layer = prunableDense({
      units: 3,
      kernelInitializer,
      kernelRegularizer: tf.regularizers.l2({ l2: 0.5 }),
      kernelConstraint: tf.constraints.maxNorm({ maxValue: 100 }),
    });
    layer.build([null, 4]);
    const kernel = layer.getWeights()[0].dataSync();
    expect(Math.min(...kernel)).to.be.at.least(2);
    expect(layer.losses).to.have.length(1);
    expect(layer.getConfig().kernelRegularizer).to.deep.equal({ className: 'L1L2', config: { l1: 0, l2: 0.5 } });
  });

  it('rejects bad options with the same errors as Dense', () => {
    expect(() => prunableDense({ units: 0 })).to.throw(/units/);
    expect(() => prunableDense({ units: 2.5 })).to.throw(/units/);
    expect(() => prunableDense({ units: 2, activation: 'nope' as 'relu' })).to.throw(/nope/);
    expect(() => prunableDense({ units: 2, kernelInitializer: 'nope' as 'zeros' })).to.throw(/nope/);
  });

  it('creates kernel, bias and a non-trainable float32 mask of ones', () => {
    const layer = prunableDense({ units: 3, inputDim: 4 });
    const model = tf.sequential({ layers: [layer] });
    expect(model.outputs[0].shape).to.deep.equal([null, 3]);
    expect(layer.trainableWeights.map((w) => w.originalName)).to.deep.equal(['kernel', 'bias'].map((n) => `${layer.name}/${n}`));
    expect(layer.nonTrainableWeights.map((w) => w.originalName)).to.deep.equal([`${layer.name}/mask`]);
    const mask = layer.getMask();
    expect(mask.dtype).to.equal('float32');
    expect(mask.shape).to.deep.equal([4, 3]);
    expect(Array.from(mask.dataSync())).to.deep.equal(new Array(12).fill(1));
    mask.dispose();
    const noBias = prunableDense({ units: 3, useBias: false });
    noBias.build([null, 4]);
    expect(noBias.weights.map((w) => w.originalName.split('/').pop())).to.deep.equal(['kernel', 'mask']);
  });

  it('needs a built layer for mask access, and says so', () => {
    const layer = prunableDense({ units: 3 });
    expect(() => layer.getMask()).to.throw(/getMask needs a built layer/);
    expect(() => layer.setMask([1])).to.throw(/setMask needs a built layer/);
    expect(() => layer.sparsity()).to.throw(/sparsity needs a built layer/);
  });
});

describeOnBackends('PrunableDense: math', () => {
  const activations = ['linear', 'relu', 'sigmoid', 'softmax', 'tanh'];
  for (const activation of activations) {
    for (const inputShape of [[6, 5], [2, 3, 5]]) {
      it(`equals Dense (${activation}, input [${inputShape}]) in outputs and gradients`, () => {
        const { dense, prunable } = twinLayers({ units: 4, activation }, inputShape);
        const size = inputShape.reduce((a, b) => a * b);
        const x = tf.tensor(randomWeights(size, 1, 'uniform'), inputShape);
        const outShape = [...inputShape.slice(0, -1), 4];
        const r = tf.tensor(randomWeights(outShape.reduce((a, b) => a * b), 2, 'uniform'), outShape);
        expect(maxAbsDiff(dense.apply(x) as tf.Tensor, prunable.apply(x) as tf.Tensor)).to.be.below(1e-5);
        const expected = gradients(dense, x, r);
        const actual = gradients(prunable, x, r);
        expect(actual).to.have.length(3);
        expected.forEach((g, i) => expect(maxAbsDiff(g, actual[i]), `gradient ${i}`).to.be.below(1e-5));
        tf.dispose([x, r, ...expected, ...actual]);
        disposeWeights(dense, prunable);
      });
    }
  }

  it('multiplies the mask into the kernel and gives pruned entries exactly zero gradient', () => {
    const { prunable } = twinLayers({ units: 6, activation: 'relu' }, [8, 10]);
    const maskValues = randomMask(60, 3, 0.6);
    prunable.setMask(maskValues);
    const [kernel, bias] = prunable.getWeights();
    const x = tf.tensor(randomWeights(80, 4, 'uniform'), [8, 10]);
    const r = tf.tensor(randomWeights(48, 5, 'uniform'), [8, 6]);
    const expected = tf.relu(tf.add(tf.matMul(x, tf.mul(kernel, tf.tensor(maskValues, [10, 6]))), bias));
    expect(maxAbsDiff(prunable.apply(x) as tf.Tensor, expected)).to.be.below(1e-6);
    const [, kernelGrad] = gradients(prunable, x, r);
    const g = kernelGrad.dataSync();
    let checked = 0;
    maskValues.forEach((m, i) => {
      if (m === 0) {
        expect(g[i], `gradient of pruned entry ${i}`).to.equal(0);
        checked++;
      }
    });
    expect(checked).to.be.greaterThan(20);
    expect(g.some((v) => v !== 0)).to.equal(true);
    disposeWeights(prunable);
  });

  it('keeps effective weights exactly zero through Adam training, with masks set before and during fit', async () => {
    const hidden = prunableDense({ units: 16, activation: 'relu', inputShape: [12] });
    const output = prunableDense({ units: 3, activation: 'softmax' });
    const model = tf.sequential({ layers: [hidden, output] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const x = tf.tensor(randomWeights(64 * 12, 6, 'uniform'), [64, 12]);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3), 'int32'), 3);
    const before = randomMask(12 * 16, 7, 0.5);
    hidden.setMask(before);
    const during = randomMask(16 * 3, 8, 0.5);
    const expectMaskedZero = (layer: PrunableDense) => {
      const [kernel] = layer.getWeights();
      const mask = layer.getMask();
      const effective = tf.mul(kernel, mask).dataSync();
      mask.dataSync().forEach((m, i) => {
        if (m === 0) expect(effective[i]).to.equal(0);
      });
      mask.dispose();
    };
    const kernelBefore = hidden.getWeights()[0].dataSync().slice();
    await model.fit(x, y, {
      epochs: 4,
      batchSize: 16,
      verbose: 0,
      callbacks: {
        onBatchEnd: async (batch) => {
          if (batch === 1) output.setMask(during);
          expectMaskedZero(hidden);
        },
      },
    });
    expectMaskedZero(hidden);
    expectMaskedZero(output);
    // Training did move the kept weights.
    const kernelAfter = hidden.getWeights()[0].dataSync();
    expect(kernelAfter.some((v, i) => before[i] === 1 && v !== kernelBefore[i])).to.equal(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describeOnBackends('PrunableDense: getMask, setMask, sparsity', () => {
  let layer: PrunableDense;
  beforeEach(() => {
    layer = prunableDense({ units: 3 });
    layer.build([null, 2]);
  });
  afterEach(() => disposeWeights(layer));

  it('returns a copy from getMask', () => {
    const copy = layer.getMask();
    copy.dispose();
    const again = layer.getMask();
    expect(Array.from(again.dataSync())).to.deep.equal([1, 1, 1, 1, 1, 1]);
    again.dispose();
  });

  it('accepts a tensor, a typed array or a number array, and reports sparsity', () => {
    const t = tf.tensor2d([[1, 0, 1], [0, 0, 1]]);
    layer.setMask(t);
    expect(t.isDisposed).to.equal(false);
    t.dispose();
    expect(layer.sparsity()).to.be.closeTo(0.5, 1e-12);
    layer.setMask(new Float32Array([0, 0, 0, 0, 0, 1]));
    expect(layer.sparsity()).to.be.closeTo(5 / 6, 1e-12);
    layer.setMask(new Uint8Array([1, 1, 1, 1, 1, 1]));
    expect(layer.sparsity()).to.equal(0);
    layer.setMask([0, 0, 0, 0, 0, 0]);
    expect(layer.sparsity()).to.equal(1);
    const stored = layer.getMask();
    expect(stored.dtype).to.equal('float32');
    stored.dispose();
  });

  it('rejects masks of the wrong shape, size, type or values, keeping the old mask', () => {
    layer.setMask([1, 0, 1, 1, 1, 1]);
    const wrongShape = tf.ones([3, 2]);
    expect(() => layer.setMask(wrongShape)).to.throw(/mask must have the kernel's shape \[2,3\]; received shape \[3,2\]/);
    wrongShape.dispose();
    expect(() => layer.setMask([1, 1, 1])).to.throw(/mask must hold 6 values .*received 3/);
    const prefix = `PrunableDense '${layer.name}': mask must hold only 0 and 1; found`;
    expect(() => layer.setMask([1, 1, 1, 1, 1, 0.5])).to.throw(`${prefix} 0.5 at flat index 5`);
    expect(() => layer.setMask([1, 1, 2, 1, 1, 1])).to.throw(`${prefix} 2 at flat index 2`);
    expect(() => layer.setMask([1, 1, NaN, 1, 1, 1])).to.throw(`${prefix} NaN at flat index 2`);
    expect(() => layer.setMask('ones' as unknown as number[])).to.throw(TypeError, /mask must be a tf.Tensor.*received string/);
    expect(() => layer.setMask(['1'] as unknown as number[])).to.throw(TypeError, /mask must be/);
    expect(layer.sparsity()).to.be.closeTo(1 / 6, 1e-12);
  });

  it('accepts any typed array of numbers and arrays of numbers, and keeps no reference to the caller\'s array', () => {
    const ones = [1, 1, 1, 1, 1, 1];
    for (const mask of [Float64Array.from([1, 0, 1, 1, 1, 1]), Int8Array.from([1, 0, 1, 1, 1, 1]), Uint16Array.from([1, 0, 1, 1, 1, 1])]) {
      layer.setMask(ones);
      layer.setMask(mask);
      expect(Array.from(maskOf(layer)), mask.constructor.name).to.deep.equal([1, 0, 1, 1, 1, 1]);
    }
    const own = Float32Array.from([0, 1, 1, 1, 1, 1]);
    layer.setMask(own);
    own[1] = 0;
    expect(Array.from(maskOf(layer))).to.deep.equal([0, 1, 1, 1, 1, 1]);
    expect(() => layer.setMask(new BigInt64Array(6) as never)).to.throw(TypeError,
      `PrunableDense '${layer.name}': mask must be a tf.Tensor, a typed array or an array of numbers; received a BigInt64Array`);
    expect(() => layer.setMask([1, 1, '1', 1, 1, 1] as never)).to.throw(TypeError,
      `PrunableDense '${layer.name}': mask must be a tf.Tensor, a typed array or an array of numbers; received an array holding string "1" at index 2`);
    expect(Array.from(maskOf(layer))).to.deep.equal([0, 1, 1, 1, 1, 1]);
  });

  it('leaks no tensor across mask updates and calls', async () => {
    // Inference keeps the masked kernel of the last call, replaced when the mask changes: one, before and after.
    tf.tidy(() => {
      layer.apply(tf.ones([4, 2]));
    });
    await expectNoTensorLeak(() => {
      for (let i = 0; i < 10; i++) {
        layer.setMask(randomMask(6, i, 0.5));
        layer.sparsity();
        layer.getMask().dispose();
        tf.tidy(() => {
          layer.apply(tf.ones([4, 2]));
        });
      }
    });
  });
});

describeOnBackends('PrunableDense: serialization', () => {
  it('round-trips every option through getConfig and fromConfig', () => {
    const args = {
      units: 5,
      activation: 'tanh' as const,
      useBias: false,
      kernelInitializer: tf.initializers.varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform', seed: 3 }),
      biasInitializer: 'ones' as const,
      kernelRegularizer: tf.regularizers.l1({ l1: 0.01 }),
      biasRegularizer: 'l1l2' as const,
      kernelConstraint: tf.constraints.minMaxNorm({ minValue: 0.1, maxValue: 2 }),
      biasConstraint: 'unitNorm' as const,
      inputShape: [4],
      name: 'p',
      trainable: false,
    };
    const config = prunableDense(args).getConfig();
    const rebuilt = PrunableDense.fromConfig(PrunableDense, config) as PrunableDense;
    expect(rebuilt).to.be.instanceOf(PrunableDense);
    expect(rebuilt.getConfig()).to.deep.equal(config);
  });

  it('saves and loads through model JSON (snake_case on save, camelCase on load) with its mask', async () => {
    const layer = prunableDense({ units: 4, activation: 'relu', inputShape: [3], kernelInitializer: 'leCunUniform', kernelRegularizer: 'l1l2', name: 'pd' });
    const model = tf.sequential({ layers: [layer, prunableDense({ units: 2, biasInitializer: 'ones' })] });
    layer.setMask([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1]);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const json = JSON.stringify(artifacts!.modelTopology);
    expect(json).to.contain('"class_name":"PrunableDense"');
    // leCunUniform is a VarianceScaling; its string option is snake_cased too.
    expect(json).to.contain('"kernel_initializer":{"class_name":"VarianceScaling","config":{"scale":1,"mode":"fan_in"');
    expect(json).to.contain('"use_bias":true');
    expect(artifacts!.weightSpecs!.map((s) => s.name)).to.include('pd/mask');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const reloaded = loaded.getLayer('pd') as PrunableDense;
    expect(reloaded).to.be.instanceOf(PrunableDense);
    expect(reloaded.getConfig()).to.deep.equal(layer.getConfig());
    expect(reloaded.sparsity()).to.equal(layer.sparsity());
    const original = model.getWeights();
    loaded.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).to.deep.equal(Array.from(original[i].dataSync())));
    const x = tf.tensor2d([[0.5, -1, 2], [3, 0.1, -0.2]]);
    expect(maxAbsDiff(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor)).to.equal(0);
    x.dispose();
    model.dispose();
    loaded.dispose();
  });
});
