import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeValue } from '../checks';
import { checkPrunableArtifacts } from './check_prunable_artifacts';

/**
 * `tf.loadLayersModel` for models with PrunableDense layers, from any URL or
 * IOHandler (`'file://…'` in Node with `tfjs-prune/node`, `'http…'`,
 * `'indexeddb://…'`, `tf.io.fromMemory(…)`). Before TF.js builds the model it
 * checks what it loaded and fails with a clear error, creating nothing, when
 * PrunableDense is not registered (TF.js alone says `Unknown layer: PrunableDense.`),
 * when the weight data is shorter or longer than its specs, or when a mask
 * has the wrong shape or holds values other than 0 and 1. `options` are
 * `tf.loadLayersModel`'s.
 *
 * ```js
 * const model = await loadPrunableModel('https://example.com/pruned/model.json');
 * ```
 */
export async function loadPrunableModel(
  pathOrIOHandler: string | tf.io.IOHandler,
  options?: tf.io.LoadOptions,
): Promise<tfl.LayersModel> {
  const handler = resolveLoadHandler(pathOrIOHandler, options);
  const source = typeof pathOrIOHandler === 'string' ? `'${pathOrIOHandler}'` : 'the model artifacts';
  const checked: tf.io.IOHandler = {
    load: async () => {
      const artifacts = await (handler.load as tf.io.LoadHandler)();
      checkPrunableArtifacts(artifacts, source);
      return artifacts;
    },
  };
  return tfl.loadLayersModel(checked, options);
}

/** The handler `tf.loadLayersModel` would use for `pathOrIOHandler`, resolved the same way. */
function resolveLoadHandler(pathOrIOHandler: string | tf.io.IOHandler, options?: tf.io.LoadOptions): tf.io.IOHandler {
  if (typeof pathOrIOHandler !== 'string') {
    if (pathOrIOHandler == null || typeof pathOrIOHandler.load !== 'function') {
      throw new TypeError('loadPrunableModel: pathOrIOHandler must be a URL string or an IOHandler with a load method; ' +
        `received ${describeValue(pathOrIOHandler)}.`);
    }
    return pathOrIOHandler;
  }
  const handlers = tf.io.getLoadHandlers(pathOrIOHandler, options);
  if (handlers.length > 1) {
    throw new Error(`loadPrunableModel: ${handlers.length} load handlers match '${pathOrIOHandler}'; ` +
      'TensorFlow.js needs exactly one (is a file:// router registered twice?).');
  }
  return handlers[0] ?? tf.io.http(pathOrIOHandler, options);
}
