import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  channelGroups, compactionReport, compactUnits, ConstantSparsity, loadPrunableModel, makePrunable, PolynomialDecay, prunableConv2d, PrunableLayer, prunableDense,
  pruneLayer, pruneModel, PruningScheduleCallback, pruningSummary,
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
  const residual = () => makePrunable(resNet({ size: 16 }));
  /** A model whose only hidden layer's channels reach a Permute. */
  const permuted = () => makePrunable(tf.sequential({ layers: [
    tf.layers.dense({ units: 3, inputShape: [4, 2], name: 'hidden' }), tf.layers.permute({ dims: [2, 1], name: 'permute' }),
    tf.layers.flatten(), tf.layers.dense({ units: 2, name: 'out' }),
  ] }));
  /** A layer applied twice: the walk does not follow it, so it makes no group. */
  const shared = () => {
    const input = tf.input({ shape: [4] });
    const twice = prunableDense({ units: 4, name: 'twice' });
    const output = prunableDense({ units: 2, name: 'out' }).apply(twice.apply(twice.apply(input))) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: output });
  };
  /** A plain SeparableConv2D with a depth multiplier: its pointwise rows are not one per input channel. */
  const multiplied = () => tf.sequential({ layers: [
    prunableConv2d({ filters: 4, kernelSize: 1, inputShape: [4, 4, 2], name: 'conv' }),
    tf.layers.separableConv2d({ filters: 3, kernelSize: 1, depthMultiplier: 2, name: 'separable' }),
    tf.layers.flatten(), prunableDense({ units: 2, name: 'out' }),
  ] });
  const cases: Array<[string, () => tf.LayersModel, (model: tf.LayersModel) => unknown, RegExp]> = [
    ['roundTo 0', residual, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5, roundTo: 0 }), /roundTo must be a positive integer.*received 0/],
    ['roundTo 1.5', residual, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5, roundTo: 1.5 }), /roundTo must be a positive integer.*received 1\.5/],
    ['roundTo with another method', residual, (m) => pruneModel(m, { method: 'unit', sparsity: 0.5, roundTo: 4 }), /roundTo applies to method 'channel' only/],
    ['a named layer whose channels cannot go', residual, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5, layers: ['predictions'] }),
      /cannot prune the channels of 'predictions': its activation 'softmax' combines its units/],
    ['one group at two sparsities', residual, (m) => pruneModel(m, { method: 'channel', sparsity: { conv2_block1_0_conv: 0.3, conv2_block1_2_conv: 0.5 } }),
      /'conv2_block1_0_conv', 'conv2_block1_2_conv' make one channel group.*must share one sparsity/],
    ['pruneLayer', residual, (m) => pruneLayer(m.getLayer('conv1_conv') as PrunableLayer, { method: 'channel', sparsity: 0.5 }),
      /method 'channel' prunes channel groups across layers; use pruneModel/],
    ['a model without prunable groups', permuted, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5 }),
      /no channel group of the selected layers can be pruned \('hidden': it reaches 'permute', a Permute/],
    ['a named layer that makes no group', shared, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5, layers: ['twice'] }),
      /'twice' makes no channel group: compaction's walk does not follow its outputs/],
    ['a reader that is not prunable', () => makePrunable(resNet({ size: 16 }), { filter: (l) => l.name !== 'conv2_block1_1_conv' }),
      (m) => pruneModel(m, { method: 'channel', sparsity: 0.5, layers: ['conv1_conv'] }),
      /'conv2_block1_1_conv' is a Conv2D, not a prunable layer \(makePrunable converts it\)/],
    ['a SeparableConv2D reader with a depth multiplier', multiplied, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5, layers: ['conv'] }),
      /cannot prune the channels of 'conv': it reaches 'separable', a SeparableConv2D, which compaction cannot follow/],
    ['a NaN weight', () => {
      const m = residual();
      const weights = m.getLayer('conv2_block1_1_conv').getWeights();
      m.getLayer('conv2_block1_1_conv').setWeights([tf.fill(weights[0].shape, NaN), ...weights.slice(1)]);
      return m;
    }, (m) => pruneModel(m, { method: 'channel', sparsity: 0.5 }), /'conv2_block1_1_conv': weight 'kernel' holds NaN or Infinity/],
  ];
  for (const [name, build, call, message] of cases) {
    it(name, () => {
      const model = build();
      const before = maskValues(model);
      expect(() => call(model)).to.throw(message);
      expect(maskValues(model)).to.deep.equal(before);
      expect(before.length).to.be.above(0);
    });
  }

  it('the callback, when training begins: a group that cannot go, and one group\'s producers on two schedules', async () => {
    const model = residual();
    const schedule = new ConstantSparsity({ targetSparsity: 0.5 });
    const before = maskValues(model);
    const refused = new PruningScheduleCallback({ schedule, method: 'channel', layers: ['predictions'] });
    refused.setModel(model);
    expect((await rejection(refused.onTrainBegin())).message).to.match(/cannot prune the channels of 'predictions'/);
    const split = new PruningScheduleCallback({ schedule, method: 'channel', schedules: { conv2_block1_0_conv: new ConstantSparsity({ targetSparsity: 0.25 }) } });
    split.setModel(model);
    expect((await rejection(split.onTrainBegin())).message).to.match(
      /'conv2_block1_0_conv', 'conv2_block1_2_conv', 'conv2_block2_2_conv' make one channel group .* give them one schedule/);
    expect(maskValues(model)).to.deep.equal(before);
  });
});

describe('method \'channel\': exact through every layer the walk follows', () => {
  const cases: Array<[string, () => tf.LayersModel]> = [
    ['Conv2DTranspose and SeparableConv2D readers after BatchNormalization (\'same\')', () => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], name: 'a' }),
      tf.layers.batchNormalization({ betaInitializer: 'ones' }),
      tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'b' }),
      tf.layers.batchNormalization({ betaInitializer: 'ones' }),
      tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }),
      tf.layers.flatten(), tf.layers.dense({ units: 2, name: 'out' }),
    ] })],
    ['Maximum and Average, ZeroPadding2D, a depthwise multiplier of 2, Flatten', () => {
      const input = tf.input({ shape: [5, 5, 2] });
      const conv = (name: string) => tf.layers.conv2d({ filters: 4, kernelSize: 1, biasInitializer: 'ones', name }).apply(input) as tf.SymbolicTensor;
      const max = tf.layers.maximum().apply([conv('p'), conv('q')]) as tf.SymbolicTensor;
      const avg = tf.layers.average().apply([max, conv('r')]) as tf.SymbolicTensor;
      let x = tf.layers.zeroPadding2d({ padding: 1 }).apply(avg) as tf.SymbolicTensor;
      x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' }).apply(x) as tf.SymbolicTensor;
      const output = tf.layers.dense({ units: 2, name: 'out' }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: output });
    }],
    ['a nested model, pruned inside', () => {
      const inner = tf.sequential({ name: 'inner', layers: [
        tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], name: 'i1' }),
        tf.layers.batchNormalization({ betaInitializer: 'ones' }), tf.layers.reLU(),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'i2' }),
      ] });
      return tf.sequential({ layers: [inner, tf.layers.flatten(), tf.layers.dense({ units: 2, name: 'out' })] });
    }],
  ];
  for (const [name, build] of cases) {
    it(name, () => {
      const model = makePrunable(build());
      pruneModel(model, { method: 'channel', sparsity: 0.5 });
      expect(channelGroups(model).filter((g) => g.prunable).every((g) => g.prunedChannels === Math.round(g.channels / 2))).to.equal(true);
      for (const layer of compactionReport(model).layers) expect(layer.kept, layer.layer).to.deep.equal([]);
      expectCloseOutputs(compactUnits(model), model);
    });
  }

  it('scope \'global\' with roundTo ranks all groups together and keeps multiples, and the summary shows the method', () => {
    const model = makePrunable(resNet({ size: 16 }));
    pruneModel(model, { method: 'channel', sparsity: 0.5, scope: 'global', roundTo: 4 });
    const groups = channelGroups(model).filter((g) => g.prunable);
    for (const g of groups) expect((g.channels - g.prunedChannels) % 4, g.producers.join('+')).to.equal(0);
    const pruned = groups.reduce((n, g) => n + g.prunedChannels, 0);
    const total = groups.reduce((n, g) => n + g.channels, 0);
    // Rounding each group up keeps at most 3 channels more per group than half of all.
    expect(pruned).to.be.within(total / 2 - 3 * groups.length, total / 2);
    expect(pruned).to.be.above(0);
    const rows = pruningSummary(model).layers;
    expect(rows.find((r) => r.layer === 'conv2_block2_1_conv')!.method).to.equal('channel');
    expectCloseOutputs(compactUnits(model), model);
  });
});
