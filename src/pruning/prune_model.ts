import * as tfl from '@tensorflow/tfjs-layers';
import { checkFraction, checkOptions } from '../checks';
import { checkLayersModel } from '../model/model_checks';
import { findPrunableLayers, LayerSelection } from '../model/prunable_layers';
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
  /** `'weight'` (smallest |w| entries) or `'unit'` (smallest-norm output units: columns, filters). */
  method: PruningMethod;
  /** Target fraction of each layer's kernel (or units) to remove, in [0, 1]. */
  sparsity: number;
  /** The layers to prune, by name or object. Default: every prunable layer of the model, in nested models and wrappers too. */
  layers?: LayerSelection;
}

/**
 * One-shot pruning: raises the masks of each selected prunable layer to
 * `sparsity` at once, as the Stack Overflow answer "How to implement neural
 * network pruning?" prunes a trained network. Returns a report per layer.
 * Every mask is selected before any is set, so an error changes no layer.
 *
 * ```js
 * const report = pruneModel(model, {method: 'unit', sparsity: 0.5, layers: ['hidden1', 'hidden2']});
 * ```
 */
export function pruneModel(model: tfl.LayersModel, args: PruneModelArgs): LayerPruningReport[] {
  checkLayersModel(model, 'pruneModel');
  checkOptions(args, "pruneModel needs options {method: 'weight' | 'unit', sparsity: number in [0, 1], layers?}");
  checkPruningMethod(args.method);
  checkFraction(args.sparsity, 'sparsity');
  return pruneLayers(findPrunableLayers(model, args.layers), () => args.method, args.sparsity);
}
