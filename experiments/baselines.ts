import { ExperimentContext, runSeeds, trainAndMeasure } from './context';
import { lenet300100 } from './models';
import { oneShotSweep } from './one_shot';
import type { ResultRow } from './results';
import { disposeModel } from './training';

/** Dropout rates of the baselines, after each hidden layer. */
export const DROPOUT_RATES = [0.2, 0.5];

/**
 * The baselines with the gradual runs' budget (same epochs, batch size,
 * initialization and example order): LeNet-300-100 dense, then with dropout
 * at each of `dropoutRates`. The dense model is also pruned one-shot, without
 * retraining, at each of `sparsities`, to set one-shot against gradual pruning.
 *
 * ```ts
 * const rows = await runBaselines(context, 1, GRADUAL_SPARSITIES, DROPOUT_RATES);
 * ```
 */
export async function runBaselines(context: ExperimentContext, seed: number, sparsities: number[], dropoutRates: number[]): Promise<ResultRow[]> {
  const common = { experiment: 'baselines' as const, network: 'LeNet-300-100' as const, targetSparsity: 0 };
  const rows: ResultRow[] = [];
  const dense = lenet300100(runSeeds(seed).model);
  try {
    const trained = await trainAndMeasure(context, `dense, seed ${seed}`, dense, { seed, epochs: context.epochs });
    rows.push({ ...trained, ...common, method: 'dense', schedule: 'none' });
    rows.push(...await oneShotSweep(context, dense, trained, {
      experiment: 'baselines', network: 'LeNet-300-100', methods: ['weight', 'unit'], sparsities,
    }));
  } finally {
    disposeModel(dense.model);
  }
  for (const rate of dropoutRates) {
    const built = lenet300100(runSeeds(seed).model, rate);
    try {
      const trained = await trainAndMeasure(context, `dropout ${rate}, seed ${seed}`, built, { seed, epochs: context.epochs });
      rows.push({ ...trained, ...common, method: `dropout ${rate}`, schedule: 'none' });
    } finally {
      disposeModel(built.model);
    }
  }
  return rows;
}
