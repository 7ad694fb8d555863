import * as tf from '@tensorflow/tfjs';
import { compactionReport, findPrunableLayers, layerPruningReport } from '../src';
import { DeployedForm, saveDeployed } from './deployed_files';
import { modelInput } from './training';

/** What a trained model buys: the numbers of the report's tables. */
export interface ModelMetrics {
  /** Fraction of the test set classified correctly. */
  testAccuracy: number;
  /** Fraction of the pruned layers' kernel entries that are masked. */
  sparsity: number;
  /** Units (kernel columns, filters) of the pruned layers removed entirely. */
  prunedUnits: number;
  /** How the model deploys; the sizes below are of that form's saved files. */
  deployed: DeployedForm;
  /** Parameters of the deployed model that are not zero. */
  nonzeroParameters: number;
  /** All parameters of the deployed model. */
  totalParameters: number;
  /** Multiply-accumulates per example of the deployed model (of its convolutions and dense layers). */
  macs: number;
  /** Size in bytes of the deployed model's weights.bin (float32), gzipped with node:zlib's default level. */
  gzipBytes: number;
  /** Size in bytes of its weights.bin saved with uint8 quantization, and that file gzipped. */
  uint8Bytes: number;
  uint8GzipBytes: number;
}

/** The test images (`[n, 784]`, reshaped to each model's input) and their labels. */
export interface TestSet {
  xs: tf.Tensor2D;
  labels: Uint8Array;
}

/**
 * Measures `model` on the test set: accuracy, the sparsity of the `pruned`
 * layers, and the parameters and sizes of the files it deploys as
 * (`deploy.form`), which it saves into `deploy.dir`.
 *
 * ```ts
 * const metrics = await measureModel(model, ['hidden1', 'hidden2'], test, {dir: '/tmp/dense-1', form: 'stripped'});
 * ```
 */
export async function measureModel(
  model: tf.LayersModel,
  pruned: string[],
  test: TestSet,
  deploy: { dir: string; form: DeployedForm },
): Promise<ModelMetrics> {
  const reports = findPrunableLayers(model, pruned).map(layerPruningReport);
  const weights = reports.reduce((sum, r) => sum + r.weights, 0);
  const nonzero = reports.reduce((sum, r) => sum + r.nonzero, 0);
  const sizes = await saveDeployed(model, deploy.dir, deploy.form);
  const { macs } = compactionReport(model).total;
  return {
    macs: deploy.form === 'compacted' ? macs.after : macs.before,
    testAccuracy: accuracy(model, test.xs, test.labels),
    sparsity: weights === 0 ? 0 : 1 - nonzero / weights,
    prunedUnits: reports.reduce((sum, r) => sum + r.prunedUnits, 0),
    deployed: sizes.form,
    nonzeroParameters: sizes.nonzeroParameters,
    totalParameters: sizes.totalParameters,
    gzipBytes: sizes.gzipBytes,
    uint8Bytes: sizes.uint8Bytes,
    uint8GzipBytes: sizes.uint8GzipBytes,
  };
}

/**
 * Fraction of `xs` (`[n, 784]`) whose most probable class is the label, predicted in batches.
 *
 * ```ts
 * accuracy(model, testXs, testLabels); // 0.98
 * ```
 */
export function accuracy(model: tf.LayersModel, xs: tf.Tensor2D, labels: Uint8Array, batchSize = 1000): number {
  let correct = 0;
  for (let start = 0; start < labels.length; start += batchSize) {
    const size = Math.min(batchSize, labels.length - start);
    // As one batch: predict's default batchSize (32) would split it into many smaller calls, slower for the CNNs.
    const classes = tf.tidy(() => tf.argMax(model.predict(modelInput(model, xs.slice([start, 0], [size, -1])), { batchSize: size }) as tf.Tensor, 1));
    const predicted = classes.dataSync();
    classes.dispose();
    for (let i = 0; i < size; i++) if (predicted[i] === labels[start + i]) correct++;
  }
  return correct / labels.length;
}
