import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PrunableDense } from '../layers/prunable_dense';
import { checkLayersModel } from './check_model';
import { rebuildModel } from './rebuild_model';

/**
 * Options of {@link makePrunable}.
 *
 * ```js
 * const args = {filter: (layer) => layer.name.startsWith('hidden')}; // converts only the hidden layers
 * ```
 */
export interface MakePrunableArgs {
  /**
   * Chooses the Dense layers to convert: called with each Dense layer of the
   * model (nested models included), it returns true to convert it.
   * Default: every Dense layer.
   */
  filter?: (layer: tfl.layers.Layer) => boolean;
}

/**
 * A copy of `model` in which every `Dense` layer, or each one `filter`
 * selects, is a {@link PrunableDense} with the same name, config and weights
 * and a mask of ones, so the copy computes the same outputs. Works for
 * Sequential and functional models, nested models included; `model` is left
 * untouched. As with tfmot's `prune_low_magnitude`, compile the copy to train it.
 *
 * Dense layers inside wrappers such as `tf.layers.timeDistributed` stay Dense.
 *
 * ```js
 * const prunable = makePrunable(trained, {filter: (layer) => layer.name !== 'logits'});
 * pruneModel(prunable, {method: 'weight', sparsity: 0.8});
 * ```
 */
export function makePrunable(model: tfl.LayersModel, args: MakePrunableArgs = {}): tfl.LayersModel {
  checkLayersModel(model, 'makePrunable');
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new TypeError(`makePrunable: options must be an object {filter?}; received ${args === null ? 'null' : typeof args}.`);
  }
  const { filter } = args;
  if (filter !== undefined && typeof filter !== 'function') {
    throw new TypeError(`makePrunable: filter must be a function (layer) => boolean; received ${typeof filter}.`);
  }
  return rebuildModel(model, {
    selects: (layer) => layer.getClassName() === 'Dense' && (filter === undefined || Boolean(filter(layer))),
    className: PrunableDense.className,
    // Dense's weights are [kernel, bias?]; PrunableDense's are [kernel, bias?, mask].
    weights: (layer) => {
      const weights = layer.getWeights();
      return [...weights, tf.ones(weights[0].shape, 'float32')];
    },
  });
}
