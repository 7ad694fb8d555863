import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  constantSparsity, makePrunable, prunableDense, PrunableGRU, prunableGRU, PrunableLayer, PrunableLSTM, prunableLSTM, PrunableSimpleRNN,
  prunableSimpleRNN, pruneLayer, pruneModel, PruningScheduleCallback,
} from '../../src';
import { describeOnBackend, describeOnBackends } from '../support/backends';
import { expectPredictAndFitLeakNothing } from '../support/memory';
import { randomMask, randomWeights } from '../support/random';
import { rejection } from '../support/rejection';

type Args = Record<string, unknown> & { units: number };

/** A recurrent kind: its tf.layers factory, its prunable factory and class, its gate count, and option sets. */
interface Kind {
  name: string;
  plain: (args: Args) => tf.layers.Layer;
  prunable: (args: Args) => PrunableLayer;
  cls: new (args: never) => PrunableLayer;
  gates: number;
  cases: Args[];
}

const COMMON: Args[] = [
  { units: 3 },
  { units: 2, returnSequences: true, activation: 'relu', useBias: false, kernelInitializer: 'heNormal' },
  { units: 3, returnState: true, goBackwards: true, kernelRegularizer: 'l1l2', recurrentConstraint: 'maxNorm', dropout: 0.2, recurrentDropout: 0.1 },
];

const KINDS: Kind[] = [
  {
    name: 'SimpleRNN', plain: (a) => tf.layers.simpleRNN(a as never), prunable: (a) => prunableSimpleRNN(a as never), cls: PrunableSimpleRNN,
    gates: 1, cases: [...COMMON, { units: 2, returnSequences: true, returnState: true, activation: 'sigmoid', recurrentInitializer: 'glorotUniform' }],
  },
  {
    name: 'LSTM', plain: (a) => tf.layers.lstm(a as never), prunable: (a) => prunableLSTM(a as never), cls: PrunableLSTM,
    gates: 4, cases: [...COMMON, { units: 2, returnSequences: true, unitForgetBias: true, recurrentActivation: 'sigmoid', implementation: 2 }],
  },
  {
    name: 'GRU', plain: (a) => tf.layers.gru(a as never), prunable: (a) => prunableGRU(a as never), cls: PrunableGRU,
    gates: 3, cases: [...COMMON, { units: 2, returnState: true, recurrentActivation: 'sigmoid', implementation: 1 }],
  },
];

const [STEPS, FEATURES] = [6, 5];

/** `layer` built on sequences of `STEPS` x `FEATURES` (as a model builds it). */
function built<L extends tf.layers.Layer>(layer: L): L {
  layer.apply(tf.input({ shape: [STEPS, FEATURES] }));
  return layer;
}

/** A plain layer and a prunable one of the same options, built, with the same seeded weights and masks of ones. */
function twins(kind: Kind, args: Args, seed = 1): { plain: tf.layers.Layer; prunable: PrunableLayer } {
  const plain = built(kind.plain({ ...args }));
  const prunable = built(kind.prunable({ ...args }));
  const weights = plain.weights.map((w, i) => tf.tensor(randomWeights(w.shape.reduce((a, b) => a! * b!, 1)!, seed + i, 'normal'), w.shape as number[]));
  plain.setWeights(weights);
  prunable.setWeights([...weights, ...prunable.maskedWeights.map((m) => tf.onesLike(m.weight.read()))]);
  tf.dispose(weights);
  return { plain, prunable };
}

function sequences(batch: number, seed: number): tf.Tensor3D {
  return tf.tensor3d(randomWeights(batch * STEPS * FEATURES, seed, 'normal'), [batch, STEPS, FEATURES]);
}

function disposeWeights(...layers: tf.layers.Layer[]): void {
  for (const layer of layers) layer.weights.forEach((w) => w.dispose());
}

/** The outputs of `layer` for `x`, as a list. */
function outputs(layer: tf.layers.Layer, x: tf.Tensor, kwargs?: Record<string, unknown>): tf.Tensor[] {
  return [layer.apply(x, kwargs) as tf.Tensor | tf.Tensor[]].flat();
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Every weight's values. */
function values(layer: tf.layers.Layer): number[][] {
  return layer.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('prunable recurrent layers: classes and options', () => {
  for (const kind of KINDS) {
    it(`${kind.name}: is registered under its own name and leaves ${kind.name} alone`, () => {
      const map = tf.serialization.SerializationMap.getMap().classNameMap;
      expect(map[`Prunable${kind.name}`][0]).to.equal(kind.cls);
      expect(map[kind.name][0]).to.not.equal(kind.cls);
      const layer = kind.prunable({ units: 2 });
      expect(layer).to.be.instanceOf(PrunableLayer);
      expect([layer.getClassName(), layer.plainClassName]).to.deep.equal([`Prunable${kind.name}`, kind.name]);
    });

    kind.cases.forEach((args, i) => {
      it(`${kind.name}: has the config of tf.layers for option set ${i}`, () => {
        const [expected, actual] = [kind.plain({ ...args }).getConfig(), kind.prunable({ ...args }).getConfig()];
        delete expected.name;
        delete actual.name;
        expect(actual).to.deep.equal(expected);
      });
    });

    it(`${kind.name}: has tf.layers' weights (kernel, recurrent_kernel, bias), then masks of ones on the two kernels`, () => {
      const layer = built(kind.prunable({ units: 3 }));
      const width = 3 * kind.gates;
      expect(layer.weights.map((w) => `${w.originalName.split('/').pop()}:${w.shape}:${w.trainable}`)).to.deep.equal([
        `kernel:${FEATURES},${width}:true`, `recurrent_kernel:3,${width}:true`, `bias:${width}:true`,
        `kernel_mask:${FEATURES},${width}:false`, `recurrent_kernel_mask:3,${width}:false`,
      ]);
      expect(['kernel', 'recurrent_kernel'].map((w) => tf.tidy(() => tf.min(layer.getMask(w)).dataSync()[0]))).to.deep.equal([1, 1]);
      disposeWeights(layer);
    });

    it(`${kind.name}: rejects an unknown option, and accepts those tf.layers ignores`, () => {
      expect(() => kind.prunable({ units: 2, returnSequence: true })).to.throw(Error,
        new RegExp(`^Prunable${kind.name} '.*': unknown option 'returnSequence'; options are .*returnSequences.*`));
      expect(() => kind.prunable({ units: 2, stateful: 'true' })).to.throw(TypeError, /stateful must be true or false/);
      // tf.layers' factories write their cell into the options object: options given to both stay usable.
      const args = { units: 2, inputDim: 4, inputLength: 3 };
      kind.plain(args);
      expect(kind.prunable(args).getConfig()).to.not.have.property('cell');
    });
  }

  it('makes the LSTM bias with unitForgetBias as tf.layers does: ones for the forget gate', () => {
    const layer = built(prunableLSTM({ units: 2, unitForgetBias: true }));
    expect(Array.from(layer.maskedWeights[0].weight.read().shape)).to.deep.equal([FEATURES, 8]);
    expect(Array.from(layer.weights[2].read().dataSync())).to.deep.equal([0, 0, 1, 1, 0, 0, 0, 0]);
    disposeWeights(layer);
  });

  it("refuses a GRU's resetAfter with tf.layers' error", () => {
    expect(() => prunableGRU({ units: 2, resetAfter: true } as never)).to.throw('GRUCell does not support reset_after parameter set to true.');
  });
});

describeOnBackends('prunable recurrent layers against tf.layers', () => {
  for (const kind of KINDS) {
    kind.cases.forEach((args, i) => {
      it(`${kind.name} option set ${i}: with masks of ones, computes what tf.layers computes, states included (1e-5)`, () => {
        const { plain, prunable } = twins(kind, args, 10 + i);
        tf.tidy(() => {
          const x = sequences(2, 20 + i);
          const [expected, actual] = [outputs(plain, x), outputs(prunable, x)];
          expect(actual.map((t) => t.shape)).to.deep.equal(expected.map((t) => t.shape));
          expected.forEach((e, j) => expect(maxAbsDiff(actual[j], e), `output ${j}`).to.be.below(1e-5));
        });
        disposeWeights(plain, prunable);
      });
    });

    it(`${kind.name}: takes initial states as tf.layers does, as tensors and as inputs of a model`, () => {
      const args = { units: 3, returnState: true };
      const states = kind.name === 'LSTM' ? 2 : 1;
      const { plain, prunable } = twins(kind, args, 30);
      tf.tidy(() => {
        const x = sequences(2, 31);
        const initial = Array.from({ length: states }, (_, s) => tf.tensor2d(randomWeights(6, 32 + s, 'normal'), [2, 3]));
        const [expected, actual] = [outputs(plain, x, { initialState: initial }), outputs(prunable, x, { initialState: initial })];
        expected.forEach((e, j) => expect(maxAbsDiff(actual[j], e)).to.be.below(1e-5));
        // Symbolic initial states: inputs of the layer's node.
        const modelOf = (layer: tf.layers.Layer) => {
          const inputs = [tf.input({ shape: [STEPS, FEATURES] }), ...initial.map(() => tf.input({ shape: [3] }))];
          return tf.model({ inputs, outputs: layer.apply(inputs[0], { initialState: inputs.slice(1) }) as tf.SymbolicTensor[] });
        };
        const [a, b] = [modelOf(plain).predict([x, ...initial]) as tf.Tensor[], modelOf(prunable).predict([x, ...initial]) as tf.Tensor[]];
        a.forEach((e, j) => expect(maxAbsDiff(b[j], e)).to.be.below(1e-5));
      });
      disposeWeights(plain, prunable);
    });

    it(`${kind.name}: is stateful as tf.layers is, across calls and resetStates, and masks padded steps alike`, () => {
      const stateful = tf.sequential({ layers: [kind.plain({ units: 3, stateful: true, batchInputShape: [2, STEPS, FEATURES] })] });
      const masked = tf.sequential({ layers: [tf.layers.masking({ maskValue: 0, inputShape: [STEPS, FEATURES] }), kind.plain({ units: 3, returnSequences: true })] });
      for (const model of [stateful, masked]) {
        model.layers.forEach((l, i) => l.setWeights(l.getWeights().map((w, j) => tf.tensor(randomWeights(w.size, 40 + i + j, 'normal'), w.shape))));
        const prunable = makePrunable(model);
        expect(prunable.layers.map((l) => l.getClassName())).to.include(`Prunable${kind.name}`);
        tf.tidy(() => {
          // Padded with zeros after two steps for the mask.
          const x = tf.mul(sequences(2, 41), tf.reshape(tf.tensor1d([1, 1, 0, 0, 0, 0]), [1, STEPS, 1]));
          const runs = (m: tf.LayersModel) => {
            const first = m.predict(x) as tf.Tensor;
            const second = m.predict(x) as tf.Tensor;
            if (m.layers[0].stateful) m.resetStates();
            return [first, second, m.predict(x) as tf.Tensor];
          };
          const [expected, actual] = [runs(model), runs(prunable)];
          expected.forEach((e, j) => expect(maxAbsDiff(actual[j], e), `call ${j}`).to.be.below(1e-5));
          if (model === stateful) expect(maxAbsDiff(expected[0], expected[1])).to.be.above(0);
        });
        model.dispose();
        prunable.dispose();
      }
    });

    it(`${kind.name}: pruned entries of both kernels get exactly zero gradient, the others and the bias not`, () => {
      const { plain, prunable } = twins(kind, kind.cases[0], 50);
      prunable.maskedWeights.forEach((m, j) => prunable.setMask(randomMask(m.mask.read().size, 51 + j, 0.5), m.name));
      const x = sequences(2, 52);
      const variables = prunable.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(prunable.apply(x) as tf.Tensor)) as tf.Scalar, variables);
      prunable.maskedWeights.forEach((m) => {
        const g = grads[(m.weight.read() as tf.Variable).name].dataSync();
        const mask = m.mask.read().dataSync();
        let nonzero = 0;
        g.forEach((v, j) => {
          if (mask[j] === 0) expect(v, `${m.name}[${j}]`).to.equal(0);
          else if (v !== 0) nonzero++;
        });
        expect(nonzero, m.name).to.be.above(0);
      });
      expect(Array.from(grads[variables[2].name].dataSync()).every((v) => v !== 0), 'bias').to.equal(true);
      tf.dispose([x, ...Object.values(grads)]);
      disposeWeights(plain, prunable);
    });

    it(`${kind.name}: computes each masked kernel once per call, not once per time step, and keeps it across inferences`, async () => {
      const { plain, prunable } = twins(kind, kind.cases[0], 60);
      const x = sequences(2, 61);
      const shapes = prunable.maskedWeights.map((m) => String(m.weight.shape));
      // The products weight ⊙ mask (and in training their gradient, dy ⊙ mask): Multiply kernels of a kernel's shape.
      const products = async (work: () => unknown) => {
        const profile = await tf.profile(() => {
          tf.dispose(work() as tf.Tensor);
        });
        return profile.kernels.filter((k) => k.name === 'Multiply' && shapes.includes(String(k.outputShapes[0]))).length;
      };
      const trainable = prunable.trainableWeights.map((w) => w.read() as tf.Variable);
      expect(await products(() => Object.values(tf.variableGrads(() => tf.sum(prunable.apply(x) as tf.Tensor) as tf.Scalar, trainable).grads)))
        .to.equal(4);
      tf.tidy(() => {
        prunable.apply(x);
      });
      expect(await products(() => prunable.apply(x))).to.equal(0);
      x.dispose();
      disposeWeights(plain, prunable);
    });

    it(`${kind.name}: trains with dropout, keeping pruned entries unchanged, without leaking tensors`, async () => {
      const layer = kind.prunable({ units: 4, dropout: 0.2, recurrentDropout: 0.2, inputShape: [STEPS, FEATURES] });
      const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: 1 })] });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      pruneLayer(layer, { sparsity: 0.5 });
      const masks = layer.maskedWeights.map((m) => m.mask.read().dataSync().slice());
      const before = layer.maskedWeights.map((m) => m.weight.read().dataSync().slice());
      const [x, y] = [sequences(8, 70), tf.ones([8, 1])];
      await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
      layer.maskedWeights.forEach((m, j) => {
        const after = m.weight.read().dataSync();
        masks[j].forEach((keep, e) => {
          if (keep === 0) expect(after[e], `${m.name}[${e}]`).to.equal(before[j][e]);
        });
        expect(Array.from(after).some((v, e) => masks[j][e] === 1 && v !== before[j][e]), m.name).to.equal(true);
      });
      await expectPredictAndFitLeakNothing(model, x, y, { batchSize: 4 });
      tf.dispose([x, y]);
      model.dispose();
    });

    it(`${kind.name}: frees its states and dropout masks with the model, which tf.layers' ${kind.name} leaves allocated`, async () => {
      const leftBehind = async (layer: tf.layers.Layer) => {
        const before = tf.memory().numTensors;
        const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: 1 })] });
        model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        const [x, y] = [sequences(2, 75), tf.ones([2, 1])];
        await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
        tf.tidy(() => {
          model.predict(x);
        });
        model.dispose();
        tf.dispose([x, y]);
        return tf.memory().numTensors - before;
      };
      const args = { units: 3, stateful: true, dropout: 0.3, recurrentDropout: 0.3, batchInputShape: [2, STEPS, FEATURES] };
      expect(await leftBehind(kind.prunable({ ...args }))).to.equal(0);
      expect(await leftBehind(kind.plain({ ...args }))).to.be.above(0);
    });
  }
});

describeOnBackend('prunable recurrent layers: one SGD step', 'cpu', () => {
  for (const kind of KINDS) {
    it(`${kind.name}: equals tf.layers' step, constraints included (1e-5)`, async () => {
      const args = { units: 3, returnSequences: true, kernelConstraint: 'nonNeg', recurrentConstraint: 'maxNorm' };
      const { plain, prunable } = twins(kind, args, 80);
      const head = (layer: tf.layers.Layer) => {
        const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [STEPS, FEATURES] }), layer, tf.layers.flatten(),
          tf.layers.dense({ units: 2, kernelInitializer: 'ones' })] });
        model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
        return model;
      };
      const [a, b] = [head(plain), head(prunable)];
      const [x, y] = [sequences(2, 81), tf.ones([2, 2])];
      const initial = values(plain);
      await a.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
      await b.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
      const trained = values(plain);
      values(prunable).slice(0, trained.length).forEach((w, j) => {
        const step = Math.max(...trained[j].map((v, e) => Math.abs(v - initial[j][e])));
        const diff = Math.max(...w.map((v, e) => Math.abs(v - trained[j][e])));
        expect(diff / step, `weight ${j}`).to.be.below(1e-5);
      });
      tf.dispose([x, y]);
      a.dispose();
      b.dispose();
    });

    it(`${kind.name}: applies its regularizers in training, which tf.layers' ${kind.name} leaves on its cell, out of the loss`, async () => {
      const args = { units: 3, kernelRegularizer: 'l1l2', recurrentRegularizer: 'l1l2', biasRegularizer: 'l1l2' };
      const { plain, prunable } = twins(kind, args, 85);
      expect([plain.losses.length, prunable.losses.length]).to.deep.equal([0, 3]);
      const lossOf = async (layer: tf.layers.Layer) => {
        const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [STEPS, FEATURES] }), layer] });
        model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
        const [x, y] = [sequences(2, 86), tf.zeros([2, 3])];
        const history = await model.fit(x, y, { epochs: 1, verbose: 0 });
        tf.dispose([x, y]);
        model.dispose();
        return history.history.loss[0] as number;
      };
      // l1l2: 0.01 · (Σ|w| + Σw²) per weight.
      const penalty = tf.tidy(() => prunable.getWeights().slice(0, 3)
        .reduce((sum, w) => sum + 0.01 * (tf.sum(tf.abs(w)).dataSync()[0] + tf.sum(tf.square(w)).dataSync()[0]), 0));
      expect((await lossOf(prunable)) - (await lossOf(plain))).to.be.closeTo(penalty, 1e-4 * penalty);
    });
  }
});

describe("prunable recurrent layers: 'weight' pruning, and 'unit' refused", () => {
  const model = () => tf.sequential({
    layers: [prunableLSTM({ units: 4, returnSequences: true, inputShape: [STEPS, FEATURES], name: 'lstm' }),
      prunableGRU({ units: 3, name: 'gru' }), tf.layers.dense({ units: 2, name: 'out' })],
  });
  const refusal = (className: string, name: string) => `${className} '${name}' cannot be pruned by 'unit': a hidden unit spans every ` +
    "gate's columns of both kernels and a row of the recurrent kernel, and a unit whose entries are all pruned still computes from its " +
    "biases; prune recurrent layers by 'weight'.";

  it("prunes each kernel by 'weight' to the sparsity exactly", () => {
    const m = model();
    const [report] = pruneModel(m, { sparsity: 0.75, layers: ['lstm'] });
    expect(report.masks.map((r) => [r.weight, r.nonzero / r.weights])).to.deep.equal([['kernel', 0.25], ['recurrent_kernel', 0.25]]);
    expect(report).to.deep.include({ className: 'PrunableLSTM', sparsity: 0.75, units: 0, prunedUnits: 0 });
    m.dispose();
  });

  it("refuses 'unit' in pruneLayer and pruneModel, naming the layer, before any mask changes", () => {
    const m = tf.sequential({ layers: [prunableLSTM({ units: 4, inputShape: [STEPS, FEATURES], name: 'lstm' }), prunableDense({ units: 2 })] });
    expect(() => pruneLayer(m.layers[0] as PrunableLayer, { method: 'unit', sparsity: 0.5 })).to.throw(Error, refusal('PrunableLSTM', 'lstm'));
    // The Dense comes after the LSTM in the model, but every mask is selected before any is set.
    expect(() => pruneModel(m, { method: 'unit', sparsity: 0.5 })).to.throw(Error, refusal('PrunableLSTM', 'lstm'));
    expect((m.layers[1] as PrunableLayer).sparsity()).to.equal(0);
    m.dispose();
  });

  it("refuses 'unit' at global scope too, before any mask changes", () => {
    const m = tf.sequential({ layers: [prunableDense({ units: 4, inputShape: [STEPS, FEATURES] }), prunableLSTM({ units: 4, name: 'lstm' }), prunableDense({ units: 2 })] });
    expect(() => pruneModel(m, { method: 'unit', sparsity: 0.5, scope: 'global' })).to.throw(Error, refusal('PrunableLSTM', 'lstm'));
    expect((m.layers[0] as PrunableLayer).sparsity()).to.equal(0);
    m.dispose();
  });

  it("prunes 'nm' along the input axis of both kernels: at most n of every m consecutive rows of a column", () => {
    const m = tf.sequential({ layers: [prunableLSTM({ units: 4, inputShape: [STEPS, 4], name: 'lstm' })] });
    pruneModel(m, { method: 'nm', n: 1, m: 2 });
    const layer = m.getLayer('lstm') as PrunableLayer;
    for (const weight of ['kernel', 'recurrent_kernel']) {
      const mask = layer.getMask(weight);
      const [rows, columns] = mask.shape;
      const kept = tf.tidy(() => tf.sum(tf.reshape(mask, [rows / 2, 2, columns]), 1));
      expect(kept.dataSync().every((count) => count === 1), weight).to.equal(true);
      tf.dispose([mask, kept]);
    }
    m.dispose();
  });

  it("refuses 'unit' in the callback when training begins, and takes 'weight' for the recurrent layers in methods", async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [sequences(4, 90), tf.ones([4, 2])];
    const schedule = constantSparsity({ targetSparsity: 0.5, beginStep: 1 });
    const error = await rejection(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new PruningScheduleCallback({ schedule, method: 'unit' })] }));
    expect(error.message).to.equal(`PruningScheduleCallback: ${refusal('PrunableLSTM', 'lstm')}`);
    await m.fit(x, y, {
      epochs: 1, batchSize: 2, verbose: 0,
      callbacks: [new PruningScheduleCallback({ schedule, method: 'weight', methods: { gru: 'weight' } })],
    });
    // Each kernel to half its entries (GRU's recurrent kernel has 27: 14 go).
    expect(m.layers.slice(0, 2).map((l) => (l as PrunableLayer).sparsity())).to.deep.equal([0.5, 32 / 63]);
    tf.dispose([x, y]);
    m.dispose();
  });
});
