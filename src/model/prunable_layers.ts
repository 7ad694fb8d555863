import * as tfl from '@tensorflow/tfjs-layers';
import { PrunableDense } from '../layers/prunable_dense';

/**
 * Which PrunableDense layers of a model an operation applies to: names or layer objects.
 *
 * ```js
 * pruneModel(model, {method: 'unit', sparsity: 0.5, layers: ['hidden1', model.getLayer('hidden2')]});
 * ```
 */
export type LayerSelection = ReadonlyArray<string | PrunableDense>;

/**
 * Every PrunableDense layer of `model`, nested models included, in model
 * order and each once; or, with `selection`, those layers, each checked to be
 * a PrunableDense of the model.
 *
 * ```js
 * findPrunableLayers(model).map((layer) => layer.sparsity()); // e.g. [0.9, 0.9, 0.5]
 * ```
 */
export function findPrunableLayers(model: tfl.LayersModel, selection?: LayerSelection): PrunableDense[] {
  const all = allLayers(model);
  const prunable = all.filter((l): l is PrunableDense => l instanceof PrunableDense);
  if (selection == null) return prunable;
  if (!Array.isArray(selection)) {
    throw new TypeError(`layers must be an array of layer names or PrunableDense layers; received ${typeof selection}.`);
  }
  const chosen = selection.map((entry) => {
    const layer = typeof entry === 'string' ? all.find((l) => l.name === entry) : entry;
    if (layer == null || !all.includes(layer)) {
      throw new Error(`layers: the model has no layer ${typeof entry === 'string' ? `named '${entry}'` : `'${entry.name}'`}; ` +
        `its PrunableDense layers are: ${prunable.map((l) => `'${l.name}'`).join(', ') || 'none'}.`);
    }
    if (!(layer instanceof PrunableDense)) {
      throw new Error(`layers: '${layer.name}' is a ${layer.getClassName()}, not a PrunableDense; ` +
        'convert the model with makePrunable first.');
    }
    return layer;
  });
  return [...new Set(chosen)];
}

/** Every layer of `model`, descending into nested models, each once. */
export function allLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const seen = new Set<tfl.layers.Layer>();
  const visit = (layer: tfl.layers.Layer): void => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer instanceof tfl.LayersModel) layer.layers.forEach(visit);
  };
  model.layers.forEach(visit);
  return [...seen];
}
