/**
 * Quick start: gradual pruning during training is a two-line change to a
 * TF.js model: swap `tf.layers.dense` for `prunableDense`, and attach a
 * `PruningScheduleCallback` to `fit`. This trains a small classifier on a
 * synthetic task (which of 4 random prototypes is a point nearest to?) while
 * its sparsity rises from 0 to 80%, then reports test accuracy and sparsity.
 *
 *   npx ts-node --transpile-only examples/quick_start.ts           # full run
 *   npx ts-node --transpile-only examples/quick_start.ts --quick   # smaller and faster; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
import { layerPruningReport, PolynomialDecay, PrunableDense, prunableDense, PruningScheduleCallback } from '../src';
import { runExample } from './run_example';
import { accuracy, CLASSES, FEATURES, syntheticTask } from './synthetic_task';

const FINAL_SPARSITY = 0.8;

/** Options of {@link quickStart}. */
export interface QuickStartOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** What {@link quickStart} measured. */
export interface QuickStartResult {
  /** Accuracy on held-out samples. */
  testAccuracy: number;
  /** Fraction of pruned kernel entries over the whole model at the end. */
  sparsity: number;
  /** Final sparsity of each layer, by name. */
  layerSparsity: Record<string, number>;
  /** `history.history` of the fit: loss, acc, sparsity, targetSparsity, appliedSparsity and nextUpdateStep per epoch. */
  history: tf.History['history'];
}

/** Trains the pruned classifier and reports its accuracy and sparsity. */
export async function quickStart(options: QuickStartOptions = {}): Promise<QuickStartResult> {
  const { quick = false, log = console.log } = options;
  const samples = quick ? 1024 : 8192;
  const epochs = quick ? 8 : 20;
  const batchSize = 64;
  const train = syntheticTask(samples, 2);
  const test = syntheticTask(2048, 3);

  // Change 1 of 2: prunableDense where the model had tf.layers.dense (same options).
  const model = tf.sequential({
    layers: [
      prunableDense({ units: 64, activation: 'relu', inputShape: [FEATURES], name: 'hidden1' }),
      prunableDense({ units: 64, activation: 'relu', name: 'hidden2' }),
      prunableDense({ units: CLASSES, activation: 'softmax', name: 'output' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // Sparsity rises from 0 to 80% over the first 3/4 of training; the rest fine-tunes the pruned model.
  const steps = epochs * Math.ceil(samples / batchSize);
  const schedule = new PolynomialDecay({
    initialSparsity: 0, finalSparsity: FINAL_SPARSITY, beginStep: 0, endStep: Math.floor(steps * 0.75), frequency: Math.ceil(steps / 40),
  });
  const history = await model.fit(train.xs, train.ys, {
    epochs,
    batchSize,
    verbose: 0,
    // Change 2 of 2: the callback that prunes during training.
    callbacks: [
      new PruningScheduleCallback({ schedule }),
      new tf.CustomCallback({
        onEpochEnd: (epoch, logs = {}) => log(`epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, ` +
          `accuracy ${logs.acc.toFixed(4)}, sparsity ${logs.sparsity.toFixed(4)} (target ${logs.targetSparsity.toFixed(4)})`),
      }),
    ],
  });

  const testAccuracy = accuracy(model, test);
  const reports = model.layers.filter((l): l is PrunableDense => l instanceof PrunableDense).map(layerPruningReport);
  const layerSparsity = Object.fromEntries(reports.map((r) => [r.layer, r.sparsity]));
  const weights = reports.reduce((sum, r) => sum + r.weights, 0);
  const sparsity = 1 - reports.reduce((sum, r) => sum + r.nonzero, 0) / weights;
  for (const r of reports) log(`${r.layer}: ${r.nonzero} of ${r.weights} weights kept (sparsity ${r.sparsity.toFixed(4)})`);
  log(`test accuracy ${testAccuracy.toFixed(4)} at sparsity ${sparsity.toFixed(4)}`);

  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  model.dispose();
  return { testAccuracy, sparsity, layerSparsity, history: history.history };
}

if (require.main === module) runExample((quick) => quickStart({ quick }));
