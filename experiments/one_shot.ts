import * as tf from '@tensorflow/tfjs';
import { pruneModel } from '../src';
import { ExperimentContext, measureRow, runSeeds, trainAndMeasure } from './context';
import type { DeployedForm } from './deployed_files';
import { ExperimentModel, referenceMlp } from './models';
import { choiceOptions, PruningChoice } from './pruning_choices';
import type { ResultRow } from './results';
import { disposeModel } from './training';

/** The pruning fractions k of the reference experiment (its `prune_k`). */
export const REFERENCE_SPARSITIES = [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99];

/** The points of a one-shot sweep: sparsities per choice, and whether each is also fine-tuned. */
export interface SweepPoints {
  choices: Array<{ choice: PruningChoice; sparsities: number[]; deployed?: DeployedForm }>;
  /** Also fine-tune each pruned model for the context's `fineTuneSteps` and measure it again. */
  fineTune: boolean;
}

/**
 * One-shot pruning of a trained model: for each choice and sparsity, the
 * prunable layers of the trained model get fresh masks at that sparsity and
 * the model is measured; with `points.fineTune`, it is then trained for
 * `fineTuneSteps` batches (the first `fineTuneSteps · batchSize` training
 * images, in the seed's order) with its masks fixed, and measured again.
 * Each point starts from the trained weights, which the model has again afterwards.
 *
 * ```ts
 * const rows = await oneShotSweep(context, built, dense, {choices: [{choice: 'weight', sparsities: [0.5, 0.9]}], fineTune: false});
 * ```
 */
export async function oneShotSweep(context: ExperimentContext, built: ExperimentModel, dense: ResultRow, points: SweepPoints): Promise<ResultRow[]> {
  const { model, prunable } = built;
  const trained = model.getWeights().map((w) => w.clone());
  const fineTuneSize = Math.min(context.train.xs.shape[0], context.fineTuneSteps * context.batchSize);
  const fineTuneData = points.fineTune ? tf.tidy(() => ({
    xs: context.train.xs.slice([0, 0], [fineTuneSize, -1]),
    ys: context.train.ys.slice([0, 0], [fineTuneSize, -1]),
  })) : null;
  const rows: ResultRow[] = [];
  try {
    for (const { choice, sparsities, deployed } of points.choices) {
      for (const sparsity of sparsities) {
        model.setWeights(trained);
        pruneModel(model, { ...choiceOptions(choice, runSeeds(dense.seed).prune), sparsity, layers: prunable });
        const { experiment, network, seed, epochs } = dense;
        const row = { experiment, network, seed, epochs, method: choice, schedule: 'one-shot' as const, targetSparsity: sparsity };
        rows.push(await measureRow(context, built, { row, deployed }, 0));
        if (fineTuneData != null) {
          rows.push(await trainAndMeasure(context, built, { row: { ...row, schedule: 'one-shot + fine-tune' }, deployed },
            { data: fineTuneData, epochs: 1 }));
        }
      }
    }
    model.setWeights(trained);
  } finally {
    tf.dispose(trained);
    if (fineTuneData != null) tf.dispose([fineTuneData.xs, fineTuneData.ys]);
  }
  return rows;
}

/**
 * The reference experiment (gorjanradevski/pruning_deep_nets): trains the
 * MLP 784-1000-1000-500-200-10 dense, then prunes its hidden layers one-shot
 * by weight and by unit at each of `sparsities`. Returns the dense row first.
 *
 * ```ts
 * const rows = await runReferenceOneShot(context, {seed: 1, epochs: 3, sparsities: REFERENCE_SPARSITIES});
 * ```
 */
export async function runReferenceOneShot(context: ExperimentContext, run: { seed: number; epochs: number; sparsities: number[] }): Promise<ResultRow[]> {
  const built = referenceMlp(runSeeds(run.seed).model);
  try {
    const dense = await trainAndMeasure(context, built, {
      row: { experiment: 'one-shot', network: 'reference MLP', method: 'dense', schedule: 'none', targetSparsity: 0, seed: run.seed, epochs: run.epochs },
    });
    const choices = (['weight', 'unit'] as const).map((choice) => ({ choice, sparsities: run.sparsities }));
    return [dense, ...await oneShotSweep(context, built, dense, { choices, fineTune: false })];
  } finally {
    disposeModel(built.model);
  }
}
