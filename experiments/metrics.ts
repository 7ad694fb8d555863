import * as zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { findPrunableLayers, layerPruningReport, stripPruning } from '../src';

/** What a trained model buys: the numbers of the report's tables. */
export interface ModelMetrics {
  /** Fraction of the test set classified correctly. */
  testAccuracy: number;
  /** Fraction of the pruned layers' kernel entries that are masked. */
  sparsity: number;
  /** Units (kernel columns) of the pruned layers removed entirely. */
  prunedUnits: number;
  /** Saved parameters of the stripped model (`stripPruning`: kernels ⊙ masks, biases) that are not zero. */
  nonzeroParameters: number;
  /** All parameters of the stripped model. */
  totalParameters: number;
  /** Size in bytes of the stripped model's saved weights (weights.bin, float32), gzipped with node:zlib's default level. */
  gzipBytes: number;
}

/**
 * Measures `model` on the test set: accuracy, the sparsity of the `pruned`
 * layers, and the nonzero parameters and gzipped size of the weights its
 * deployable form (`stripPruning`) saves.
 *
 * ```ts
 * const metrics = await measureModel(model, ['hidden1', 'hidden2'], testXs, testLabels);
 * ```
 */
export async function measureModel(model: tf.LayersModel, pruned: string[], xs: tf.Tensor2D, labels: Uint8Array): Promise<ModelMetrics> {
  const reports = findPrunableLayers(model, pruned).map(layerPruningReport);
  const weights = reports.reduce((sum, r) => sum + r.weights, 0);
  const nonzero = reports.reduce((sum, r) => sum + r.nonzero, 0);
  const saved = new Float32Array(await strippedWeightData(model));
  return {
    testAccuracy: accuracy(model, xs, labels),
    sparsity: weights === 0 ? 0 : 1 - nonzero / weights,
    prunedUnits: reports.reduce((sum, r) => sum + r.prunedUnits, 0),
    nonzeroParameters: countNonzero(saved),
    totalParameters: saved.length,
    gzipBytes: zlib.gzipSync(new Uint8Array(saved.buffer)).length,
  };
}

/**
 * Fraction of `xs` whose most probable class is the label, predicted in batches.
 *
 * ```ts
 * accuracy(model, testXs, testLabels); // 0.98
 * ```
 */
export function accuracy(model: tf.LayersModel, xs: tf.Tensor2D, labels: Uint8Array, batchSize = 1000): number {
  let correct = 0;
  for (let start = 0; start < labels.length; start += batchSize) {
    const size = Math.min(batchSize, labels.length - start);
    const classes = tf.tidy(() => tf.argMax(model.predict(xs.slice([start, 0], [size, -1])) as tf.Tensor, 1));
    const predicted = classes.dataSync();
    classes.dispose();
    for (let i = 0; i < size; i++) if (predicted[i] === labels[start + i]) correct++;
  }
  return correct / labels.length;
}

/** The weights file (weights.bin) that `stripPruning(model)` saves: float32 values, kernels with their masks folded in. */
async function strippedWeightData(model: tf.LayersModel): Promise<ArrayBuffer> {
  const stripped = stripPruning(model);
  let data: tf.io.WeightData | undefined;
  try {
    await stripped.save(tf.io.withSaveHandler(async (artifacts) => {
      data = artifacts.weightData;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }));
  } finally {
    stripped.dispose();
  }
  if (data == null) throw new Error('measureModel: saving the stripped model gave no weight data.');
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

function countNonzero(values: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  return n;
}
