import { ExperimentContext, trainAndMeasure } from './context';
import { oneShotSweep, SweepPoints } from './one_shot';
import { startingModel } from './pretrain';
import type { ExperimentName, NetworkName, ResultRow } from './results';
import { disposeModel } from './training';

/** Dropout rates of the LeNet-300-100 baselines, after each hidden layer. */
export const DROPOUT_RATES = [0.2, 0.5];

/** A baseline run: the network, dense or with dropout, trained with the gradual runs' budget. */
export interface BaselineRun {
  experiment: ExperimentName;
  network: NetworkName;
  seed: number;
  epochs: number;
  /** Training images: the first this many of the context's. */
  trainSize: number;
  /** 0 for the dense baseline. */
  dropoutRate: number;
  /** One-shot pruning of the trained model (dense baselines only). */
  oneShot?: SweepPoints;
  /** The pretraining task whose model the baseline trains further; without it, it trains from its seed's initialization. */
  from?: string;
  /** The epoch (from 0) from which Adam's rate drops to the context's `fineTuneLearningRate`; none: `learningRate` throughout. */
  decayFrom?: number;
}

/**
 * A baseline with the gradual runs' budget (same epochs, batch size,
 * initialization or pretrained model, and example order): the network dense, or with dropout at
 * `run.dropoutRate`. The trained dense model is also pruned one-shot at
 * `run.oneShot`'s points, to set one-shot against gradual pruning. Returns
 * the baseline's row first.
 *
 * ```ts
 * const rows = await runBaseline(context, {experiment: 'baselines', network: 'LeNet-300-100', seed: 1, epochs: 10, trainSize: 60000,
 *   dropoutRate: 0, oneShot: {choices: [{choice: 'weight', sparsities: [0.9]}]}});
 * ```
 */
export async function runBaseline(context: ExperimentContext, run: BaselineRun): Promise<ResultRow[]> {
  const built = await startingModel(context, run.network, run.seed, { dropoutRate: run.dropoutRate, from: run.from });
  try {
    const trained = await trainAndMeasure(context, built, {
      row: {
        experiment: run.experiment, network: run.network, method: run.dropoutRate > 0 ? `dropout ${run.dropoutRate}` : 'dense',
        schedule: 'none', targetSparsity: 0, seed: run.seed, epochs: run.epochs,
      },
    }, { decayFrom: run.decayFrom });
    return [trained, ...run.oneShot == null ? [] : await oneShotSweep(context, built, trained, run.oneShot)];
  } finally {
    disposeModel(built.model);
  }
}
