import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { findPrunableLayers, layerPruningReport } from '../src';
import type { DeployedForm } from './deployed_files';
import { measureModel, TestSet } from './metrics';
import type { ExperimentModel } from './models';
import type { Progress } from './progress';
import { seedSequence } from './random';
import { ResultRow, RowIdentity, rowLabel } from './results';
import { stepsPerEpoch, train, TrainingTensors } from './training';

/** What every experiment shares: the data, the budget, where models go and the progress display. */
export interface ExperimentContext {
  train: TrainingTensors;
  test: TestSet;
  batchSize: number;
  learningRate: number;
  /** Adam's rate from a run's `decayFrom` epoch on (the CNN study: the last epoch of every run). */
  fineTuneLearningRate: number;
  /** The folder under which each measured model's deployed files are saved, one folder per row ({@link deployDir}). */
  deployRoot: string;
  /** The folder under which pretrained models are saved, one folder per pretraining task (`pretrainedDir`). */
  pretrainedRoot: string;
  progress: Progress;
}

/**
 * The seeds one run draws from its seed: the model's initialization, the
 * order of the examples, and the masks of random pruning.
 *
 * ```ts
 * const built = lenet300100(runSeeds(seed).model);
 * ```
 */
export function runSeeds(seed: number): { model: number; shuffle: number; prune: number } {
  const next = seedSequence(seed);
  return { model: next(), shuffle: next(), prune: next() };
}

/**
 * The folder of a row's deployed files under `root`: named for the row, so
 * that it does not depend on which worker measured it.
 *
 * ```ts
 * deployDir('/tmp/study', row); // '/tmp/study/lenet-5-gradual-unit-50-seed-1'
 * ```
 */
export function deployDir(root: string, row: RowIdentity): string {
  return path.join(root, rowLabel(row).toLowerCase().replace(/[^a-z0-9.]+/g, '-'));
}

/** How a model is measured: its row and the form it deploys as (default: stripped). */
export interface Measure {
  row: RowIdentity & Pick<ResultRow, 'experiment' | 'epochs'>;
  deployed?: DeployedForm;
}

/**
 * Measures `built.model` on the test set as the row `measure.row` (training
 * time `trainSeconds`), saving its deployed files under the context's root.
 *
 * ```ts
 * const row = await measureRow(context, built, {row: {...identity, experiment: 'baselines', epochs: 10}}, 0);
 * ```
 */
export async function measureRow(context: ExperimentContext, built: ExperimentModel, measure: Measure, trainSeconds: number): Promise<ResultRow> {
  const metrics = await measureModel(built.model, built.prunable, context.test, {
    dir: deployDir(context.deployRoot, measure.row),
    form: measure.deployed ?? 'stripped',
  });
  return { ...metrics, ...measure.row, trainSeconds, loadAverage: os.loadavg()[0] };
}

/**
 * Trains `built.model` for `measure.row.epochs` with a progress bar named for
 * the row (epoch, loss, accuracy, sparsity of the prunable layers), then
 * measures it ({@link measureRow}). With `decayFrom`, Adam's rate drops to
 * the context's `fineTuneLearningRate` from that epoch (counted from 0) on.
 *
 * ```ts
 * const row = await trainAndMeasure(context, lenet300100(runSeeds(1).model), {row: {...identity, experiment: 'baselines', epochs: 10}});
 * ```
 */
export async function trainAndMeasure(
  context: ExperimentContext,
  built: ExperimentModel,
  measure: Measure,
  options: { callbacks?: Array<tf.Callback | tf.CustomCallback>; decayFrom?: number } = {},
): Promise<ResultRow> {
  const { model, prunable } = built;
  const data = context.train;
  const layers = findPrunableLayers(model, prunable);
  const sparsity = () => {
    const reports = layers.map(layerPruningReport);
    return 1 - reports.reduce((s, r) => s + r.nonzero, 0) / reports.reduce((s, r) => s + r.weights, 0);
  };
  const epochs = measure.row.epochs;
  const { seed } = measure.row;
  const perEpoch = stepsPerEpoch(data.xs.shape[0], context.batchSize);
  const label = rowLabel(measure.row);
  const bar = context.progress.startRun(label, { epochs, stepsPerEpoch: perEpoch });
  let currentSparsity = sparsity();
  const result = await train(model, data, {
    epochs,
    batchSize: context.batchSize,
    learningRate: context.learningRate,
    decay: options.decayFrom == null ? undefined : { rate: context.fineTuneLearningRate, fromEpoch: options.decayFrom },
    seed: runSeeds(seed).shuffle,
    callbacks: options.callbacks,
    onBatch: (p) => {
      // Reading the masks costs a copy: every 25 steps and at epoch ends is enough for a display.
      if (p.step % 25 === 0 || p.step % perEpoch === 0) currentSparsity = sparsity();
      bar.update({ ...p, sparsity: currentSparsity });
    },
  });
  const row = await measureRow(context, built, measure, result.seconds);
  bar.finish(`test accuracy ${(100 * row.testAccuracy).toFixed(2)}%, sparsity ${(100 * row.sparsity).toFixed(1)}%, ` +
    `${result.seconds.toFixed(0)} s`);
  return row;
}
