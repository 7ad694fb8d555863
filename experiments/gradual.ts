import { PolynomialDecay, PolynomialDecayArgs, PruningScheduleCallback } from '../src';
import { ExperimentContext, runSeeds, trainAndMeasure } from './context';
import type { DeployedForm } from './deployed_files';
import { startingModel } from './pretrain';
import { choiceOptions, PruningChoice } from './pruning_choices';
import type { ExperimentName, NetworkName, ResultRow } from './results';
import { disposeModel, stepsPerEpoch } from './training';

/** Final sparsities of the gradual pruning of LeNet-300-100. */
export const GRADUAL_SPARSITIES = [0.5, 0.8, 0.9, 0.95, 0.98];

/**
 * The schedule of a gradual run of `totalSteps` (Zhu & Gupta 2017). From
 * scratch: dense for the first 10% of training, sparsity rising from 0 to
 * `finalSparsity` along the cubic PolynomialDecay until 70%, the last 30% to
 * recover at the final sparsity. Fine-tuning a `pretrained` model: rising
 * from the first step over a third of the steps, the rest to recover (the
 * CNN study's fine-tune of 3 epochs: one pruning, one recovering at the
 * same rate, the last at its lower rate). About 10 to 30 mask updates,
 * at most every 100 steps.
 *
 * ```ts
 * gradualSchedule(0.9, 4690, false); // {beginStep: 469, endStep: 3283, frequency: 100, ...}
 * ```
 */
export function gradualSchedule(finalSparsity: number, totalSteps: number, pretrained: boolean): PolynomialDecayArgs {
  const beginStep = pretrained ? 0 : Math.round(0.1 * totalSteps);
  const endStep = Math.max(beginStep + 1, Math.round((pretrained ? 1 / 3 : 0.7) * totalSteps));
  return {
    initialSparsity: 0,
    finalSparsity,
    beginStep,
    endStep,
    power: 3,
    frequency: Math.max(1, Math.min(100, Math.floor((endStep - beginStep) / 10))),
  };
}

/** One gradual run: the network, how it is pruned and how long it trains. */
export interface GradualRun {
  experiment: ExperimentName;
  network: NetworkName;
  choice: PruningChoice;
  finalSparsity: number;
  seed: number;
  epochs: number;
  /** Training images: the first this many of the context's. */
  trainSize: number;
  deployed?: DeployedForm;
  /** The pretraining task whose model the run fine-tunes while it prunes; without it, the run trains from its seed's initialization. */
  from?: string;
  /** The epoch (from 0) from which Adam's rate drops to the context's `fineTuneLearningRate`; none: `learningRate` throughout. */
  decayFrom?: number;
}

/**
 * Trains the network from the same initialization (or pretrained model) and
 * example order as its dense baseline of the same seed, with the prunable
 * layers pruned by `run.choice` during training up to `run.finalSparsity` ({@link gradualSchedule}).
 *
 * ```ts
 * const row = await runGradual(context, {experiment: 'gradual', network: 'LeNet-300-100',
 *   choice: 'weight', finalSparsity: 0.9, seed: 1, epochs: 10, trainSize: 60000});
 * ```
 */
export async function runGradual(context: ExperimentContext, run: GradualRun): Promise<ResultRow> {
  const seeds = runSeeds(run.seed);
  const built = await startingModel(context, run.network, run.seed, { from: run.from });
  const totalSteps = run.epochs * stepsPerEpoch(context.train.xs.shape[0], context.batchSize);
  const callback = new PruningScheduleCallback({
    schedule: new PolynomialDecay(gradualSchedule(run.finalSparsity, totalSteps, run.from != null)),
    ...choiceOptions(run.choice, seeds.prune),
    layers: built.prunable,
  });
  try {
    return await trainAndMeasure(context, built, {
      row: {
        experiment: run.experiment, network: run.network, method: run.choice, schedule: 'gradual',
        targetSparsity: run.finalSparsity, seed: run.seed, epochs: run.epochs,
      },
      deployed: run.deployed,
    }, { callbacks: [callback], decayFrom: run.decayFrom });
  } finally {
    disposeModel(built.model);
  }
}
