import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkOptions, describeValue } from '../checks';
import { PrunableDense } from '../layers/prunable_dense';
import { checkLayersModel } from '../model/model_checks';
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
   * model (in nested models and wrappers too), it returns true to convert it.
   * Default: every Dense layer.
   */
  filter?: (layer: tfl.layers.Layer) => boolean;
}

/**
 * A copy of `model` in which every `Dense` layer, or each one `filter`
 * selects, is a {@link PrunableDense} with the same name, config and weights
 * and a mask of ones, so the copy computes the same outputs. Works for
 * Sequential and functional models, nested models and Dense layers inside a
 * `tf.layers.timeDistributed` included (a `tf.layers.bidirectional` around a
 * selected Dense is refused); `model` is left untouched. As with tfmot's
 * `prune_low_magnitude`, compile the copy to train it.
 *
 * ```js
 * const prunable = makePrunable(trained, {filter: (layer) => layer.name !== 'logits'});
 * pruneModel(prunable, {method: 'weight', sparsity: 0.8});
 * ```
 */
export function makePrunable(model: tfl.LayersModel, args: MakePrunableArgs = {}): tfl.LayersModel {
  checkLayersModel(model, 'makePrunable');
  checkOptions(args, 'makePrunable: options must be an object {filter?}');
  const { filter } = args;
  if (filter !== undefined && typeof filter !== 'function') {
    throw new TypeError(`makePrunable: filter must be a function (layer) => boolean; received ${describeValue(filter)}.`);
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
