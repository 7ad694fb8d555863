import { checkFraction, checkLength } from '../checks';
import { PrunableLayer, writeMaskUnchecked } from '../layers/prunable_layer';
import { selectMagnitudeMask, selectUnitMasks } from '../masks/mask_selection';
import { layoutSize, nonzeroPerUnit } from '../masks/unit_layout';
import { checkPrunableLayer } from '../model/model_checks';
import { NamedTensor, readFloat32 } from '../ops/float32_data';
import { checkPruningMethod, PruningMethod } from './pruning_method';

/**
 * The state of one masked weight of a layer.
 *
 * ```js
 * const {weight, shape, nonzero} = layerPruningReport(layer).masks[0]; // e.g. 'kernel', [5, 5, 1, 20], 250
 * ```
 */
export interface MaskReport {
  /** The weight's name (`'kernel'`, `'pointwise_kernel'`). */
  weight: string;
  /** The weight's shape. */
  shape: number[];
  /** Number of entries. */
  weights: number;
  /** Entries the mask keeps. */
  nonzero: number;
}

/**
 * The state of one prunable layer's masks.
 *
 * ```js
 * const {layer, className, nonzero, weights, sparsity, prunedUnits} = layerPruningReport(model.getLayer('conv1'));
 * ```
 */
export interface LayerPruningReport {
  /** The layer's name. */
  layer: string;
  /** The layer's class (`'PrunableConv2D'`). */
  className: string;
  /** Each masked weight, in the layer's order. */
  masks: MaskReport[];
  /** Entries of all masked weights. */
  weights: number;
  /** Entries the masks keep. */
  nonzero: number;
  /** Fraction of the masked entries the masks remove. */
  sparsity: number;
  /** Output units: a Dense's kernel columns, a convolution's output channels. */
  units: number;
  /** Units the masks remove entirely. */
  prunedUnits: number;
}

/**
 * Raises `layer`'s masks to `sparsity` by `method`, ranking the effective
 * weights (`weight ⊙ mask`): what is already pruned stays pruned, so a layer's
 * sparsity never goes down. `'weight'` prunes each masked weight to
 * `sparsity` by magnitude; `'unit'` prunes that fraction of the layer's
 * output units by the L2 norm of their entries in every weight that holds
 * them (the masks of weights that hold none, such as SeparableConv2D's
 * depthwise kernel, stay as they are).
 *
 * ```js
 * const report = pruneLayer(model.getLayer('conv2'), 'unit', 0.5); // half of its filters
 * ```
 */
export function pruneLayer(layer: PrunableLayer, method: PruningMethod, sparsity: number): LayerPruningReport {
  checkPrunableLayer(layer, 'pruneLayer');
  return setLayerMasks(layer, selectLayerMasks(layer, method, sparsity));
}

/**
 * Raises the masks of `layers` to `sparsity`, each by `methodOf(layer)`, as
 * {@link pruneLayer} does; every mask is selected before any is set, so an
 * error (a NaN kernel, say) changes no layer.
 *
 * ```js
 * pruneLayers(findPrunableLayers(model), () => 'weight', 0.8);
 * ```
 */
export function pruneLayers(layers: readonly PrunableLayer[], methodOf: (layer: PrunableLayer) => PruningMethod,
  sparsity: number): LayerPruningReport[] {
  const masks = layers.map((layer) => selectLayerMasks(layer, methodOf(layer), sparsity));
  return layers.map((layer, i) => setLayerMasks(layer, masks[i]));
}

/**
 * The masks {@link pruneLayer} would set, one per masked weight in the
 * layer's order (null: unchanged), computed without changing the layer.
 */
export function selectLayerMasks(layer: PrunableLayer, method: PruningMethod, sparsity: number): Array<Float32Array | null> {
  checkLayerMethod(layer, method);
  checkFraction(sparsity, 'sparsity');
  const masked = layer.maskedWeights;
  const inputs: NamedTensor[] = masked.flatMap((m) => [
    { tensor: m.weight.read(), name: m.name }, { tensor: m.mask.read(), name: `${m.name} mask` },
  ]);
  try {
    // Selection only reads its inputs: no copies of the weights and masks.
    return readFloat32(inputs, (...values) => {
      if (method === 'weight') return masked.map((_, i) => selectMagnitudeMask(values[2 * i], sparsity, values[2 * i + 1]));
      const carriers = masked.flatMap((m, i) => (m.units === null ? [] : [{ values: values[2 * i], layout: m.units, currentMask: values[2 * i + 1] }]));
      const selected = selectUnitMasks(carriers, sparsity);
      return masked.map((m) => (m.units === null ? null : selected.shift()!));
    });
  } catch (error) {
    // Say which layer's weight is bad (a NaN after diverged training, say).
    if (error instanceof Error) error.message = `${layer.getClassName()} '${layer.name}': ${error.message}`;
    throw error;
  }
}

/**
 * Throws unless `method` is a pruning method `layer` takes: a kind may refuse
 * `'unit'` (the recurrent layers do), saying why.
 */
export function checkLayerMethod(layer: PrunableLayer, method: PruningMethod): void {
  checkPruningMethod(method);
  const refusal = layer.kind.unitPruningRefusal;
  if (method === 'unit' && refusal !== undefined) {
    throw new Error(`${layer.getClassName()} '${layer.name}' cannot be pruned by 'unit': ${refusal}.`);
  }
}

/**
 * Sets masks from {@link selectLayerMasks} on `layer` and reports the
 * result. Such masks are 0/1 and of the right size by construction, so they
 * are written without `setMask`'s checks and copy; the layer may keep the arrays.
 */
export function setLayerMasks(layer: PrunableLayer, masks: ReadonlyArray<Float32Array | null>): LayerPruningReport {
  layer.maskedWeights.forEach((m, i) => {
    const mask = masks[i];
    if (mask === null) return;
    checkLength(mask.length, m.mask.read().size, `mask of '${m.name}'`, 'the weight\'s size');
    writeMaskUnchecked(layer, m.name, mask);
  });
  return layerPruningReport(layer);
}

/**
 * Reads the report of `layer`'s current masks.
 *
 * ```js
 * layerPruningReport(model.getLayer('hidden1')).sparsity; // e.g. 0.9
 * ```
 */
export function layerPruningReport(layer: PrunableLayer): LayerPruningReport {
  checkPrunableLayer(layer, 'layerPruningReport');
  const masks: MaskReport[] = [];
  let unitsKept: Uint32Array | null = null;
  for (const m of layer.maskedWeights) {
    const values = m.mask.read().dataSync();
    let nonzero = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonzero++;
    masks.push({ weight: m.name, shape: m.mask.shape as number[], weights: values.length, nonzero });
    if (m.units !== null && layoutSize(m.units) > 0) {
      const kept = nonzeroPerUnit(values, m.units);
      unitsKept = unitsKept === null ? kept : unitsKept.map((n, u) => n + kept[u]);
    }
  }
  const weights = masks.reduce((n, m) => n + m.weights, 0);
  const nonzero = masks.reduce((n, m) => n + m.nonzero, 0);
  const units = layer.maskedWeights.find((m) => m.units !== null)?.units?.units ?? 0;
  return {
    layer: layer.name,
    className: layer.getClassName(),
    masks,
    weights,
    nonzero,
    sparsity: weights === 0 ? 0 : 1 - nonzero / weights,
    units,
    prunedUnits: unitsKept === null ? 0 : unitsKept.filter((n) => n === 0).length,
  };
}
