import * as tfl from '@tensorflow/tfjs-layers';

/** Throws a clear error naming `caller` unless `model` is a LayersModel (Sequential or functional). */
export function checkLayersModel(model: unknown, caller: string): asserts model is tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) {
    const className = model != null && typeof model === 'object' ? model.constructor?.name : undefined;
    const received = model === null || typeof model !== 'object' ? String(model)
      : className != null && className !== 'Object' ? `a ${className}` : 'a plain object';
    throw new TypeError(`${caller}: model must be a tf.LayersModel (from tf.sequential, tf.model or ` +
      `tf.loadLayersModel); received ${received}.`);
  }
}
