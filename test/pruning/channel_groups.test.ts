import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  channelGroups, compactionReport, compactUnits, ConstantSparsity, makePrunable, prunableConv2d, prunableDense, pruneModel, pruningSummary,
  PruningScheduleCallback, sensitivityScan,
} from '../../src';
import type { ChannelGroup } from '../../src';
import { inception, mobileNetV2, resNet } from '../../experiments/keras_applications';
import { expectCloseOutputs, inputsFor } from '../io/fixtures';

/** The group whose producers are exactly `producers`. */
function groupOf(groups: ChannelGroup[], ...producers: string[]): ChannelGroup {
  const group = groups.find((g) => g.producers.length === producers.length && producers.every((p) => g.producers.includes(p)));
  expect(group, `a group made by ${producers.join(' + ')}; groups: ${groups.map((g) => g.producers.join('+')).join(', ')}`).to.not.equal(undefined);
  return group!;
}

/** `group`'s members as `layer.weight@axis role`. */
const membersOf = (group: ChannelGroup) => group.members.map((m) => `${m.layer}.${m.weight}@${m.axis} ${m.role}`);

describe('channelGroups', () => {
  it('couples a residual stream: every producer of an Add, their BatchNormalization, and every reader of the stream', () => {
    const groups = channelGroups(makePrunable(resNet({ size: 16 })));
    const stream = groupOf(groups, 'conv2_block1_0_conv', 'conv2_block1_2_conv', 'conv2_block2_2_conv');
    expect(stream).to.include({ channels: 8, prunedChannels: 0, prunable: true, reason: null });
    expect(membersOf(stream)).to.include.members([
      'conv2_block1_0_conv.kernel@3 producer', 'conv2_block1_0_conv.bias@0 follower', 'conv2_block1_0_bn.gamma@0 follower',
      'conv2_block1_0_bn.moving_variance@0 follower', 'conv2_block2_1_conv.kernel@2 consumer',
      'conv3_block1_0_conv.kernel@2 consumer', 'conv3_block1_1_conv.kernel@2 consumer',
    ]);
    expect(stream.members.find((m) => m.role === 'follower')!.masked).to.equal(false);
    expect(stream.members.filter((m) => m.role !== 'follower').every((m) => m.masked)).to.equal(true);
    // The last stage's stream reaches the softmax layer's rows through global pooling.
    const last = groupOf(groups, 'conv3_block1_0_conv', 'conv3_block1_2_conv', 'conv3_block2_2_conv');
    expect(membersOf(last)).to.include('predictions.kernel@0 consumer');
    expect(groupOf(groups, 'predictions')).to.include({ prunable: false, reason: "its activation 'softmax' combines its units" });
  });

  it('places a Concatenate input\'s channels at their offset in its readers', () => {
    const groups = channelGroups(makePrunable(inception({ width: 4 })));
    const b5 = groupOf(groups, 'mixed0_b5b_conv');
    const reader = b5.members.find((m) => m.layer === 'mixed1_b1_conv' && m.role === 'consumer')!;
    expect(reader.indices).to.deep.equal([4, 5, 6, 7]);
    expect(reader.channels).to.deep.equal([0, 1, 2, 3]);
  });

  it('maps a channel to its positions after Flatten, and a depthwise convolution\'s channels to their input\'s group', () => {
    const model = makePrunable(tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 1, inputShape: [2, 2, 1], name: 'conv' }),
      tf.layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 2, name: 'depthwise' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 2, name: 'dense' }),
    ] }));
    const [group] = channelGroups(model);
    expect(group.producers).to.deep.equal(['conv']);
    const depthwise = group.members.find((m) => m.layer === 'depthwise' && m.weight === 'depthwise_kernel')!;
    expect(depthwise).to.include({ role: 'follower', masked: true, axis: 2 });
    const dense = group.members.find((m) => m.layer === 'dense')!;
    // 2x2 positions of 6 depthwise channels: channel c·2 + m of position p is row p·6 + c·2 + m.
    expect(dense.indices).to.have.length(24);
    expect(dense.channels.slice(0, 6)).to.deep.equal([0, 0, 1, 1, 2, 2]);
  });

  it('carries a PReLU\'s alphas with their channels, and compaction removes them', () => {
    const model = makePrunable(tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [5, 5, 2], name: 'conv1', biasInitializer: 'ones' }),
      tf.layers.prelu({ name: 'prelu', alphaInitializer: tf.initializers.constant({ value: 0.3 }) }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'conv2' }),
      tf.layers.flatten(), tf.layers.dense({ units: 2, name: 'out' }),
    ] }));
    expect(membersOf(groupOf(channelGroups(model), 'conv1'))).to.include.members(['prelu.alpha@2 follower', 'conv2.kernel@2 consumer']);
    pruneModel(model, { method: 'channel', sparsity: 0.5, layers: ['conv1'] });
    const compact = compactUnits(model);
    expect(compact.getLayer('prelu').getWeights()[0].shape).to.deep.equal([5, 5, 2]);
    expectCloseOutputs(compact, model);
  });

  it('says why the channels reaching an output, a Permute or a layer applied twice cannot be pruned', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const a = prunableConv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(input) as tf.SymbolicTensor;
    const permuted = tf.layers.permute({ dims: [2, 1, 3], name: 'permute' }).apply(a) as tf.SymbolicTensor;
    const shared = prunableConv2d({ filters: 3, kernelSize: 1, name: 'shared' });
    const b = prunableConv2d({ filters: 3, kernelSize: 1, name: 'b' }).apply(input) as tf.SymbolicTensor;
    const twice = shared.apply(shared.apply(b) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const c = prunableDense({ units: 2, name: 'c' }).apply(tf.layers.flatten().apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const groups = channelGroups(tf.model({ inputs: input, outputs: [permuted, twice, c] }));
    expect(groupOf(groups, 'a').reason).to.equal("it reaches 'permute', a Permute, which compaction cannot follow");
    expect(groupOf(groups, 'b').reason).to.match(/it reaches 'shared', a Conv2D applied more than once/);
    expect(groupOf(groups, 'c').reason).to.equal('it reaches an output of the model');
  });

  it('counts the channels already pruned, and compactionReport and pruningSummary show the groups after', () => {
    const model = makePrunable(mobileNetV2());
    pruneModel(model, { method: 'channel', sparsity: 0.5 });
    const groups = channelGroups(model).filter((g) => g.prunable);
    const report = compactionReport(model);
    for (const g of groups) {
      const compacted = report.groups.find((r) => r.producers.join() === g.producers.join())!;
      expect(compacted.channels).to.deep.equal({ before: g.channels, after: g.channels - g.prunedChannels });
    }
    const lines: string[] = [];
    pruningSummary(model, { compaction: true, printFn: (line) => lines.push(line) });
    expect(lines).to.include('Channel group block_1_project_conv + block_2_project_conv: 8 -> 4 channels');
  });
});

describe('sensitivityScan with method \'channel\'', () => {
  it('prunes one group per trial, names it by its first selected producer, and restores every mask', async () => {
    const model = makePrunable(resNet({ size: 16 }));
    const x = inputsFor(model, 2, 5);
    const before = model.weights.filter((w) => w.originalName.endsWith('mask')).map((w) => Array.from(w.read().dataSync()));
    const pruned: number[] = [];
    const scan = await sensitivityScan(model, (m) => {
      pruned.push(channelGroups(m).reduce((n, g) => n + g.prunedChannels, 0));
      return tf.tidy(() => (m.predict(x) as tf.Tensor).max().dataSync()[0]);
    }, { method: 'channel', sparsities: [0.5] });
    // Model order; a residual stream's group comes once, under its first producer.
    expect(scan.rows.map((r) => r.layer)).to.deep.equal(['conv1_conv', 'conv2_block1_1_conv', 'conv2_block1_0_conv', 'conv2_block2_1_conv',
      'conv3_block1_1_conv', 'conv3_block1_0_conv', 'conv3_block2_1_conv']);
    // The baseline prunes nothing; each trial half of one group: 4 of 8, or 8 of 16 channels.
    expect(pruned).to.deep.equal([0, 4, 4, 4, 4, 8, 8, 8]);
    expect(model.weights.filter((w) => w.originalName.endsWith('mask')).map((w) => Array.from(w.read().dataSync()))).to.deep.equal(before);
    x.dispose();
  });
});

describe('method \'channel\' and the optimizer state', () => {
  it('zeroes the optimizer state of every masked slice, in the readers of a group too', async () => {
    const model = makePrunable(resNet({ size: 16 }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = inputsFor(model, 4, 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0,
      callbacks: [new PruningScheduleCallback({ schedule: new ConstantSparsity({ targetSparsity: 0.5 }), method: 'channel' })] });
    const reader = model.getLayer('conv2_block2_1_conv');
    const mask = reader.weights.find((w) => w.originalName.endsWith('kernel_mask'))!.read().dataSync();
    const state = (await model.optimizer.getWeights()).filter((w) => w.name.startsWith(`${reader.weights[0].name}/`));
    expect(state.length).to.equal(2);
    for (const { tensor } of state) {
      const values = tensor.dataSync();
      mask.forEach((m, i) => m === 0 && expect(values[i]).to.equal(0));
    }
    tf.dispose([x, y]);
  });
});
