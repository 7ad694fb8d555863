import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkToSparseModelArgs, sparseCopy, ToSparseModelArgs } from '../transforms/to_sparse_model';
import { loadCheckedModel } from './load_prunable_model';

/**
 * Loads a saved model and returns its {@link toSparseModel} copy, in one
 * call: what a deployed app does with a weight-pruned model saved by
 * `stripPruning(...).save(...)` (or a still-prunable one). The loaded dense
 * model is disposed; loading fails as {@link loadPrunableModel} does (its
 * errors name loadSparseModel), leaving nothing behind. `options` are `tf.loadLayersModel`'s.
 *
 * ```js
 * const model = await loadSparseModel('https://example.com/pruned/model.json', {minSparsity: 0.7});
 * const y = model.predict(x);
 * ```
 */
export async function loadSparseModel(pathOrIOHandler: string | tf.io.IOHandler, args: ToSparseModelArgs = {},
  options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  const minSparsity = checkToSparseModelArgs(args, 'loadSparseModel');
  const dense = await loadCheckedModel(pathOrIOHandler, options, 'loadSparseModel');
  try {
    return await sparseCopy(dense, minSparsity);
  } finally {
    dense.dispose();
  }
}
