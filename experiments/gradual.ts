import { PolynomialDecay, PolynomialDecayArgs, PruningMethod, PruningScheduleCallback } from '../src';
import { ExperimentContext, runSeeds, trainAndMeasure } from './context';
import { lenet300100 } from './models';
import type { ResultRow } from './results';
import { disposeModel, stepsPerEpoch } from './training';

/** Final sparsities of the gradual pruning experiment. */
export const GRADUAL_SPARSITIES = [0.5, 0.8, 0.9, 0.95, 0.98];

/**
 * The schedule of a gradual run of `totalSteps` (Zhu & Gupta 2017): dense for
 * the first 10% of training, sparsity rising from 0 to `finalSparsity` along
 * the cubic PolynomialDecay until 70%, the last 30% to recover at the final
 * sparsity. About 10 to 30 mask updates, at most every 100 steps.
 *
 * ```ts
 * gradualSchedule(0.9, 4690); // {beginStep: 469, endStep: 3283, frequency: 100, ...}
 * ```
 */
export function gradualSchedule(finalSparsity: number, totalSteps: number): PolynomialDecayArgs {
  const beginStep = Math.round(0.1 * totalSteps);
  const endStep = Math.max(beginStep + 1, Math.round(0.7 * totalSteps));
  return {
    initialSparsity: 0,
    finalSparsity,
    beginStep,
    endStep,
    power: 3,
    frequency: Math.max(1, Math.min(100, Math.floor((endStep - beginStep) / 10))),
  };
}

/**
 * Trains LeNet-300-100 from the same initialization and example order as the
 * dense baseline of `seed`, with the hidden layers pruned by `method` during
 * training up to `finalSparsity` ({@link gradualSchedule}).
 *
 * ```ts
 * const row = await runGradual(context, 1, 'weight', 0.9);
 * ```
 */
export async function runGradual(context: ExperimentContext, seed: number, method: PruningMethod, finalSparsity: number): Promise<ResultRow> {
  const built = lenet300100(runSeeds(seed).model);
  const totalSteps = context.epochs * stepsPerEpoch(context.train.xs.shape[0], context.batchSize);
  const callback = new PruningScheduleCallback({
    schedule: new PolynomialDecay(gradualSchedule(finalSparsity, totalSteps)),
    method,
    layers: built.prunable,
  });
  try {
    const label = `gradual ${method} ${(100 * finalSparsity).toFixed(0)}%, seed ${seed}`;
    const trained = await trainAndMeasure(context, label, built, { seed, epochs: context.epochs, callbacks: [callback] });
    return {
      ...trained,
      experiment: 'gradual',
      network: 'LeNet-300-100',
      method,
      schedule: 'gradual',
      targetSparsity: finalSparsity,
    };
  } finally {
    disposeModel(built.model);
  }
}
