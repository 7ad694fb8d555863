import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import { prunableClassFor } from '../layers/registry';
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
   * Chooses the layers to convert: called with each layer of the model that
   * has a prunable kind (Dense, Conv1D, Conv2D, Conv2DTranspose,
   * DepthwiseConv2D, SeparableConv2D, Embedding, SimpleRNN, LSTM, GRU; in
   * nested models and wrappers too, a Bidirectional's forward and backward
   * copies each), it returns true to convert it. A Bidirectional builds both
   * copies from one config: it must choose both or neither. Default: every such layer.
   */
  filter?: (layer: tfl.layers.Layer) => boolean;
}

/**
 * A copy of `model` in which every layer of a prunable kind (Dense, Conv1D,
 * Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, Embedding,
 * SimpleRNN, LSTM, GRU), or each one `filter` selects, is its prunable class
 * (a Dense a {@link PrunableDense}, an LSTM a {@link PrunableLSTM}...) with
 * the same name, config and weights and masks of ones, so the copy computes
 * the same outputs. Works for Sequential and functional models, nested
 * models and layers inside a `tf.layers.timeDistributed` or a
 * `tf.layers.bidirectional` (both directions) included; `model` is left
 * untouched. As with tfmot's `prune_low_magnitude`, compile the copy to train it.
 *
 * ```js
 * const prunable = makePrunable(trained, {filter: (layer) => layer.name !== 'logits'});
 * pruneModel(prunable, {method: 'weight', sparsity: 0.8});
 * ```
 */
export function makePrunable(model: tfl.LayersModel, args: MakePrunableArgs = {}): tfl.LayersModel {
  checkLayersModel(model, 'makePrunable');
  checkOptions(args, 'makePrunable: options must be an object {filter?}');
  checkOptionNames(args, 'makePrunable', ['filter']);
  const { filter } = args;
  if (filter !== undefined && typeof filter !== 'function') {
    throw new TypeError(`makePrunable: filter must be a function (layer) => boolean; received ${describeValue(filter)}.`);
  }
  return rebuildModel(model, {
    selects: (layer) => prunableClassFor(layer.getClassName()) !== undefined && (filter === undefined || Boolean(filter(layer))),
    className: (layer) => prunableClassFor(layer.getClassName())!.className,
    // The plain layer's weights, then a mask of ones for each masked weight (the prunable layer's weights).
    weights: (layer) => {
      const shapes = new Map(layer.weights.map((w) => [w.originalName.slice(w.originalName.lastIndexOf('/') + 1), w.shape as number[]]));
      const masks = prunableClassFor(layer.getClassName())!.kind.maskedWeights.map((m) => tf.ones(shapes.get(m.weight)!, 'float32'));
      return [...layer.getWeights(), ...masks];
    },
  });
}
