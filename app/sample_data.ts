/**
 * The bundled sample's MNIST images in the page (its worker): fetched once
 * from sample/ as bytes, made into tensors on demand.
 */
import * as tf from '@tensorflow/tfjs';
import { SAMPLE_FILES } from './sample/sample_files';

const PIXELS = 28 * 28;

/** The sample's model URL and images; each method returns new tensors the caller disposes. */
export interface SampleData {
  modelUrl: string;
  testCount: number;
  trainCount: number;
  /** The first `count` test images (all by default), [count, 28, 28, 1] in [0, 1]. */
  testImages(count?: number): tf.Tensor4D;
  /** The test labels, int32. */
  testLabels(): tf.Tensor1D;
  /** The training images for fine-tuning and their one-hot labels. */
  train(): { xs: tf.Tensor4D; ys: tf.Tensor2D };
}

/** Fetches the sample's images from the folder `base` (a URL ending in /). */
export async function loadSample(base: string): Promise<SampleData> {
  const bytes = async (name: string) => {
    const response = await fetch(new URL(name, base));
    if (!response.ok) throw new Error(`Cannot fetch the sample's ${name}: HTTP ${response.status}.`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const [testImages, testLabels, trainImages, trainLabels] = await Promise.all([
    bytes(SAMPLE_FILES.testImages), bytes(SAMPLE_FILES.testLabels), bytes(SAMPLE_FILES.trainImages), bytes(SAMPLE_FILES.trainLabels),
  ]);
  const images = (pixels: Uint8Array, count: number) =>
    tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(pixels.subarray(0, count * PIXELS)), [count, 28, 28, 1]), 255) as tf.Tensor4D);
  return {
    modelUrl: new URL(SAMPLE_FILES.model, base).href,
    testCount: testLabels.length,
    trainCount: trainLabels.length,
    testImages: (count = testLabels.length) => images(testImages, count),
    testLabels: () => tf.tensor1d(Int32Array.from(testLabels), 'int32'),
    train: () => ({
      xs: images(trainImages, trainLabels.length),
      ys: tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(trainLabels), 'int32'), 10).toFloat() as tf.Tensor2D),
    }),
  };
}
