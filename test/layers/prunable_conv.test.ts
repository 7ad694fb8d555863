import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  loadPrunableModel, PrunableConv1D, prunableConv1d, PrunableConv2D, prunableConv2d, PrunableConv2DTranspose,
  prunableConv2dTranspose, PrunableDepthwiseConv2D, prunableDepthwiseConv2d, PrunableLayer, PrunableSeparableConv2D,
  prunableSeparableConv2d,
} from '../../src';
import { describeOnBackend, describeOnBackends } from '../support/backends';
import { expectPredictAndFitLeakNothing } from '../support/memory';
import { randomMask, randomWeights } from '../support/random';

type Args = Record<string, unknown>;

/** A convolution kind: its tf.layers factory, its prunable factory and class, and an input shape per data format. */
interface Kind {
  name: string;
  plain: (args: Args) => tf.layers.Layer;
  prunable: (args: Args) => PrunableLayer;
  cls: new (args: never) => PrunableLayer;
  /** Option sets to compare with tf.layers, each on its input shape (without the batch). */
  cases: Array<{ args: Args; input: number[] }>;
}

const LAST: number[] = [9, 8, 3];
const FIRST: number[] = [3, 9, 8];

const KINDS: Kind[] = [
  {
    name: 'Conv2D', plain: (a) => tf.layers.conv2d(a as never), prunable: (a) => prunableConv2d(a as never), cls: PrunableConv2D,
    cases: [
      { args: { filters: 3, kernelSize: 3 }, input: LAST },
      { args: { filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' }, input: LAST },
      { args: { filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'elu' }, input: LAST },
      { args: { filters: 3, kernelSize: 3, dataFormat: 'channelsFirst', strides: [1, 2], activation: 'sigmoid' }, input: FIRST },
      { args: { filters: 5, kernelSize: 1, useBias: false, activation: 'tanh' }, input: LAST },
      { args: { filters: 2, kernelSize: 2, padding: 'same', activation: 'relu6', kernelRegularizer: 'l1l2', kernelConstraint: 'maxNorm' }, input: LAST },
    ],
  },
  {
    name: 'Conv1D', plain: (a) => tf.layers.conv1d(a as never), prunable: (a) => prunableConv1d(a as never), cls: PrunableConv1D,
    cases: [
      { args: { filters: 4, kernelSize: 3 }, input: [12, 3] },
      { args: { filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }, input: [13, 2] },
      { args: { filters: 3, kernelSize: 3, dilationRate: 2, activation: 'elu' }, input: [12, 3] },
      { args: { filters: 3, kernelSize: 2, useBias: false, activation: 'sigmoid' }, input: [10, 4] },
    ],
  },
  {
    name: 'Conv2DTranspose', plain: (a) => tf.layers.conv2dTranspose(a as never), prunable: (a) => prunableConv2dTranspose(a as never),
    cls: PrunableConv2DTranspose,
    cases: [
      { args: { filters: 3, kernelSize: 3, strides: 2, padding: 'same' }, input: LAST },
      { args: { filters: 2, kernelSize: [3, 2], strides: [2, 1], activation: 'relu' }, input: LAST },
      { args: { filters: 2, kernelSize: 4, strides: 3, padding: 'same', dataFormat: 'channelsFirst' }, input: FIRST },
      { args: { filters: 4, kernelSize: 2, useBias: false, activation: 'tanh' }, input: LAST },
    ],
  },
  {
    name: 'DepthwiseConv2D', plain: (a) => tf.layers.depthwiseConv2d(a as never), prunable: (a) => prunableDepthwiseConv2d(a as never),
    cls: PrunableDepthwiseConv2D,
    cases: [
      { args: { kernelSize: 3 }, input: LAST },
      { args: { kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' }, input: LAST },
      { args: { kernelSize: [2, 3], depthMultiplier: 3, dataFormat: 'channelsFirst', activation: 'relu6' }, input: FIRST },
      { args: { kernelSize: 3, useBias: false, depthwiseRegularizer: 'l1l2' }, input: LAST },
    ],
  },
  {
    name: 'SeparableConv2D', plain: (a) => tf.layers.separableConv2d(a as never), prunable: (a) => prunableSeparableConv2d(a as never),
    cls: PrunableSeparableConv2D,
    cases: [
      { args: { filters: 4, kernelSize: 3 }, input: LAST },
      { args: { filters: 2, kernelSize: 3, depthMultiplier: 1, strides: 2, padding: 'same', activation: 'relu' }, input: LAST },
      { args: { filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'elu' }, input: LAST },
      { args: { filters: 3, kernelSize: 2, dataFormat: 'channelsFirst', useBias: false, activation: 'sigmoid' }, input: FIRST },
    ],
  },
];

/** Seeded random values for every weight of `layer` but its masks. */
function randomizeWeights(layer: tf.layers.Layer, seed: number): void {
  layer.trainableWeights.forEach((w, i) => {
    const values = tf.tensor(randomWeights(tf.util.sizeFromShape(w.shape as number[]), seed + i, 'normal'), w.shape as number[]);
    w.write(tf.mul(values, 0.5));
    values.dispose();
  });
}

/** A plain layer and a prunable one of the same options, built, with the same weights and masks of ones. */
function twins(kind: Kind, args: Args, input: number[], seed = 1): { plain: tf.layers.Layer; prunable: PrunableLayer } {
  const plain = kind.plain(args);
  const prunable = kind.prunable(args);
  plain.build([null, ...input]);
  prunable.build([null, ...input]);
  randomizeWeights(plain, seed);
  prunable.setWeights([...plain.getWeights(), ...prunable.maskedWeights.map((m) => tf.onesLike(m.weight.read()))]);
  return { plain, prunable };
}

function disposeWeights(...layers: tf.layers.Layer[]): void {
  for (const layer of layers) layer.weights.forEach((w) => w.dispose());
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function input(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomWeights(2 * tf.util.sizeFromShape(shape), seed, 'normal'), [2, ...shape]);
}

/** Whether the wasm backend's own 'same' convolution is wrong for `args` (a kernel shorter than the stride). */
function hitsWasmSamePaddingBug(args: Args, shape: number[]): boolean {
  if (args.padding !== 'same') return false;
  const pair = (v: unknown) => (Array.isArray(v) ? v as number[] : [v as number ?? 1, v as number ?? 1]);
  const [kernel, strides] = [pair(args.kernelSize), pair(args.strides ?? 1)];
  const spatial = args.dataFormat === 'channelsFirst' ? shape.slice(1) : shape.slice(0, -1);
  return spatial.some((size, i) => {
    const output = Math.ceil(size / strides[i]);
    return (output - 1) * strides[i] + kernel[i] < size;
  });
}

describe('prunable convolutions: classes and options', () => {
  for (const kind of KINDS) {
    it(`${kind.name}: is registered under its own name and leaves ${kind.name} alone`, () => {
      const map = tf.serialization.SerializationMap.getMap().classNameMap;
      const className = `Prunable${kind.name}`;
      expect(map[className][0]).to.equal(kind.cls);
      expect(map[kind.name][0]).to.not.equal(kind.cls);
      const layer = kind.prunable(kind.cases[0].args);
      expect(layer).to.be.instanceOf(kind.cls).and.instanceOf(PrunableLayer);
      expect(layer.getClassName()).to.equal(className);
      expect(layer.plainClassName).to.equal(kind.name);
    });

    kind.cases.forEach(({ args }, i) => {
      it(`${kind.name}: has the config of tf.layers for option set ${i}`, () => {
        const expected = kind.plain(args).getConfig();
        const actual = kind.prunable(args).getConfig();
        delete expected.name;
        delete actual.name;
        // tf.layers' DepthwiseConv2D writes its regularizer as its constraint; ours writes the constraint.
        if (kind.name === 'DepthwiseConv2D') expected.depthwiseConstraint = null;
        expect(actual).to.deep.equal(expected);
      });
    });

    it(`${kind.name}: rejects an unknown option, naming it and the options`, () => {
      expect(() => kind.prunable({ ...kind.cases[0].args, activaton: 'relu' })).to.throw(
        Error, new RegExp(`^Prunable${kind.name} '.*': unknown option 'activaton'; options are .*activation.*`));
    });

    it(`${kind.name}: rejects a boolean option given as a string`, () => {
      expect(() => kind.prunable({ ...kind.cases[0].args, useBias: 'false' })).to.throw(
        TypeError, new RegExp(`^Prunable${kind.name} '.*': useBias must be true or false; received string "false"\\.$`));
    });

    it(`${kind.name}: rejects bad options with the errors of tf.layers`, () => {
      const plainError = (() => {
        try {
          kind.plain({ ...kind.cases[0].args, kernelSize: 'x' });
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      })();
      expect(() => kind.prunable({ ...kind.cases[0].args, kernelSize: 'x' })).to.throw(plainError);
    });
  }

  it('creates each weight as tf.layers does, then a non-trainable float32 mask of ones per masked weight', () => {
    const names = (layer: tf.layers.Layer) => layer.weights.map((w) => w.originalName.split('/').pop());
    const built = (layer: PrunableLayer, shape: number[]) => {
      layer.build([null, ...shape]);
      return layer;
    };
    expect(names(built(prunableConv2d({ filters: 2, kernelSize: 3 }), LAST))).to.deep.equal(['kernel', 'bias', 'kernel_mask']);
    expect(names(built(prunableDepthwiseConv2d({ kernelSize: 3, useBias: false }), LAST))).to.deep.equal(['depthwise_kernel', 'depthwise_kernel_mask']);
    const separable = built(prunableSeparableConv2d({ filters: 2, kernelSize: 3 }), LAST);
    expect(names(separable)).to.deep.equal(['depthwise_kernel', 'pointwise_kernel', 'bias', 'depthwise_kernel_mask', 'pointwise_kernel_mask']);
    expect(separable.nonTrainableWeights.map((w) => w.dtype)).to.deep.equal(['float32', 'float32']);
    const masks = ['depthwise_kernel', 'pointwise_kernel'].map((w) => separable.getMask(w));
    expect(masks.map((m) => m.shape)).to.deep.equal([[3, 3, 3, 1], [1, 1, 3, 2]]);
    expect(masks.every((m) => m.dataSync().every((v) => v === 1))).to.equal(true);
    tf.dispose(masks);
    disposeWeights(separable);
  });

  it('names the masked weight to use where a layer has two, and checks it', () => {
    const layer = prunableSeparableConv2d({ filters: 2, kernelSize: 3 });
    layer.build([null, ...LAST]);
    expect(() => layer.getMask()).to.throw(Error,
      `PrunableSeparableConv2D '${layer.name}': getMask needs the name of a masked weight, 'depthwise_kernel', 'pointwise_kernel'; received undefined.`);
    expect(() => layer.setMask(tf.ones([1]), 'bias')).to.throw(Error, "received string \"bias\"");
    layer.setMask(randomMask(6, 1, 0.5), 'pointwise_kernel');
    layer.setMask(new Float32Array(27).fill(0), 'depthwise_kernel');
    expect(layer.sparsity()).to.be.closeTo((27 + 6 - tf.tidy(() => tf.sum(layer.getMask('pointwise_kernel')).dataSync()[0])) / 33, 1e-9);
    expect(() => layer.setMask(new Float32Array(27), 'pointwise_kernel')).to.throw(Error,
      `PrunableSeparableConv2D '${layer.name}': mask of 'pointwise_kernel' must hold 6 values (kernel shape [1,1,3,2]); received 27.`);
    disposeWeights(layer);
  });

  it('accepts a mask as nested arrays of the kernel shape, and names the first mismatch', () => {
    const layer = prunableConv2d({ filters: 2, kernelSize: 1 });
    layer.build([null, 4, 4, 3]);
    layer.setMask([[[[1, 0], [0, 1], [1, 1]]]]);
    expect(Array.from(layer.getMask().dataSync())).to.deep.equal([1, 0, 0, 1, 1, 1]);
    expect(() => layer.setMask([[[[1, 0], [0, 1]]]])).to.throw(Error,
      `PrunableConv2D '${layer.name}': mask must be nested arrays of shape [1,1,3,2]; at [0][0] expected 3 entries, received 2.`);
    disposeWeights(layer);
  });

  it('refuses the options that tf.layers computes wrongly, saying why', () => {
    expect(() => prunableConv1d({ filters: 2, kernelSize: 3, padding: 'causal' })).to.throw(
      Error, /PrunableConv1D '.*': padding 'causal' is not supported: tf.layers.conv1d of TF.js 4.22 throws on it, so no plain model could compute what the pruned one does/);
    expect(() => prunableConv1d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' })).to.throw(Error, /dataFormat 'channelsFirst' is not supported/);
    expect(() => prunableDepthwiseConv2d({ kernelSize: 3, dilationRate: 2 })).to.throw(
      Error, /PrunableDepthwiseConv2D '.*': dilationRate \[2,2\] is not supported: tf.layers.depthwiseConv2d of TF.js 4.22 ignores it/);
    expect(() => prunableSeparableConv2d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' })).to.throw(
      Error, /dataFormat 'channelsFirst' with useBias is not supported/);
    expect(() => prunableSeparableConv2d({ filters: 2, kernelSize: 3, depthMultiplier: 2 })).to.throw(
      Error, /depthMultiplier 2 is not supported: tf.layers.separableConv2d of TF.js 4.22 leaves it out of its saved config/);
    expect(() => prunableConv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 })).to.throw(
      Error, /dilationRate \[2\] is not supported: tf.layers.conv2dTranspose of TF.js 4.22 ignores it/);
    expect(() => prunableConv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).to.throw(
      Error, /PrunableConv2D '.*': strides \[2,2\] and dilationRate \[2,2\] cannot both exceed 1/);
  });

  it('honours pointwiseInitializer, which tf.layers.separableConv2d ignores', () => {
    const layer = prunableSeparableConv2d({ filters: 2, kernelSize: 3, depthwiseInitializer: 'zeros', pointwiseInitializer: 'ones' });
    layer.build([null, ...LAST]);
    expect(Array.from(layer.maskedWeights[1].weight.read().dataSync()).every((v) => v === 1)).to.equal(true);
    expect(layer.getConfig().pointwiseInitializer).to.deep.equal({ className: 'Ones', config: {} });
    disposeWeights(layer);
  });
});

describeOnBackends('prunable convolutions against tf.layers', (backend) => {
  for (const kind of KINDS) {
    kind.cases.forEach(({ args, input: shape }, i) => {
      it(`${kind.name} option set ${i}: with masks of ones, computes what tf.layers computes (1e-5)`, async () => {
        const { plain, prunable } = twins(kind, args, shape, 10 + i);
        const x = input(shape, 20 + i);
        const ours = prunable.apply(x) as tf.Tensor;
        expect(ours.shape).to.deep.equal(plain.computeOutputShape([2, ...shape]));
        if (backend === 'wasm' && hitsWasmSamePaddingBug(args, shape)) {
          // The wasm backend's own 'same' convolution is wrong here: compare with tf.layers on cpu.
          const values = ours.dataSync();
          await tf.setBackend('cpu');
          const expected = tf.tidy(() => (plain.apply(x) as tf.Tensor).dataSync());
          await tf.setBackend('wasm');
          expect(maxAbsDiff(tf.tensor(values), tf.tensor(expected))).to.be.below(1e-5);
        } else {
          const expected = plain.apply(x) as tf.Tensor;
          expect(maxAbsDiff(ours, expected)).to.be.below(1e-5);
          expected.dispose();
        }
        tf.dispose([x, ours]);
        disposeWeights(plain, prunable);
      });
    });

    it(`${kind.name}: pruned entries get exactly zero gradient, the others not`, () => {
      const { args, input: shape } = kind.cases[1];
      const { plain, prunable } = twins(kind, args, shape, 30);
      const x = input(shape, 31);
      prunable.maskedWeights.forEach((m, j) => prunable.setMask(randomMask(m.mask.read().size, 40 + j, 0.5), m.name));
      const variables = prunable.maskedWeights.map((m) => m.weight.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(prunable.apply(x) as tf.Tensor)), variables);
      prunable.maskedWeights.forEach((m) => {
        const g = grads[(m.weight.read() as tf.Variable).name].dataSync();
        const mask = m.mask.read().dataSync();
        let nonzero = 0;
        for (let j = 0; j < g.length; j++) {
          if (mask[j] === 0) expect(g[j], `${m.name}[${j}]`).to.equal(0);
          else if (g[j] !== 0) nonzero++;
        }
        expect(nonzero, m.name).to.be.above(0);
      });
      tf.dispose([x, ...Object.values(grads)]);
      disposeWeights(plain, prunable);
    });
  }

  it('saves and loads every kind with its masks exactly, and the reloaded model computes the same', async () => {
    const model = tf.sequential({
      layers: [
        prunableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2] }),
        prunableDepthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
        prunableSeparableConv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
        prunableConv2dTranspose({ filters: 2, kernelSize: 2, strides: 2 }),
        tf.layers.reshape({ targetShape: [24, 12] }),
        prunableConv1d({ filters: 2, kernelSize: 3 }),
      ],
    });
    for (const [i, layer] of (model.layers.filter((l) => l instanceof PrunableLayer) as PrunableLayer[]).entries()) {
      randomizeWeights(layer, 50 + i);
      for (const [j, m] of layer.maskedWeights.entries()) layer.setMask(randomMask(m.mask.read().size, 60 + 2 * i + j, 0.4), m.name);
    }
    let artifacts!: tf.io.ModelArtifacts;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await loadPrunableModel(tf.io.fromMemory(artifacts));
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values(loaded)).to.deep.equal(values(model));
    const x = input([8, 8, 2], 70);
    expect(maxAbsDiff(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).to.be.below(1e-5);
    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('predicts and trains without leaking tensors', async () => {
    const layer = prunableSeparableConv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] });
    const model = tf.sequential({ layers: [layer, tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = input([6, 6, 2], 80);
    const y = tf.zeros([2, 2]);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    await expectPredictAndFitLeakNothing(model, x, y);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describeOnBackend('prunable convolutions: one SGD step', 'cpu', () => {
  for (const kind of KINDS) {
    // TF.js's own gradients refuse dilations above 1.
    kind.cases.filter(({ args }) => args.dilationRate === undefined).forEach(({ args, input: shape }, i) => {
      it(`${kind.name} option set ${i}: equals tf.layers' step, regularizers and constraints included (1e-5)`, async () => {
        const { plain, prunable } = twins(kind, args, shape, 90 + i);
        const head = (layer: tf.layers.Layer) => {
          const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: shape }), layer, tf.layers.flatten(),
            tf.layers.dense({ units: 2, kernelInitializer: 'ones', name: 'head' })] });
          model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
          return model;
        };
        const [a, b] = [head(plain), head(prunable)];
        const x = input(shape, 100 + i);
        const y = tf.ones([2, 2]);
        const before = plain.getWeights().map((w) => tf.clone(w));
        await a.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
        await b.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
        const plainWeights = plain.getWeights();
        prunable.getWeights().slice(0, plainWeights.length).forEach((w, j) => {
          // Relative to the step: the float32 sums of the two gradients run in different orders.
          const step = tf.tidy(() => tf.max(tf.abs(tf.sub(plainWeights[j], before[j]))).dataSync()[0]);
          expect(maxAbsDiff(w, plainWeights[j]) / step, `weight ${j}`).to.be.below(1e-5);
        });
        tf.dispose([x, y, ...before]);
        a.dispose();
        b.dispose();
      });
    });
  }
});
