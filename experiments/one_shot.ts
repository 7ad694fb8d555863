import * as tf from '@tensorflow/tfjs';
import { findPrunableLayers, pruneModel, PruningMethod } from '../src';
import { ExperimentContext, MeasuredRun, runSeeds, trainAndMeasure } from './context';
import { measureModel } from './metrics';
import { ExperimentModel, referenceMlp } from './models';
import type { ResultRow } from './results';
import { disposeModel } from './training';

/** The pruning fractions k of the reference experiment (its `prune_k`). */
export const REFERENCE_SPARSITIES = [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99];

/**
 * One-shot pruning without retraining: for each method and sparsity, the
 * hidden layers of the trained model get fresh masks at that sparsity and the
 * model is measured. The masks are all ones again afterwards.
 *
 * ```ts
 * const rows = await oneShotSweep(context, built, trained, {methods: ['weight', 'unit'], sparsities: [0.5, 0.9]});
 * ```
 */
export async function oneShotSweep(
  context: ExperimentContext,
  built: ExperimentModel,
  trained: MeasuredRun,
  args: { methods: PruningMethod[]; sparsities: number[]; experiment: ResultRow['experiment']; network: ResultRow['network'] },
): Promise<ResultRow[]> {
  const { model, prunable } = built;
  const rows: ResultRow[] = [];
  for (const method of args.methods) {
    for (const sparsity of args.sparsities) {
      resetMasks(model, prunable);
      pruneModel(model, { method, sparsity, layers: prunable });
      rows.push({
        ...trained,
        ...await measureModel(model, prunable, context.test.xs, context.test.labels),
        experiment: args.experiment,
        network: args.network,
        method,
        schedule: 'one-shot',
        targetSparsity: sparsity,
        trainSeconds: 0,
      });
    }
  }
  resetMasks(model, prunable);
  return rows;
}

/**
 * The reference experiment (gorjanradevski/pruning_deep_nets): trains the
 * MLP 784-1000-1000-500-200-10 dense, then prunes its hidden layers one-shot
 * by weight and by unit at each of `sparsities`. Returns the dense row first.
 *
 * ```ts
 * const rows = await runReferenceOneShot(context, 1, REFERENCE_SPARSITIES);
 * ```
 */
export async function runReferenceOneShot(context: ExperimentContext, seed: number, sparsities: number[]): Promise<ResultRow[]> {
  const built = referenceMlp(runSeeds(seed).model);
  try {
    const trained = await trainAndMeasure(context, `reference MLP, seed ${seed}`, built, { seed, epochs: context.referenceEpochs });
    const common = { experiment: 'one-shot' as const, network: 'reference MLP' as const };
    return [
      { ...trained, ...common, method: 'dense', schedule: 'none', targetSparsity: 0 },
      ...await oneShotSweep(context, built, trained, { ...common, methods: ['weight', 'unit'], sparsities }),
    ];
  } finally {
    disposeModel(built.model);
  }
}

function resetMasks(model: tf.LayersModel, layers: string[]): void {
  for (const layer of findPrunableLayers(model, layers)) {
    for (const { name, mask } of layer.maskedWeights) layer.setMask(new Float32Array(mask.read().size).fill(1), name);
  }
}
