import * as tfl from '@tensorflow/tfjs-layers';
import type { PrunableLayer } from '../layers/prunable_layer';
import { isPrunableLayer, prunableClassFor } from '../layers/registry';
import { checkLayersModel, describeLayerOrValue } from './model_checks';

/**
 * Which prunable layers of a model an operation applies to: names or layer objects.
 *
 * ```js
 * pruneModel(model, {method: 'unit', sparsity: 0.5, layers: ['hidden1', model.getLayer('hidden2')]});
 * ```
 */
export type LayerSelection = ReadonlyArray<string | PrunableLayer>;

/**
 * Every prunable layer of `model` (PrunableDense, PrunableConv2D...), nested
 * models and wrappers (such as `tf.layers.timeDistributed`) included, in
 * model order and each once; or, with `selection`, those layers, each
 * checked to be a prunable layer of the model.
 *
 * ```js
 * findPrunableLayers(model).map((layer) => layer.sparsity()); // e.g. [0.9, 0.9, 0.5]
 * ```
 */
export function findPrunableLayers(model: tfl.LayersModel, selection?: LayerSelection): PrunableLayer[] {
  checkLayersModel(model, 'findPrunableLayers');
  const all = allLayers(model);
  const prunable = all.filter(isPrunableLayer);
  if (selection === undefined) return prunable;
  checkLayerSelection(selection);
  const chosen = selection.map((entry) => {
    const layer = typeof entry === 'string' ? all.find((l) => l.name === entry) : entry;
    if (layer == null || !all.includes(layer)) {
      throw new Error(`layers: the model has no layer ${typeof entry === 'string' ? `named '${entry}'` : `'${entry.name}'`}; ` +
        `its prunable layers are: ${prunable.map((l) => `'${l.name}'`).join(', ') || 'none'}.`);
    }
    if (!isPrunableLayer(layer)) {
      const wrapped = wrappedLayers(layer).filter(isPrunableLayer);
      throw new Error(`layers: '${layer.name}' is a ${layer.getClassName()}, not a prunable layer; ` + (wrapped.length > 0
        ? `name the prunable layers it wraps: ${wrapped.map((l) => `'${l.name}'`).join(', ')}.`
        : 'convert the model with makePrunable first.'));
    }
    return layer;
  });
  return [...new Set(chosen)];
}

/**
 * {@link findPrunableLayers}, but an error naming `caller` when the model
 * has no prunable layer at all: an operation that prunes would otherwise do
 * nothing, silently.
 */
export function requirePrunableLayers(model: tfl.LayersModel, caller: string, selection?: LayerSelection): PrunableLayer[] {
  const layers = findPrunableLayers(model, selection);
  if (layers.length === 0) {
    throw new Error(`${caller}: the model has no prunable layer to prune; build it with prunable layers ` +
      '(prunableDense instead of tf.layers.dense, prunableConv2d instead of tf.layers.conv2d...) or convert it with makePrunable.');
  }
  return layers;
}

/**
 * Throws a clear error unless `selection` is a {@link LayerSelection}: a
 * non-empty array of layer names and prunable layers.
 */
export function checkLayerSelection(selection: unknown, name = 'layers'): asserts selection is LayerSelection {
  if (!Array.isArray(selection)) {
    throw new TypeError(`${name} must be an array of layer names or prunable layers; received ${describeLayerOrValue(selection)}.`);
  }
  if (selection.length === 0) {
    throw new Error(`${name} must select at least one layer; received an empty array.`);
  }
  const bad = selection.findIndex((l) => typeof l !== 'string' && !isPrunableLayer(l));
  if (bad >= 0) {
    throw new TypeError(`${name}[${bad}] must be a layer name or a prunable layer; received ${describeLayerOrValue(selection[bad])}.`);
  }
}

/**
 * The layers that compute `model`'s outputs, descending into nested models
 * and wrappers, and back through the layers that make no units of their own
 * (an activation, dropout, BatchNormalization, a merge, Flatten...):
 * removing one of their units removes an output of the model (a class of a
 * classifier whose softmax is an `Activation` layer after its Dense).
 */
export function outputLayers(model: tfl.LayersModel): Set<tfl.layers.Layer> {
  const outputs = new Set<tfl.layers.Layer>();
  const makesUnits = (layer: tfl.layers.Layer) => isPrunableLayer(layer) || prunableClassFor(layer.getClassName()) !== undefined ||
    layer instanceof tfl.LayersModel || wrappedLayers(layer).length > 0;
  const visit = (layer: tfl.layers.Layer): void => {
    if (outputs.has(layer)) return;
    outputs.add(layer);
    if (layer instanceof tfl.LayersModel) layer.outputs.forEach((t) => visit(t.sourceLayer as tfl.layers.Layer));
    wrappedLayers(layer).forEach(visit);
    if (!makesUnits(layer)) layer.inboundNodes.forEach((node) => node.inboundLayers.forEach(visit));
  };
  model.outputs.forEach((t) => visit(t.sourceLayer as tfl.layers.Layer));
  return outputs;
}

/** Every layer of `model`, descending into nested models and wrappers, each once. */
export function allLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const seen = new Set<tfl.layers.Layer>();
  const visit = (layer: tfl.layers.Layer): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer instanceof tfl.LayersModel) layer.layers.forEach(visit);
    wrappedLayers(layer).forEach(visit);
  };
  model.layers.forEach(visit);
  return [...seen];
}

/**
 * The layers a wrapper computes with, whose weights are the wrapper's: the
 * wrapped `layer` of a `TimeDistributed`; the forward and backward copies of
 * a `Bidirectional`'s (its `layer` is only their template). None for other layers.
 */
export function wrappedLayers(layer: tfl.layers.Layer): tfl.layers.Layer[] {
  const wrapper = layer as unknown as { layer?: unknown; forwardLayer?: unknown; backwardLayer?: unknown };
  if (layer.getClassName() === 'Bidirectional') return [wrapper.forwardLayer, wrapper.backwardLayer] as tfl.layers.Layer[];
  return wrapper.layer instanceof tfl.layers.Layer ? [wrapper.layer] : [];
}
