import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { layerPruningReport, loadPrunableModel, PrunableEmbedding, prunableEmbedding, PrunableLayer, pruneLayer, pruneModel } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectPredictAndFitLeakNothing } from '../support/memory';
import { randomMask, randomWeights } from '../support/random';
import { rejection } from '../support/rejection';
import { artifactsOf } from '../io/fixtures';

type Args = Record<string, unknown> & { inputDim: number; outputDim: number };

const OPTION_SETS: Args[] = [
  { inputDim: 10, outputDim: 4 },
  { inputDim: 12, outputDim: 3, inputLength: 5, maskZero: true, embeddingsInitializer: 'glorotUniform' },
  { inputDim: 9, outputDim: 2, embeddingsRegularizer: 'l1l2', embeddingsConstraint: 'maxNorm', trainable: false, name: 'named' },
];

/** Seeded tokens in [0, vocabulary) of `shape`, with some zeros (padding). */
function tokens(shape: number[], vocabulary: number, seed: number, dtype: 'int32' | 'float32' = 'int32'): tf.Tensor {
  const values = randomWeights(tf.util.sizeFromShape(shape), seed, 'uniform').map((v) => Math.floor(((v + 1) / 2) * vocabulary));
  return tf.tensor(values, shape, dtype);
}

/** A built Embedding and PrunableEmbedding of `args` with the same table (seeded) and a mask of ones. */
function twins(args: Args, seed = 1): { plain: tf.layers.Layer; prunable: PrunableEmbedding } {
  const plain = tf.layers.embedding({ ...args });
  const prunable = prunableEmbedding({ ...args });
  plain.build([null, 4]);
  prunable.build([null, 4]);
  const table = tf.tensor2d(randomWeights(args.inputDim * args.outputDim, seed, 'normal'), [args.inputDim, args.outputDim]);
  plain.setWeights([table]);
  prunable.setWeights([table, tf.onesLike(table)]);
  table.dispose();
  return { plain, prunable };
}

function disposeWeights(...layers: tf.layers.Layer[]): void {
  for (const layer of layers) layer.weights.forEach((w) => w.dispose());
}

describe('PrunableEmbedding: class and options', () => {
  it('is registered under its own name, leaves Embedding alone, and strips to Embedding', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map.PrunableEmbedding[0]).to.equal(PrunableEmbedding);
    expect(map.Embedding[0]).to.not.equal(PrunableEmbedding);
    const layer = prunableEmbedding(OPTION_SETS[0]);
    expect(layer).to.be.instanceOf(PrunableLayer);
    expect([layer.getClassName(), layer.plainClassName]).to.deep.equal(['PrunableEmbedding', 'Embedding']);
  });

  OPTION_SETS.forEach((args, i) => {
    it(`has the config and input shape of tf.layers.embedding for option set ${i}`, () => {
      const plain = tf.layers.embedding({ ...args });
      const prunable = prunableEmbedding({ ...args });
      const [expected, actual] = [plain.getConfig(), prunable.getConfig()];
      delete expected.name;
      delete actual.name;
      expect(actual).to.deep.equal(expected);
      // Without inputShape, a sequence of inputLength tokens (any length without it).
      expect(prunable.batchInputShape).to.deep.equal(plain.batchInputShape);
    });
  });

  it('rejects an unknown option, naming it, and bad sizes with the errors of tf.layers', () => {
    expect(() => prunableEmbedding({ inputDim: 5, outputDim: 2, outputDims: 3 } as never)).to.throw(Error,
      /^PrunableEmbedding '.*': unknown option 'outputDims'; options are .*outputDim.*/);
    expect(() => prunableEmbedding({ inputDim: 5, outputDim: 2, maskZero: 'yes' } as never)).to.throw(TypeError,
      /maskZero must be true or false; received string "yes"\.$/);
    let plainError = '';
    try {
      tf.layers.embedding({ inputDim: 0, outputDim: 2 });
    } catch (error) {
      plainError = (error as Error).message;
    }
    expect(plainError).to.not.equal('');
    expect(() => prunableEmbedding({ inputDim: 0, outputDim: 2 })).to.throw(plainError);
  });

  it("has tf.layers' weight, then a non-trainable float32 mask of ones, and its units are the table's columns", () => {
    const layer = prunableEmbedding({ inputDim: 6, outputDim: 3 });
    layer.build([null, 2]);
    expect(layer.weights.map((w) => `${w.originalName.split('/').pop()}:${w.shape}:${w.trainable}:${w.dtype}`))
      .to.deep.equal(['embeddings:6,3:true:float32', 'embeddings_mask:6,3:false:float32']);
    expect(layer.maskedWeights[0].units).to.deep.equal({ outer: 6, units: 3, inner: 1 });
    disposeWeights(layer);
  });
});

describeOnBackends('PrunableEmbedding against tf.layers', (backend) => {
  OPTION_SETS.forEach((args, i) => {
    it(`option set ${i}: with a mask of ones, looks up what tf.layers looks up, for int32 and float tokens of any rank`, () => {
      const { plain, prunable } = twins(args, 10 + i);
      const shape = args.inputLength === undefined ? [3, 2, 4] : [2, args.inputLength as number];
      for (const dtype of ['int32', 'float32'] as const) {
        tf.tidy(() => {
          const x = tokens(shape, args.inputDim, 20 + i, dtype);
          const [expected, actual] = [plain.apply(x) as tf.Tensor, prunable.apply(x) as tf.Tensor];
          expect(actual.shape).to.deep.equal(expected.shape);
          expect(Array.from(actual.dataSync())).to.deep.equal(Array.from(expected.dataSync()));
          const [plainMask, mask] = [plain.computeMask(x), prunable.computeMask(x)];
          expect(mask === null ? null : Array.from((mask as tf.Tensor).dataSync()))
            .to.deep.equal(plainMask === null ? null : Array.from((plainMask as tf.Tensor).dataSync()));
        });
      }
      disposeWeights(plain, prunable);
    });
  });

  it('looks pruned entries up as 0, and gives them exactly zero gradient', () => {
    const { plain, prunable } = twins(OPTION_SETS[0], 30);
    prunable.setMask(randomMask(40, 31, 0.5));
    const x = tf.tensor2d([[1, 2, 2, 7], [0, 1, 9, 2]], [2, 4], 'int32');
    const mask = prunable.getMask().arraySync() as number[][];
    const table = prunable.maskedWeights[0].weight.read();
    const rows = (prunable.apply(x) as tf.Tensor).arraySync() as number[][][];
    const tokensOf = x.arraySync() as number[][];
    const values = table.arraySync() as number[][];
    rows.forEach((row, b) => row.forEach((vector, t) => vector.forEach((v, c) => {
      const token = tokensOf[b][t];
      expect(v).to.equal(mask[token][c] === 0 ? 0 : values[token][c]);
    })));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(prunable.apply(x) as tf.Tensor)) as tf.Scalar, [table as tf.Variable]);
    const g = grads[(table as tf.Variable).name].arraySync() as number[][];
    let moved = 0;
    g.forEach((row, token) => row.forEach((v, c) => {
      if (mask[token][c] === 0 || ![0, 1, 2, 7, 9].includes(token)) expect(v, `[${token}][${c}]`).to.equal(0);
      else if (v !== 0) moved++;
    }));
    expect(moved).to.be.above(0);
    tf.dispose([x, ...Object.values(grads)]);
    disposeWeights(plain, prunable);
  });

  it(`trains on ${backend}${backend === 'wasm' ? ', where tf.layers.embedding cannot,' : ''} keeping pruned entries unchanged, without leaking tensors`, async () => {
    const modelOf = (embedding: tf.layers.Layer) => {
      const model = tf.sequential({ layers: [embedding, tf.layers.flatten(), tf.layers.dense({ units: 1 })] });
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
      return model;
    };
    const [x, y] = [tokens([8, 5], 10, 40), tf.ones([8, 1])];
    if (backend === 'wasm') {
      const plain = modelOf(tf.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 5 }));
      let message = '';
      await plain.fit(x, y, { epochs: 1, verbose: 0 }).catch((error: Error) => (message = error.message));
      expect(message).to.equal("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'");
      plain.dispose();
    }
    const layer = prunableEmbedding({ inputDim: 10, outputDim: 3, inputLength: 5 });
    const model = modelOf(layer);
    layer.setMask(randomMask(30, 41, 0.5));
    const before = layer.maskedWeights[0].weight.read().dataSync().slice();
    const mask = layer.getMask().dataSync();
    const history = await model.fit(x, y, { epochs: 5, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[4]).to.be.below(losses[0]);
    const after = layer.maskedWeights[0].weight.read().dataSync();
    before.forEach((v, i) => {
      if (mask[i] === 0) expect(after[i], `entry ${i}`).to.equal(v);
    });
    expect(Array.from(after).some((v, i) => mask[i] === 1 && v !== before[i])).to.equal(true);
    await expectPredictAndFitLeakNothing(model, x, y);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("prunes 'unit' as output dimensions: whole columns of the table", () => {
    const { plain, prunable } = twins({ inputDim: 8, outputDim: 6 }, 50);
    const report = pruneLayer(prunable, { method: 'unit', sparsity: 0.5 });
    expect(report).to.deep.include({ units: 6, prunedUnits: 3, sparsity: 0.5 });
    const mask = prunable.getMask().arraySync() as number[][];
    for (let c = 0; c < 6; c++) expect(new Set(mask.map((row) => row[c])).size, `column ${c}`).to.equal(1);
    expect(layerPruningReport(prunable).nonzero).to.equal(24);
    disposeWeights(plain, prunable);
  });

  it("refuses 'nm', naming the layer: a lookup sums over no input channels", () => {
    const model = tf.sequential({ layers: [prunableEmbedding({ inputDim: 8, outputDim: 4, inputLength: 3, name: 'embed' })] });
    expect(() => pruneModel(model, { method: 'nm', n: 2, m: 4 })).to.throw(Error,
      "PrunableEmbedding 'embed': method 'nm' groups entries along an input axis, and its 'embeddings' has none");
    expect((model.layers[0] as PrunableLayer).sparsity()).to.equal(0);
    model.dispose();
  });

  it('saves and loads with its mask exactly, and the reloaded model looks up the same', async () => {
    const model = tf.sequential({ layers: [prunableEmbedding({ inputDim: 7, outputDim: 3, inputLength: 4, maskZero: true, name: 'tokens' })] });
    const layer = model.layers[0] as PrunableEmbedding;
    layer.setMask(randomMask(21, 60, 0.4));
    const loaded = await loadPrunableModel(tf.io.fromMemory(await artifactsOf(model)));
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values(loaded)).to.deep.equal(values(model));
    expect(loaded.layers[0]).to.be.instanceOf(PrunableEmbedding);
    expect(loaded.layers[0].getConfig()).to.deep.include({ name: 'tokens', inputDim: 7, outputDim: 3, inputLength: 4, maskZero: true });
    tf.tidy(() => {
      const x = tokens([2, 4], 7, 61);
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).to.deep.equal(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    });
    model.dispose();
    loaded.dispose();
  });

  it('refuses a saved PrunableEmbedding whose input_dim is no positive integer, naming the layer and the field', async () => {
    const model = tf.sequential({ layers: [prunableEmbedding({ inputDim: 7, outputDim: 3, inputLength: 4, name: 'tokens' })] });
    const artifacts = await artifactsOf(model);
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers[0].config.input_dim = 0;
    const error = await rejection(loadPrunableModel(tf.io.fromMemory({ ...artifacts, modelTopology: topology })));
    expect(error.message).to.equal("The PrunableEmbedding 'tokens' in the model artifacts must have a positive integer input_dim " +
      'in its config; received 0.');
    model.dispose();
  });
});
