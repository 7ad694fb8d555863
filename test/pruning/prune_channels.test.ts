import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { channelGroups, compactionReport, compactUnits, loadPrunableModel, makePrunable, pruneModel } from '../../src';
import { efficientNet, inception, kerasStyleArtifacts, mobileNetV2, resNet } from '../support/architectures';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { artifactsOf, expectCloseOutputs, inputsFor } from '../io/fixtures';

/** The architectures, small, each as a builder (a new model per call). */
const ARCHITECTURES: Array<[string, () => tf.LayersModel]> = [
  ['MobileNetV2', () => mobileNetV2()],
  ['ResNet (basic blocks)', () => resNet()],
  ['ResNet (bottlenecks)', () => resNet({ bottleneck: true, widths: [4, 8] })],
  ['ResNet channelsFirst (no BatchNormalization)', () => resNet({ channelsFirst: true, batchNorm: false })],
  ['Inception', () => inception()],
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
