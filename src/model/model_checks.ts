import * as tfl from '@tensorflow/tfjs-layers';
import { describeValue } from '../checks';
import type { PrunableLayer } from '../layers/prunable_layer';
import { isPrunableLayer, plainClassNames } from '../layers/registry';

/**
 * Renders a received value for an error message as {@link describeValue}
 * does, but a layer as its class and name (`a Dense layer 'dense_1'`).
 */
export function describeLayerOrValue(value: unknown): string {
  return value instanceof tfl.layers.Layer ? `a ${value.getClassName()} layer '${value.name}'` : describeValue(value);
}

/** Throws a clear error naming `caller` unless `model` is a LayersModel (Sequential or functional). */
export function checkLayersModel(model: unknown, caller: string): asserts model is tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) {
    throw new TypeError(`${caller}: model must be a tf.LayersModel (from tf.sequential, tf.model or ` +
      `tf.loadLayersModel); received ${describeValue(model)}.`);
  }
}

/** Throws a clear error naming `caller` unless `layer` is a prunable layer (PrunableDense, PrunableConv2D...). */
export function checkPrunableLayer(layer: unknown, caller: string): asserts layer is PrunableLayer {
  if (!isPrunableLayer(layer)) {
    throw new TypeError(`${caller}: layer must be a prunable layer (such as prunableDense or prunableConv2d, or from ` +
      `makePrunable, which converts ${plainClassNames()}); received ${describeLayerOrValue(layer)}.`);
  }
}
