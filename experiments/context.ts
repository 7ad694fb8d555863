import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { findPrunableLayers, layerPruningReport } from '../src';
import { measureModel } from './metrics';
import type { ExperimentModel } from './models';
import type { Progress } from './progress';
import { seedSequence } from './random';
import type { ResultRow } from './results';
import { stepsPerEpoch, train, TrainingTensors } from './training';

/** What every experiment shares: the data, the budget and the progress display. */
export interface ExperimentContext {
  train: TrainingTensors;
  test: { xs: tf.Tensor2D; labels: Uint8Array };
  epochs: number;
  referenceEpochs: number;
  batchSize: number;
  learningRate: number;
  progress: Progress;
}

/** A trained model, measured: the fields of a {@link ResultRow} that training decides. */
export type MeasuredRun = Pick<ResultRow, Exclude<keyof ResultRow, 'experiment' | 'network' | 'method' | 'schedule' | 'targetSparsity'>>;

/**
 * The two seeds one run draws from its seed: the model's initialization and the order of the examples.
 *
 * ```ts
 * const built = lenet300100(runSeeds(seed).model);
 * ```
 */
export function runSeeds(seed: number): { model: number; shuffle: number } {
  const next = seedSequence(seed);
  return { model: next(), shuffle: next() };
}

/**
 * Trains `built.model` for `epochs` with a progress bar labelled `label`
 * (epoch, loss, accuracy, sparsity of the prunable layers), then measures it
 * on the test set.
 *
 * ```ts
 * const measured = await trainAndMeasure(context, 'dense, seed 1', lenet300100(runSeeds(1).model), {seed: 1, epochs: 10});
 * ```
 */
export async function trainAndMeasure(
  context: ExperimentContext,
  label: string,
  built: ExperimentModel,
  run: { seed: number; epochs: number; callbacks?: tf.Callback[] },
): Promise<MeasuredRun> {
  const { model, prunable } = built;
  const layers = findPrunableLayers(model, prunable);
  const sparsity = () => {
    const reports = layers.map(layerPruningReport);
    return 1 - reports.reduce((s, r) => s + r.nonzero, 0) / reports.reduce((s, r) => s + r.weights, 0);
  };
  const perEpoch = stepsPerEpoch(context.train.xs.shape[0], context.batchSize);
  const bar = context.progress.startRun(label, { epochs: run.epochs, stepsPerEpoch: perEpoch });
  let currentSparsity = 0;
  const result = await train(model, context.train, {
    epochs: run.epochs,
    batchSize: context.batchSize,
    learningRate: context.learningRate,
    seed: runSeeds(run.seed).shuffle,
    callbacks: run.callbacks,
    onBatch: (p) => {
      // Reading the masks costs a copy: every 25 steps and at epoch ends is enough for a display.
      if (p.step % 25 === 0 || p.step % perEpoch === 0) currentSparsity = sparsity();
      bar.update({ ...p, sparsity: currentSparsity });
    },
  });
  const metrics = await measureModel(model, prunable, context.test.xs, context.test.labels);
  bar.finish(`test accuracy ${(100 * metrics.testAccuracy).toFixed(2)}%, sparsity ${(100 * metrics.sparsity).toFixed(1)}%, ` +
    `${result.seconds.toFixed(0)} s`);
  return { ...metrics, seed: run.seed, trainSeconds: result.seconds, epochs: run.epochs, loadAverage: os.loadavg()[0] };
}
