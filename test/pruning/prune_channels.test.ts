import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  channelGroups, compactionReport, compactUnits, ConstantSparsity, loadPrunableModel, makePrunable, PolynomialDecay, PrunableLayer, pruneLayer,
  pruneModel, PruningScheduleCallback,
} from '../../src';
import { efficientNet, inception, mobileNetV2, resNet, xception } from '../../experiments/keras_applications';
import { kerasStyleArtifacts } from '../support/keras_files';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';
import { artifactsOf, expectCloseOutputs, inputsFor } from '../io/fixtures';

/** The architectures, small, each as a builder (a new model per call). */
const ARCHITECTURES: Array<[string, () => tf.LayersModel]> = [
  ['MobileNetV2', () => mobileNetV2()],
  ['ResNet (basic blocks)', () => resNet()],
  ['ResNet (bottlenecks)', () => resNet({ bottleneck: true, widths: [4, 8] })],
  ['ResNet channelsFirst (no BatchNormalization)', () => resNet({ channelsFirst: true, batchNorm: false })],
  ['Inception', () => inception()],
  ['Xception (SeparableConv2D, max pooling before the Add)', () => xception()],
  ['EfficientNet (Keras squeeze-and-excitation: Reshape, 1x1 convs)', () => efficientNet()],
  ['EfficientNet (Dense squeeze-and-excitation)', () => efficientNet({ se: 'dense' })],
];

/** Every pruned channel of every group, by producer: the channels compaction keeps per producer layer. */
function keptPerLayer(model: tf.LayersModel): Record<string, number> {
  return Object.fromEntries(compactionReport(model).layers.map((l) => [l.layer, l.outputs.after]));
}

describeOnBackends('method \'channel\' on Keras-style architectures', () => {
  for (const [name, build] of ARCHITECTURES) {
    describe(name, () => {
      for (const sparsity of [0.3, 0.5]) {
        it(`prunes whole groups at ${sparsity}, and compaction removes every pruned channel exactly`, async () => {
          const model = makePrunable(build());
          const x = inputsFor(model, 3, 11);
          // A prunable layer keeps the masked kernel of its last inference: predict once before counting.
          tf.tidy(() => model.predict(x));
          await expectNoTensorLeak(() => pruneModel(model, { method: 'channel', sparsity }));
          const groups = channelGroups(model);
          const prunable = groups.filter((g) => g.prunable);
          expect(prunable.length).to.be.greaterThan(0);
          for (const g of prunable) expect(g.prunedChannels, g.producers.join('+')).to.equal(Math.round(sparsity * g.channels));
          // The output layer's units stay: a softmax mixes them.
          expect(groups.find((g) => g.producers.includes('predictions'))!.prunable).to.equal(false);
          const report = compactionReport(model);
          for (const layer of report.layers) expect(layer.kept, layer.layer).to.deep.equal([]);
          const kept = keptPerLayer(model);
          for (const g of prunable) for (const p of g.producers) expect(kept[p], p).to.equal(g.channels - g.prunedChannels);
          expect(report.total.macs.after).to.be.below(report.total.macs.before * (1 - sparsity) * 1.15);
          const compact = compactUnits(model);
          expectCloseOutputs(compact, model, x);
          tf.dispose(x);
        });
      }

      it('removes more multiply-accumulates than unit pruning at the same sparsity', () => {
        const [byChannel, byUnit] = [makePrunable(build()), makePrunable(build())];
        pruneModel(byChannel, { method: 'channel', sparsity: 0.5 });
        pruneModel(byUnit, { method: 'unit', sparsity: 0.5, layers: byUnit.layers.filter((l) => l.name !== 'predictions' && 'maskedWeights' in l).map((l) => l.name) });
        expect(compactionReport(byChannel).total.macs.after).to.be.below(compactionReport(byUnit).total.macs.after);
      });

      it('loads from Keras-style files, and saves and reloads the pruned and the compacted models', async () => {
        const plain = await tf.loadLayersModel(tf.io.fromMemory(await kerasStyleArtifacts(build())));
        const model = makePrunable(plain);
        pruneModel(model, { method: 'channel', sparsity: 0.5, roundTo: 4 });
        for (const g of channelGroups(model).filter((group) => group.prunable)) {
          const kept = g.channels - g.prunedChannels;
          if (g.channels >= 4) expect(kept % 4, g.producers.join('+')).to.equal(0);
        }
        const reloaded = await loadPrunableModel(tf.io.fromMemory(await artifactsOf(model)));
        expectCloseOutputs(reloaded, model);
        const compact = compactUnits(reloaded);
        const deployed = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(compact)));
        expectCloseOutputs(deployed, model);
        expect(deployed.countParams()).to.be.below(plain.countParams());
      });
    });
  }
});

/** Every mask of `model`'s prunable layers, as arrays, to check that a refused call changed nothing. */
function maskValues(model: tf.LayersModel): number[][] {
  return model.weights.filter((w) => w.originalName.endsWith('mask')).map((w) => Array.from(w.read().dataSync()));
}

describeOnBackends('method \'channel\' while training', () => {
  it('prunes groups gradually with PruningScheduleCallback, and the trained model compacts exactly', async () => {
    const model = makePrunable(resNet({ size: 16 }));
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = inputsFor(model, 8, 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const schedule = new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 4, frequency: 2 });
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [new PruningScheduleCallback({ schedule, method: 'channel', roundTo: 2 })] });
    const prunable = channelGroups(model).filter((g) => g.prunable);
    for (const g of prunable) expect(g.prunedChannels, g.producers.join('+')).to.equal(g.channels / 2);
    expectCloseOutputs(compactUnits(model), model, x);
    tf.dispose([x, y]);
  });
});

describe('method \'channel\': bad inputs are errors that change nothing', () => {
  let model: tf.LayersModel;
  before(() => {
    model = makePrunable(resNet({ size: 16 }));
  });
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['roundTo 0', () => pruneModel(model, { method: 'channel', sparsity: 0.5, roundTo: 0 }), /roundTo must be a positive integer.*received 0/],
    ['roundTo 1.5', () => pruneModel(model, { method: 'channel', sparsity: 0.5, roundTo: 1.5 }), /roundTo must be a positive integer.*received 1\.5/],
    ['roundTo with another method', () => pruneModel(model, { method: 'unit', sparsity: 0.5, roundTo: 4 }), /roundTo applies to method 'channel' only/],
    ['a named layer whose channels cannot go', () => pruneModel(model, { method: 'channel', sparsity: 0.5, layers: ['predictions'] }),
      /cannot prune the channels of 'predictions': its activation 'softmax' combines its units/],
    ['one group at two sparsities', () => pruneModel(model, { method: 'channel', sparsity: { conv2_block1_0_conv: 0.3, conv2_block1_2_conv: 0.5 } }),
      /'conv2_block1_0_conv', 'conv2_block1_2_conv' make one channel group.*must share one sparsity/],
    ['pruneLayer', () => pruneLayer(model.getLayer('conv1_conv') as PrunableLayer, { method: 'channel', sparsity: 0.5 }),
      /method 'channel' prunes channel groups across layers; use pruneModel/],
    ['a model without prunable groups', () => pruneModel(makePrunable(tf.sequential({ layers: [
      tf.layers.dense({ units: 3, inputShape: [4, 2], name: 'hidden' }), tf.layers.permute({ dims: [2, 1], name: 'permute' }),
      tf.layers.flatten(), tf.layers.dense({ units: 2, name: 'out' }),
    ] })), { method: 'channel', sparsity: 0.5 }), /no channel group of the selected layers can be pruned \('hidden': it reaches 'permute', a Permute/],
    ['a reader that is not prunable', () => pruneModel(makePrunable(resNet({ size: 16 }), { filter: (l) => l.name !== 'conv2_block1_1_conv' }),
      { method: 'channel', sparsity: 0.5, layers: ['conv1_conv'] }), /'conv2_block1_1_conv' is a Conv2D, not a prunable layer \(makePrunable converts it\)/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      const before = maskValues(model);
      expect(call).to.throw(message);
      expect(maskValues(model)).to.deep.equal(before);
    });
  }

  it('the callback, when training begins', async () => {
    const callback = new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5 }), method: 'channel', layers: ['predictions'] });
    callback.setModel(model);
    const before = maskValues(model);
    expect((await rejection(callback.onTrainBegin())).message).to.match(/cannot prune the channels of 'predictions'/);
    expect(maskValues(model)).to.deep.equal(before);
  });
});
