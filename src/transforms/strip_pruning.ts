import * as tfl from '@tensorflow/tfjs-layers';
import type { PrunableLayer } from '../layers/prunable_layer';
import { isPrunableLayer } from '../layers/registry';
import { checkLayersModel } from '../model/model_checks';
import { effectiveWeights } from './effective_weights';
import { rebuildModel } from './rebuild_model';

/**
 * The model to deploy, as tfmot's `strip_pruning`: a copy of `model` in which
 * every prunable layer (in nested models and inside a
 * `tf.layers.timeDistributed` or a `tf.layers.bidirectional` too) is its
 * plain tf.layers class (a PrunableDense a `Dense`, a PrunableLSTM an
 * `LSTM`...) with the same name and config, whose masked
 * weights are `weight ⊙ mask` (pruned entries +0, never -0, so that a saved
 * weights.bin compresses well) and whose other weights are unchanged. The
 * copy computes the same outputs, names no prunable class in its saved JSON,
 * and so loads with `tf.loadLayersModel` without this library. `model` is
 * left untouched.
 *
 * ```js
 * const deployable = stripPruning(model);
 * await deployable.save('file://./model-for-the-web');
 * ```
 */
export function stripPruning(model: tfl.LayersModel): tfl.LayersModel {
  checkLayersModel(model, 'stripPruning');
  return rebuildModel(model, {
    selects: isPrunableLayer,
    className: (layer) => (layer as PrunableLayer).plainClassName,
    weights: effectiveWeights,
  });
}
