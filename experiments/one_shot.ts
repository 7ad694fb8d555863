import { pruneModel } from '../src';
import { ExperimentContext, measureRow, runSeeds, trainAndMeasure } from './context';
import type { DeployedForm } from './deployed_files';
import { ExperimentModel, referenceMlp } from './models';
import { startingModel } from './pretrain';
import { choiceOptions, PruningChoice } from './pruning_choices';
import type { ExperimentName, NetworkName, ResultRow } from './results';
import { disposeModel } from './training';

/** The pruning fractions k of the reference experiment (its `prune_k`). */
export const REFERENCE_SPARSITIES = [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99];

/** The points of a one-shot sweep: sparsities per choice, and how long each is fine-tuned. */
export interface SweepPoints {
  choices: Array<{ choice: PruningChoice; sparsities: number[]; deployed?: DeployedForm }>;
  /**
   * Also fine-tune each pruned model `epochs` over the context's training images (Adam's rate dropping to the
   * context's `fineTuneLearningRate` from epoch `decayFrom`, as in {@link trainAndMeasure}) and measure it again. Default: no fine-tune.
   */
  fineTune?: { epochs: number; decayFrom?: number };
}

/** The model a sweep prunes: its network, its seed and how long it trained. */
export type SweepSource = Pick<ResultRow, 'experiment' | 'network' | 'seed' | 'epochs'>;

/**
 * One-shot pruning of a trained model: for each choice and sparsity, the
 * prunable layers of the trained model get fresh masks at that sparsity and
 * the model is measured; with `points.fineTune`, it is then trained
 * that long (in the seed's example order, a new Adam) with its masks fixed,
 * and measured again. Each point starts from the trained weights, which the
 * model has again afterwards.
 *
 * ```ts
 * const rows = await oneShotSweep(context, built, denseRow, {choices: [{choice: 'weight', sparsities: [0.5, 0.9]}]});
 * ```
 */
export async function oneShotSweep(context: ExperimentContext, built: ExperimentModel, source: SweepSource, points: SweepPoints): Promise<ResultRow[]> {
  const { model, prunable } = built;
  const trained = model.getWeights().map((w) => w.clone());
  const rows: ResultRow[] = [];
  try {
    for (const { choice, sparsities, deployed } of points.choices) {
      for (const sparsity of sparsities) {
        model.setWeights(trained);
        pruneModel(model, { ...choiceOptions(choice, runSeeds(source.seed).prune), sparsity, layers: prunable });
        const { experiment, network, seed, epochs } = source;
        const row = { experiment, network, seed, epochs, method: choice, schedule: 'one-shot' as const, targetSparsity: sparsity };
        rows.push(await measureRow(context, built, { row, deployed }, 0));
        if (points.fineTune != null) {
          rows.push(await trainAndMeasure(context, built, { row: { ...row, schedule: 'one-shot + fine-tune', epochs: points.fineTune.epochs }, deployed },
            { decayFrom: points.fineTune.decayFrom }));
        }
      }
    }
    model.setWeights(trained);
  } finally {
    for (const w of trained) w.dispose();
  }
  return rows;
}

/** One-shot pruning of a pretrained model at one point, then its fine-tune. */
export interface OneShotRun {
  experiment: ExperimentName;
  network: NetworkName;
  seed: number;
  /** The pretraining task whose model is pruned, and its epochs. */
  from: string;
  pretrainEpochs: number;
  choice: PruningChoice;
  sparsity: number;
  /** Epochs of the fine-tune, over `trainSize` images. */
  epochs: number;
  /** Training images of the fine-tune: the first this many of the context's. */
  trainSize: number;
  deployed?: DeployedForm;
  /** The epoch (from 0) from which Adam's rate drops to the context's `fineTuneLearningRate`; none: `learningRate` throughout. */
  decayFrom?: number;
}

/**
 * Prunes the pretrained model `run.from` at once by `run.choice` at
 * `run.sparsity`, measures it (row `one-shot`), fine-tunes it `run.epochs`
 * with its masks fixed and measures it again (row `one-shot + fine-tune`).
 *
 * ```ts
 * const [pruned, fineTuned] = await runOneShot(context, {experiment: 'cnn-baselines', network: 'LeNet-5', seed: 1,
 *   from: 'LeNet-5 pretrained, seed 1', pretrainEpochs: 4, choice: 'weight', sparsity: 0.9, epochs: 1, trainSize: 60000});
 * ```
 */
export async function runOneShot(context: ExperimentContext, run: OneShotRun): Promise<ResultRow[]> {
  const built = await startingModel(context, run.network, run.seed, { from: run.from });
  try {
    const { experiment, network, seed } = run;
    return await oneShotSweep(context, built, { experiment, network, seed, epochs: run.pretrainEpochs },
      { choices: [{ choice: run.choice, sparsities: [run.sparsity], deployed: run.deployed }], fineTune: { epochs: run.epochs, decayFrom: run.decayFrom } });
  } finally {
    disposeModel(built.model);
  }
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
    return [dense, ...await oneShotSweep(context, built, dense, { choices })];
  } finally {
    disposeModel(built.model);
  }
}
