import { PolynomialDecay, PolynomialDecayArgs, PruningMethod, PruningScheduleCallback } from '../src';
import { removesUnits } from '../src/pruning/pruning_method';
import { ExperimentContext, runSeeds, trainAndMeasure } from './context';
import type { DeployedForm } from './deployed_files';
import { startingModel } from './pretrain';
import { choiceOptions, PruningChoice } from './pruning_choices';
import type { ExperimentName, NetworkName, ResultRow } from './results';
import { disposeModel, stepsPerEpoch } from './training';

/** Final sparsities of the gradual pruning of LeNet-300-100. */
export const GRADUAL_SPARSITIES = [0.5, 0.8, 0.9, 0.95, 0.98];

/**
 * Where a gradual run's sparsity rises, as fractions of its steps. From
 * `scratch` (Zhu & Gupta 2017): dense for the first 10% of training, the last
 * 30% to recover at the final sparsity. Fine-tuning a pretrained model, from
 * the first step, the rest to recover: masks of single `weights` (magnitude
 * and random) over the first tenth, masks of whole `units` (filters,
 * channels) over the first third. Held-out runs 5 and 6 of
 * docs/results/tuning.md chose these: over a tenth instead of a third,
 * LeNet-5's weight pruning at 90% recovered 0.34 to 0.64 points more, its
 * filter pruning the same, the residual CNN's channel pruning 0.40 less.
 */
export const RAMPS = { scratch: [0.1, 0.7], weights: [0, 0.1], units: [0, 1 / 3] } as const;
export type Ramp = keyof typeof RAMPS;

/**
 * The ramp of a gradual run of `method`, from a pretrained model or not ({@link RAMPS}).
 *
 * ```ts
 * rampOf('channel', true); // 'units'
 * ```
 */
export function rampOf(method: PruningMethod, pretrained: boolean): Ramp {
  if (!pretrained) return 'scratch';
  return removesUnits(method) ? 'units' : 'weights';
}

/**
 * The schedule of a gradual run of `totalSteps` whose sparsity rises to
 * `finalSparsity` along the cubic PolynomialDecay over its `ramp` ({@link RAMPS}).
 * About 10 to 30 mask updates, at most every 100 steps.
 *
 * ```ts
 * gradualSchedule(0.9, 4690, 'scratch'); // {beginStep: 469, endStep: 3283, frequency: 100, ...}
 * ```
 */
export function gradualSchedule(finalSparsity: number, totalSteps: number, ramp: Ramp): Required<PolynomialDecayArgs> {
  const [begin, end] = RAMPS[ramp];
  const beginStep = Math.round(begin * totalSteps);
  const endStep = Math.max(beginStep + 1, Math.round(end * totalSteps));
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
  const options = choiceOptions(run.choice, seeds.prune);
  const callback = new PruningScheduleCallback({
    schedule: new PolynomialDecay(gradualSchedule(run.finalSparsity, totalSteps, rampOf(options.method, run.from != null))),
    ...options,
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
