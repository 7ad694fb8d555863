import * as tfl from '@tensorflow/tfjs-layers';
import { checkFraction, checkOptionNames, checkOptions } from '../checks';
import { checkLayersModel } from '../model/model_checks';
import { findPrunableLayers, LayerSelection, requirePrunableLayers } from '../model/prunable_layers';
import { LayerPruningReport, pruneLayers } from './prune_layer';
import { checkPruningMethod, PruningMethod } from './pruning_method';

/**
 * Options of {@link pruneModel}.
 *
 * ```js
 * const args = {method: 'weight', sparsity: 0.9, layers: ['hidden1', 'hidden2']};
 * ```
 */
export interface PruneModelArgs {
  /** `'weight'` (smallest |w| entries) or `'unit'` (smallest-norm output units: columns, filters). Default: `'weight'`, as in {@link PruningScheduleCallback}. */
  method?: PruningMethod;
  /** Target fraction of each layer's kernel (or units) to remove, in [0, 1]. */
  sparsity: number;
  /** The layers to prune, by name or object. Default: every prunable layer of the model, in nested models and wrappers too. */
  layers?: LayerSelection;
}

/**
 * One-shot pruning: raises the masks of each selected prunable layer to
 * `sparsity` at once, as the Stack Overflow answer "How to implement neural
 * network pruning?" prunes a trained network. Returns a report per layer.
 * Every mask is selected before any is set, so an error changes no layer; a
 * model without a prunable layer is an error, as in the callback.
 *
 * ```js
 * const report = pruneModel(model, {method: 'unit', sparsity: 0.5, layers: ['hidden1', 'hidden2']});
 * ```
 */
export function pruneModel(model: tfl.LayersModel, args: PruneModelArgs): LayerPruningReport[] {
  checkLayersModel(model, 'pruneModel');
  checkOptions(args, "pruneModel needs options {method?: 'weight' | 'unit', sparsity: number in [0, 1], layers?}");
  checkOptionNames(args, 'pruneModel', ['method', 'sparsity', 'layers']);
  const { method = 'weight', sparsity, layers } = args;
  checkPruningMethod(method);
  checkFraction(sparsity, 'sparsity');
  const selected = layers === undefined ? requirePrunableLayers(model, 'pruneModel') : findPrunableLayers(model, layers);
  return pruneLayers(selected, () => method, sparsity);
}
