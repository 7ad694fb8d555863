import * as tfl from '@tensorflow/tfjs-layers';
import { PrunableDense } from '../layers/prunable_dense';
import { checkLayersModel } from '../model/model_checks';
import { maskedKernel } from './masked_kernel';
import { rebuildModel } from './rebuild_model';

/**
 * The model to deploy, as tfmot's `strip_pruning`: a copy of `model` in which
 * every {@link PrunableDense} (in nested models and inside a
 * `tf.layers.timeDistributed` too; a `tf.layers.bidirectional` around one is
 * refused) is a plain `Dense`
 * with the same name and config, whose kernel is `kernel ⊙ mask` (pruned
 * entries +0, never -0, so that a saved weights.bin compresses well) and whose bias is unchanged. The
 * copy computes the same outputs, names no PrunableDense in its saved JSON,
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
    selects: (layer) => layer instanceof PrunableDense,
    className: 'Dense',
    weights: (layer) => {
      const { kernel, bias, mask } = (layer as PrunableDense).weightVariables;
      const folded = maskedKernel(kernel.read(), mask.read());
      return bias == null ? [folded] : [folded, bias.read()];
    },
  });
}
