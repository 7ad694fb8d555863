import * as tfl from '@tensorflow/tfjs-layers';
import { checkFraction, checkOptionNames, checkOptions, describeValue, Fraction } from '../checks';
import type { PrunableLayer } from '../layers/prunable_layer';
import { checkLayersModel, checkPrunableLayer } from '../model/model_checks';
import { findPrunableLayers, LayerSelection, outputLayers, requirePrunableLayers } from '../model/prunable_layers';
import { pruneTargets } from './prune_channels';
import { LayerPruningReport, LayerTarget, pruneLayers } from './prune_layer';
import { checkPruningMethod, methodList, PruningMethod, removesUnits } from './pruning_method';
import { resolveSelection, Selection, SELECTION_OPTIONS, SelectionArgs } from './selection_options';

/**
 * Options of {@link pruneModel}.
 *
 * ```js
 * const args = {method: 'weight', sparsity: 0.9, layers: ['hidden1', 'hidden2']};
 * const perLayer = {sparsity: {conv1: 0.5, conv2: 0.8, dense: 0.95}};
 * ```
 */
export interface PruneModelArgs extends SelectionArgs {
  /** How the layers choose what to prune: a {@link PruningMethod}. Default: `'weight'`, as in {@link PruningScheduleCallback}. */
  method?: PruningMethod;
  /**
   * Target sparsity in [0, 1]: the fraction of each layer's masked entries
   * to remove (`'weight'`, `'random'`), of its units (`'unit'`), of its blocks
   * (with `blockShape`), or of all the selected layers' together (scope
   * `'global'`). Or an object mapping layer names to sparsities: only the
   * layers it names are pruned, each to its own. Required, except for
   * `'nm'`, whose pattern sets the sparsity `1 - n/m` (leave it out).
   */
  sparsity?: number | Readonly<Record<string, number>>;
  /**
   * The layers to prune, by name or object. Default: every prunable layer of
   * the model, in nested models and wrappers too, but, for `'unit'`, the
   * layers that compute the model's outputs (pruning their units would remove
   * outputs, such as classes) unless a per-layer `sparsity` names them.
   */
  layers?: LayerSelection;
}

/**
 * Options of {@link pruneLayer}: those of {@link pruneModel} but `layers`.
 *
 * ```js
 * const args = {method: 'unit', sparsity: 0.5};
 * ```
 */
export type PruneLayerArgs = Omit<PruneModelArgs, 'layers'>;

const OPTIONS = ['method', 'sparsity', 'layers', ...SELECTION_OPTIONS];
const LAYER_OPTIONS = OPTIONS.filter((option) => option !== 'layers');

/**
 * One-shot pruning: raises the masks of each selected prunable layer to
 * `sparsity` at once, as the Stack Overflow answer "How to implement neural
 * network pruning?" prunes a trained network. Returns a report per layer.
 * Every mask is selected before any is set, so an error changes no layer; a
 * model without a prunable layer is an error, as in the callback.
 *
 * ```js
 * const report = pruneModel(model, {method: 'unit', sparsity: 0.5, layers: ['hidden1', 'hidden2']});
 * pruneModel(model, {sparsity: 0.9, scope: 'global'}); // one threshold over all layers
 * pruneModel(model, {method: 'nm', n: 2, m: 4});        // 2:4 sparsity
 * ```
 */
export function pruneModel(model: tfl.LayersModel, args: PruneModelArgs): LayerPruningReport[] {
  checkLayersModel(model, 'pruneModel');
  const pruning = resolvePruning(args, 'pruneModel', OPTIONS);
  const { layers } = args;
  const selected = layers === undefined
    ? withoutOutputLayers(model, requirePrunableLayers(model, 'pruneModel'), () => pruning.method, (layer) => pruning.named.includes(layer.name), 'pruneModel')
    : findPrunableLayers(model, layers);
  // Layers named (by layers or a sparsity map) whose channels cannot go are errors; else such groups stay as they are.
  return pruneTargets(model, pruning.targets(selected), pruning.selection, layers !== undefined || typeof args.sparsity === 'object');
}

/**
 * One-shot pruning of one layer, with {@link pruneModel}'s options (but
 * `layers`): raises `layer`'s masks to `sparsity` by `method`, ranking the
 * effective weights (`weight ⊙ mask`): what is already pruned stays pruned,
 * so a layer's sparsity never goes down. `'weight'` prunes each masked
 * weight to `sparsity` by magnitude; `'unit'` prunes that fraction of the
 * layer's output units by the L2 norm of their entries in every weight that
 * holds them (the masks of weights that hold none, such as
 * SeparableConv2D's depthwise kernel, stay as they are); `'random'` prunes
 * each masked weight to `sparsity` at random.
 *
 * ```js
 * const report = pruneLayer(model.getLayer('conv2'), {method: 'unit', sparsity: 0.5}); // half of its filters
 * pruneLayer(model.getLayer('dense'), {method: 'nm', n: 2, m: 4});
 * ```
 */
export function pruneLayer(layer: PrunableLayer, args: PruneLayerArgs): LayerPruningReport {
  checkPrunableLayer(layer, 'pruneLayer');
  if (typeof args === 'string') {
    const sparsity: unknown = arguments[2];
    throw new TypeError(`pruneLayer takes options, as pruneModel does: pruneLayer(layer, {method: ${JSON.stringify(args)}, ` +
      `sparsity: ${typeof sparsity === 'number' ? sparsity : '...'}}); the form pruneLayer(layer, method, sparsity) is gone.`);
  }
  const pruning = resolvePruning(args, 'pruneLayer', LAYER_OPTIONS);
  return pruneLayers(pruning.targets([layer]), pruning.selection)[0];
}

/** {@link pruneModel}'s options checked: the selection, and the targets they make of the selected layers. */
interface Pruning {
  method: PruningMethod;
  /** The layers a per-layer sparsity names. */
  named: readonly string[];
  selection: Selection;
  targets(selected: readonly PrunableLayer[]): LayerTarget[];
}

/** Checks the options of `caller` (which takes the option `names`), once for the whole call. */
function resolvePruning(args: PruneModelArgs, caller: string, names: readonly string[]): Pruning {
  checkOptions(args, `${caller} needs options {method?: ${methodList().replace(/, /g, ' | ')}, ` +
    `sparsity: a number in [0, 1] or {[layer]: number}, ${names.includes('layers') ? 'layers?, ' : ''}scope?, n?, m?, seed?, blockShape?, roundTo?}`);
  checkOptionNames(args, caller, names);
  const { method = 'weight', sparsity } = args;
  checkPruningMethod(method);
  const selection = resolveSelection(args, [method]);
  if (method === 'nm') {
    // n <= m, checked with the selection: a fraction.
    const nmSparsity = (1 - selection.n / selection.m) as Fraction;
    if (sparsity !== undefined) {
      throw new Error(`sparsity does not apply to method 'nm', whose pattern sets it (1 - n/m = ${nmSparsity}); ` +
        `received ${typeof sparsity === 'number' ? sparsity : describeValue(sparsity)}. Leave it out.`);
    }
    return { method, named: [], selection, targets: (selected) => selected.map((layer) => ({ layer, method, sparsity: nmSparsity })) };
  }
  if (typeof sparsity === 'number') {
    checkFraction(sparsity, 'sparsity');
    return { method, named: [], selection, targets: (selected) => selected.map((layer) => ({ layer, method, sparsity })) };
  }
  if (sparsity === null || typeof sparsity !== 'object' || Array.isArray(sparsity)) {
    throw new TypeError('sparsity must be a number in [0, 1] or an object mapping layer names to such numbers; ' +
      `received ${describeValue(sparsity)}.`);
  }
  const perLayer: Record<string, Fraction> = {};
  for (const [name, value] of Object.entries(sparsity)) {
    checkFraction(value, `sparsity['${name}']`);
    perLayer[name] = value;
  }
  if (selection.scope === 'global') {
    throw new Error("scope 'global' ranks all the selected layers to one sparsity: give sparsity as a number, " +
      "or per-layer sparsities with scope 'layer'.");
  }
  return {
    method,
    named: Object.keys(perLayer),
    selection,
    targets: (selected) => layersNamed(perLayer, selected, 'sparsity').map((layer) => ({ layer, method, sparsity: perLayer[layer.name] })),
  };
}

/**
 * `layers` (a model's prunable layers, selected by default) without the
 * layers that compute `model`'s outputs and whose method removes units,
 * unless `named` (by a per-layer option): unit pruning there would remove
 * outputs. An error when that leaves none, saying how to prune them anyway.
 */
export function withoutOutputLayers(model: tfl.LayersModel, layers: readonly PrunableLayer[], methodOf: (layer: PrunableLayer) => PruningMethod,
  named: (layer: PrunableLayer) => boolean, caller: string): PrunableLayer[] {
  const outputs = outputLayers(model);
  const kept = layers.filter((layer) => !outputs.has(layer) || !removesUnits(methodOf(layer)) || named(layer));
  if (kept.length === 0) {
    throw new Error(`${caller}: pruning units of the layers that compute the model's outputs would remove outputs, so by default ` +
      `${methodList([...new Set(layers.map(methodOf))])} leaves them alone, and the model has no other prunable layer; to prune them anyway, ` +
      `name them: layers: [${layers.map((l) => `'${l.name}'`).join(', ')}].`);
  }
  return kept;
}

/**
 * The layers of `selected` that `map`'s keys name, in `selected`'s order;
 * an error for a map without keys or with a key that names none of them.
 * `option` is the map's name in the messages, `what` says what `selected` are.
 */
export function layersNamed(map: object, selected: readonly PrunableLayer[], option: string, what = 'selected'): PrunableLayer[] {
  const names = Object.keys(map);
  const known = selected.map((l) => `'${l.name}'`).join(', ');
  if (names.length === 0) throw new Error(`${option} must name at least one layer; received an empty object. The ${what} layers are ${known}.`);
  const unknown = names.filter((name) => !selected.some((l) => l.name === name));
  if (unknown.length > 0) {
    const one = unknown.length === 1;
    throw new Error(`${option} names ${unknown.map((n) => `'${n}'`).join(', ')}, which ${one ? `is not a ${what} layer` : `are not ${what} layers`}; ` +
      `the ${what} layers are ${known}.`);
  }
  return selected.filter((l) => names.includes(l.name));
}
