/**
 * Pruning a model that is already trained, built with plain `tf.layers.dense`:
 * `makePrunable` copies it with PrunableDense layers (masks of ones, same
 * outputs), `pruneModel` prunes the copy at once, a few epochs of
 * fine-tuning win back what pruning cost (pruned weights stay at zero: they
 * get no gradient), and `stripPruning` turns the result back into a plain
 * Dense model to deploy, which loads without this library.
 *
 *   npx ts-node --transpile-only examples/convert_existing_model.ts           # full run
 *   npx ts-node --transpile-only examples/convert_existing_model.ts --quick   # smaller and faster; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
// In an application: from 'tfjs-prune'.
import { makePrunable, pruneModel, pruningSummary, stripPruning } from '../src';
import { runExample } from './run_example';
import { accuracy, CLASSES, FEATURES, syntheticTask } from './synthetic_task';

const SPARSITY = 0.9;

/** Options of {@link convertExistingModel}. */
export interface ConvertExistingModelOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** What {@link convertExistingModel} measured, all accuracies on held-out samples. */
export interface ConvertExistingModelResult {
  /** The plain model after training. */
  trainedAccuracy: number;
  /** The prunable copy before pruning: the same outputs as the trained model. */
  convertedAccuracy: number;
  /** Right after one-shot pruning. */
  prunedAccuracy: number;
  /** After fine-tuning the pruned model. */
  fineTunedAccuracy: number;
  /** The stripped (plain Dense) model. */
  strippedAccuracy: number;
  /** Fraction of pruned kernel entries over the pruned layers. */
  sparsity: number;
  /** Class names of the layers of the converted and of the stripped model. */
  layerClasses: { converted: string[]; stripped: string[] };
  /** Largest difference between the predictions of the fine-tuned and of the stripped model. */
  strippedDifference: number;
}

/** Largest absolute difference between the predictions of two models. */
function predictionDifference(a: tf.LayersModel, b: tf.LayersModel, xs: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(xs) as tf.Tensor, b.predict(xs) as tf.Tensor))).dataSync()[0]);
}

/** Trains a plain model, converts it, prunes it, fine-tunes it and strips it. */
export async function convertExistingModel(options: ConvertExistingModelOptions = {}): Promise<ConvertExistingModelResult> {
  const { quick = false, log = console.log } = options;
  const train = syntheticTask(quick ? 1024 : 8192, 2);
  const test = syntheticTask(2048, 3);
  const fitArgs = { batchSize: 64, verbose: 0 as const };

  // The existing model: plain Dense layers, trained as usual.
  const trained = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, activation: 'relu', inputShape: [FEATURES], name: 'hidden1' }),
      tf.layers.dense({ units: 64, activation: 'relu', name: 'hidden2' }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', name: 'output' }),
    ],
  });
  trained.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await trained.fit(train.xs, train.ys, { ...fitArgs, epochs: quick ? 8 : 20 });
  const trainedAccuracy = accuracy(trained, test);
  log(`trained plain model: accuracy ${trainedAccuracy.toFixed(4)}`);

  // 1. Convert: every Dense becomes a PrunableDense with a mask of ones. Compile the copy to train it.
  const prunable = makePrunable(trained);
  prunable.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const convertedAccuracy = accuracy(prunable, test);
  log(`converted: accuracy ${convertedAccuracy.toFixed(4)} (unchanged: the masks are all ones)`);

  // 2. Prune at once: the 90% smallest-magnitude weights of each layer.
  pruneModel(prunable, { method: 'weight', sparsity: SPARSITY });
  const prunedAccuracy = accuracy(prunable, test);
  log(`pruned to ${SPARSITY} sparsity: accuracy ${prunedAccuracy.toFixed(4)}`);

  // 3. Fine-tune: the masks stay as they are, the remaining weights adapt.
  await prunable.fit(train.xs, train.ys, { ...fitArgs, epochs: quick ? 4 : 10 });
  const fineTunedAccuracy = accuracy(prunable, test);
  log(`fine-tuned: accuracy ${fineTunedAccuracy.toFixed(4)}`);
  const summary = pruningSummary(prunable, { method: 'weight', printFn: log });

  // 4. Strip: plain Dense layers with kernel ⊙ mask, ready for model.save and tf.loadLayersModel.
  const stripped = stripPruning(prunable);
  const strippedAccuracy = accuracy(stripped, test);
  const strippedDifference = predictionDifference(prunable, stripped, test.xs);
  log(`stripped: accuracy ${strippedAccuracy.toFixed(4)}, predictions within ${strippedDifference.toExponential(1)} of the pruned model's`);

  const layerClasses = { converted: prunable.layers.map((l) => l.getClassName()), stripped: stripped.layers.map((l) => l.getClassName()) };
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  for (const model of [trained, prunable, stripped]) model.dispose();
  return {
    trainedAccuracy, convertedAccuracy, prunedAccuracy, fineTunedAccuracy, strippedAccuracy,
    sparsity: summary.total.sparsity, layerClasses, strippedDifference,
  };
}

if (require.main === module) runExample((quick) => convertExistingModel({ quick }));
