/**
 * The data of the Node examples: a small classification task that trains in
 * seconds, generated from seeds so every run sees the same samples. Points in
 * [-1, 1]^16 are labelled by the nearest of 4 random prototypes.
 */
import * as tf from '@tensorflow/tfjs';

/** Features per sample. */
export const FEATURES = 16;
/** Number of classes. */
export const CLASSES = 4;

/** Samples and one-hot labels of the task. */
export interface Dataset {
  /** Samples, `[samples, FEATURES]`. */
  xs: tf.Tensor2D;
  /** One-hot labels, `[samples, CLASSES]`. */
  ys: tf.Tensor2D;
}

/**
 * `samples` seeded points labelled by their nearest prototype (the prototypes
 * are the same for every seed: one task, different samples). The caller
 * disposes the tensors.
 */
export function syntheticTask(samples: number, seed: number): Dataset {
  return tf.tidy(() => {
    const prototypes = tf.randomUniform([CLASSES, FEATURES], -1, 1, 'float32', 1);
    const xs = tf.randomUniform([samples, FEATURES], -1, 1, 'float32', seed) as tf.Tensor2D;
    // Squared distance to each prototype, up to the |x|² term shared by all.
    const distances = tf.sub(tf.sum(tf.square(prototypes), 1), tf.mul(2, tf.matMul(xs, prototypes, false, true)));
    const ys = tf.oneHot(tf.argMin(distances, 1), CLASSES).toFloat() as tf.Tensor2D;
    return { xs, ys };
  });
}

/** The fraction of `data`'s samples that `model` classifies right. */
export function accuracy(model: tf.LayersModel, data: Dataset): number {
  return tf.tidy(() =>
    tf.metrics.categoricalAccuracy(data.ys, model.predict(data.xs) as tf.Tensor).mean().dataSync()[0]);
}
