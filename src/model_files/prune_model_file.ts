import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../checks';
import { findPrunableLayers } from '../model/prunable_layers';
import type { LayerPruningReport } from '../pruning/prune_layer';
import { maskOptimizerState } from '../pruning/optimizer_state';
import { pruneModel, PruneModelArgs } from '../pruning/prune_model';
import { overallSparsity } from '../pruning/pruning_summary';
import { makePrunable } from '../transforms/make_prunable';
import { artifactsFromModel, ModelFileResult, ModelFileArgs, modelFromArtifacts, withModels } from './model_artifacts';
import { aboutSubject } from './model_file_error';

/**
 * Options of {@link pruneModelFile}: {@link pruneModel}'s, with layers by name.
 *
 * ```js
 * const args = {method: 'unit', sparsity: 0.5, layers: ['conv1', 'conv2'], source: 'model.json'};
 * ```
 */
export interface PruneModelFileArgs extends Omit<PruneModelArgs, 'layers'>, ModelFileArgs {
  /** The layers to prune, by name. Default: {@link pruneModel}'s. */
  layers?: string[];
}

/**
 * What {@link pruneModelFile} did.
 *
 * ```js
 * const {layers, sparsity, warning} = (await pruneModelFile(artifacts, {sparsity: 0.8})).report;
 * ```
 */
export interface PruneReport {
  /** Where the model comes from (`source`). */
  source: string;
  /** The model's name. */
  model: string;
  /** Whether the model was plain and converted with {@link makePrunable} first. */
  converted: boolean;
  /**
   * Whether the checkpoint keeps the model's training config and optimizer
   * state (the pruned weights' state zeroed), so that a fit after
   * {@link loadPrunableModel} resumes them: a prunable model saved with its
   * optimizer. A converted model starts without one.
   */
  optimizer: boolean;
  /** {@link pruneModel}'s report of each pruned layer. */
  layers: LayerPruningReport[];
  /** The fraction of the pruned layers' masked entries that is pruned. */
  sparsity: number;
  /** What one-shot pruning costs, and how to win it back, for a front end to show. */
  warning: string;
}

/** The warning every one-shot pruning of a file comes with. */
export const ONE_SHOT_WARNING = 'one-shot pruning without fine-tuning costs accuracy: measure the pruned model, and fine-tune it ' +
  '(loadPrunableModel, then fit with PruningScheduleCallback); see the guide, docs/guide.md#one-shot-or-gradual.';

/**
 * One-shot pruning of a saved model into a prunable checkpoint: the model
 * `artifacts` hold (plain ones converted with {@link makePrunable} first)
 * pruned by {@link pruneModel} with `args`, as artifacts that
 * {@link loadPrunableModel} loads to fine-tune or {@link stripModelFile} and
 * {@link compactModelFile} deploy, and a report. Browser-safe:
 * `tfjs-prune prune` and a page call it alike.
 *
 * ```js
 * const {artifacts: pruned, report} = await pruneModelFile(artifacts, {method: 'unit', sparsity: 0.5});
 * console.warn(report.warning);
 * ```
 */
export async function pruneModelFile(artifacts: tf.io.ModelArtifacts, args: PruneModelFileArgs): Promise<ModelFileResult<PruneReport>> {
  checkOptions(args, 'pruneModelFile: options must be an object of pruneModel\'s options and source?');
  const { source = 'the model', ...pruning } = args;
  return withModels(async (own) => {
    const model = own(await modelFromArtifacts(artifacts, source));
    const converted = findPrunableLayers(model).length === 0;
    const prunable = converted ? own(makePrunable(model)) : model;
    const layers = await aboutSubject('options', () => pruneModel(prunable, pruning));
    const optimizer = prunable.optimizer != null;
    if (optimizer) await maskOptimizerState(prunable);
    return {
      artifacts: await artifactsFromModel(prunable, undefined, optimizer),
      report: { source, model: model.name, converted, optimizer, layers, sparsity: overallSparsity(layers), warning: ONE_SHOT_WARNING },
    };
  });
}
