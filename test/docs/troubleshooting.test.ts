// The guide's Troubleshooting section quotes the library's errors in bold:
// each quote must be what the library throws today, so a changed message
// fails here until the guide follows it.
import { expect } from 'chai';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  constantSparsity, makePrunable, polynomialDecay, prunableDense, prunableDepthwiseConv2d, prunableLSTM, prunableSeparableConv2d,
  magnitudeMask, pruneLayer, pruneModel, pruningScheduleCallback, registerWasmMaxPoolGrad, scheduleFromConfig,
} from '../../src';

const GUIDE = readFileSync(join(__dirname, '..', '..', 'docs', 'guide.md'), 'utf8');
const SECTION = GUIDE.slice(GUIDE.indexOf('## Troubleshooting'));

/** The bold code quotes of the section: `**\`message\`**`. */
function boldQuotes(markdown: string): string[] {
  return [...markdown.matchAll(/\*\*`([^`]+)`\*\*/g)].map((m) => m[1]);
}

/** Quotes of TF.js's own errors, which this library does not throw; test/callbacks checks the callback ones. */
const TFJS_MESSAGES = [
  'Unknown layer: PrunableDense.',
  'TypeError: callback.setParams is not a function',
  'TypeError: this.updateMasks is not a function',
  "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'",
];

/** Models the triggers build, disposed after each test. */
const models: tf.LayersModel[] = [];
function track(model: tf.LayersModel): tf.LayersModel {
  models.push(model);
  return model;
}

function mlp(): tf.LayersModel {
  return track(tf.sequential({ layers: [
    prunableDense({ units: 4, inputShape: [3], name: 'hidden' }),
    prunableDense({ units: 2, name: 'output' }),
  ] }));
}

function dense(name?: string): tf.LayersModel {
  return track(tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], name }), prunableDense({ units: 2, name: 'output' })] }));
}

/** Each quoted message and how to make the library throw it. */
const TRIGGERS: Record<string, () => unknown> = {
  'PruningScheduleCallback: the model has no prunable layer to prune; build it with prunable layers (prunableDense instead of tf.layers.dense, prunableConv2d instead of tf.layers.conv2d...) or convert it with makePrunable.': () => {
    const callback = pruningScheduleCallback({ schedule: constantSparsity({ targetSparsity: 0.5 }) });
    callback.setModel(track(tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] })));
    return callback.onTrainBegin();
  },
  "layers: 'hidden' is a Dense, not a prunable layer; convert the model with makePrunable first.": () =>
    pruneModel(dense('hidden'), { sparsity: 0.5, layers: ['hidden'] }),
  "layers: the model has no layer named 'hiden'; its prunable layers are: 'hidden', 'output'.": () => pruneModel(mlp(), { sparsity: 0.5, layers: ['hiden'] }),
  "pruneModel: unknown option 'layer'; options are method, sparsity, layers, scope, n, m, seed, blockShape, roundTo.": () => pruneModel(mlp(), { layer: 'hidden' } as never),
  'pruneModel: the model has no prunable layer to prune; build it with prunable layers (prunableDense instead of tf.layers.dense, prunableConv2d instead of tf.layers.conv2d...) or convert it with makePrunable.': () =>
    pruneModel(track(tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] })), { sparsity: 0.5 }),
  'w must be a tf.Tensor; received an array. For arrays of values, use selectMagnitudeMask.': () => magnitudeMask([1, 2] as never, 0.5),
  "PrunableDepthwiseConv2D 'dw': dilationRate [2,2] is not supported: tf.layers.depthwiseConv2d of TF.js 4.22 ignores it, so no plain model could compute what the pruned one does.": () =>
    prunableDepthwiseConv2d({ kernelSize: 3, dilationRate: 2, name: 'dw' }),
  "PrunableSeparableConv2D 'sep': getMask needs the name of a masked weight, 'depthwise_kernel', 'pointwise_kernel'; received undefined.": () =>
    (track(tf.sequential({ layers: [prunableSeparableConv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 2], name: 'sep' })] }))
      .getLayer('sep') as ReturnType<typeof prunableSeparableConv2d>).getMask(),
  'sparsity must be a number in [0, 1]; received 90': () => pruneModel(mlp(), { sparsity: 90 }),
  'PolynomialDecay: finalSparsity must be a number in [0, 1); received 1': () => polynomialDecay({ initialSparsity: 0, finalSparsity: 1, beginStep: 0, endStep: 10 }),
  "method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"weights\".": () => pruneModel(mlp(), { method: 'weights' as never, sparsity: 0.5 }),
  'PolynomialDecay: endStep must be greater than beginStep (10); received 10': () => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 10, endStep: 10 }),
  "PruningScheduleCallback: unknown option 'sparsity'; options are schedule, schedules, method, methods, layers, verbose, initialStep, scope, n, m, seed, blockShape, roundTo.": () =>
    pruningScheduleCallback({ schedule: constantSparsity({ targetSparsity: 0.5 }), sparsity: 0.5 } as never),
  'PruningScheduleCallback: this callback already follows another model; create one PruningScheduleCallback per model.': async () => {
    const callback = pruningScheduleCallback({ schedule: constantSparsity({ targetSparsity: 0.5 }) });
    for (const model of [mlp(), mlp()]) {
      callback.setModel(model);
      await callback.onTrainBegin();
    }
  },
  "PrunableDense 'hidden': weights must not hold NaN or Infinity; found NaN at flat index 3": () => {
    const model = mlp();
    const layer = model.getLayer('hidden');
    const [, bias, mask] = layer.getWeights();
    tf.tidy(() => layer.setWeights([tf.tensor2d([1, 2, 3, NaN, 5, 6, 7, 8, 9, 10, 11, 12], [3, 4]), bias, mask]));
    return pruneModel(model, { sparsity: 0.5, layers: ['hidden'] });
  },
  "PrunableDense 'prunable_dense_PrunableDense1': getMask needs a built layer; add it to a model or call build(inputShape) first.": () => {
    const layer = prunableDense({ units: 2, name: 'prunable_dense_PrunableDense1' });
    return layer.getMask();
  },
  "PrunableDense 'hidden': mask must hold only 0 and 1; found 0.5 at flat index 0": () =>
    (mlp().getLayer('hidden') as ReturnType<typeof prunableDense>).setMask(new Array(12).fill(0.5)),
  "className must name a registered pruning schedule ('ConstantSparsity', 'PolynomialDecay'); received string \"Linear\".": () =>
    scheduleFromConfig('Linear', {}),
  "PrunableLSTM 'lstm' cannot be pruned by 'unit': a hidden unit spans every gate's columns of both kernels and a row of the recurrent kernel, and a unit whose entries are all pruned still computes from its biases; prune recurrent layers by 'weight'.": () =>
    pruneModel(track(tf.sequential({ layers: [prunableLSTM({ units: 2, inputShape: [3, 2], name: 'lstm' }), prunableDense({ units: 2 })] })),
      { method: 'unit', sparsity: 0.5 }),
  "Cannot rebuild model 'text': its Bidirectional 'bi' builds 'forward_lstm' and 'backward_lstm' from one layer config, so both must change alike; the rewrite selects 'forward_lstm' only.": () =>
    makePrunable(track(tf.sequential({ name: 'text', layers: [tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, name: 'lstm' }), inputShape: [3, 2], name: 'bi' }) as tf.layers.Layer] })),
      { filter: (layer) => layer.name === 'forward_lstm' }),
  'pruneLayer takes options, as pruneModel does: pruneLayer(layer, {method: "unit", sparsity: 0.5}); the form pruneLayer(layer, method, sparsity) is gone.': () =>
    (pruneLayer as unknown as (...args: unknown[]) => unknown)(mlp().getLayer('hidden'), 'unit', 0.5),
  "pruneModel: pruning units of the layers that compute the model's outputs would remove outputs, so by default 'unit' leaves them alone, and the model has no other prunable layer; to prune them anyway, name them: layers: ['output'].": () =>
    pruneModel(track(tf.sequential({ layers: [prunableDense({ units: 2, inputShape: [3], name: 'output' })] })), { method: 'unit', sparsity: 0.5 }),
  'makePrunable: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received an object.': () => makePrunable({} as never),
  "registerWasmMaxPoolGrad: no 'MaxPoolGrad' kernel is registered for the 'wasm' backend; import '@tensorflow/tfjs-backend-wasm' first": () => {
    // As before the wasm package is imported: no kernel of its registered.
    const wasmKernel = tf.getKernel('MaxPoolGrad', 'wasm');
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    try {
      return registerWasmMaxPoolGrad();
    } finally {
      tf.registerKernel(wasmKernel);
    }
  },
};

describe("the guide's troubleshooting messages", () => {
  const quotes = boldQuotes(SECTION);

  it('quotes messages, each of TF.js or with a trigger here', () => {
    expect(quotes.length).to.be.greaterThan(10);
    const unknown = quotes.filter((q) => !TFJS_MESSAGES.includes(q) && !(q in TRIGGERS));
    expect(unknown, 'quotes without a trigger in this test').to.deep.equal([]);
    const unquoted = Object.keys(TRIGGERS).filter((m) => !quotes.includes(m));
    expect(unquoted, 'triggers of messages the guide no longer quotes').to.deep.equal([]);
  });

  for (const quote of quotes.filter((q) => q in TRIGGERS)) {
    it(`is what the library throws: ${quote.slice(0, 60)}…`, async () => {
      const before = tf.memory().numTensors;
      // A promise covers the async trigger too (the callback checks its model when training begins).
      const message = await Promise.resolve().then(TRIGGERS[quote]).then(() => 'no error', (error: Error) => error.message);
      expect(message).to.equal(quote);
      models.splice(0).forEach((m) => m.dispose());
      expect(tf.memory().numTensors).to.equal(before);
    });
  }

  afterEach(() => models.splice(0).forEach((m) => m.dispose()));
});
