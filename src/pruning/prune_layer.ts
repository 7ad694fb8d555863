import { PrunableDense, writeMaskUnchecked } from '../layers/prunable_dense';
import { checkFraction, checkLength } from '../checks';
import { nonzeroPerColumn } from '../masks/column_counts';
import { selectMagnitudeMask, selectUnitMask } from '../masks/mask_selection';
import { checkPrunableDense } from '../model/model_checks';
import { readFloat32 } from '../ops/float32_data';
import { checkPruningMethod, PruningMethod } from './pruning_method';

/**
 * The state of one PrunableDense layer's mask.
 *
 * ```js
 * const {layer, nonzero, weights, sparsity, prunedUnits} = layerPruningReport(model.getLayer('hidden1'));
 * ```
 */
export interface LayerPruningReport {
  /** The layer's name. */
  layer: string;
  /** Kernel shape `[inputDim, units]`. */
  kernelShape: [number, number];
  /** Number of kernel entries. */
  weights: number;
  /** Kernel entries the mask keeps. */
  nonzero: number;
  /** Fraction of kernel entries the mask removes. */
  sparsity: number;
  /** Units (kernel columns) the mask removes entirely. */
  prunedUnits: number;
}

/**
 * Raises `layer`'s mask to `sparsity` by `method`, ranking the effective
 * weights (`kernel ⊙ mask`): what is already pruned stays pruned, so a layer's
 * sparsity never goes down.
 *
 * ```js
 * const report = pruneLayer(model.getLayer('hidden1'), 'unit', 0.5); // half of its units
 * ```
 */
export function pruneLayer(layer: PrunableDense, method: PruningMethod, sparsity: number): LayerPruningReport {
  checkPrunableDense(layer, 'pruneLayer');
  return setLayerMask(layer, selectLayerMask(layer, method, sparsity));
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
export function pruneLayers(layers: readonly PrunableDense[], methodOf: (layer: PrunableDense) => PruningMethod,
  sparsity: number): LayerPruningReport[] {
  const masks = layers.map((layer) => selectLayerMask(layer, methodOf(layer), sparsity));
  return layers.map((layer, i) => setLayerMask(layer, masks[i]));
}

/** The mask {@link pruneLayer} would set, computed without changing the layer. */
export function selectLayerMask(layer: PrunableDense, method: PruningMethod, sparsity: number): Float32Array {
  checkPruningMethod(method);
  checkFraction(sparsity, 'sparsity');
  const { kernel, mask } = layer.weightVariables;
  const [rows, cols] = kernel.shape as [number, number];
  const inputs = [{ tensor: kernel.read(), name: 'kernel' }, { tensor: mask.read(), name: 'mask' }];
  try {
    // Selection only reads its inputs: no copies of the kernel and mask.
    return readFloat32(inputs, (weights, current) =>
      method === 'weight'
        ? selectMagnitudeMask(weights, sparsity, current)
        : selectUnitMask(weights, rows, cols, sparsity, current));
  } catch (error) {
    // Say which layer's kernel is bad (a NaN after diverged training, say).
    if (error instanceof Error) error.message = `PrunableDense '${layer.name}': ${error.message}`;
    throw error;
  }
}

/**
 * Sets a mask from {@link selectLayerMask} on `layer` and reports the result.
 * Such a mask is 0/1 and of the right size by construction, so it is written
 * without `setMask`'s checks and copy; the layer may keep the array.
 */
export function setLayerMask(layer: PrunableDense, mask: Float32Array): LayerPruningReport {
  const [rows, cols] = layer.weightVariables.mask.shape as [number, number];
  checkLength(mask.length, rows * cols, 'mask', 'the kernel\'s size');
  writeMaskUnchecked(layer, mask);
  return reportOfMask(layer.name, rows, cols, mask);
}

/**
 * Reads the report of `layer`'s current mask.
 *
 * ```js
 * layerPruningReport(model.getLayer('hidden1')).sparsity; // e.g. 0.9
 * ```
 */
export function layerPruningReport(layer: PrunableDense): LayerPruningReport {
  checkPrunableDense(layer, 'layerPruningReport');
  const { mask } = layer.weightVariables;
  const [rows, cols] = mask.shape as [number, number];
  return reportOfMask(layer.name, rows, cols, mask.read().dataSync());
}

function reportOfMask(name: string, rows: number, cols: number, mask: ArrayLike<number>): LayerPruningReport {
  const kept = nonzeroPerColumn(mask, rows, cols);
  let nonzero = 0;
  for (let c = 0; c < cols; c++) nonzero += kept[c];
  const weights = rows * cols;
  return {
    layer: name,
    kernelShape: [rows, cols],
    weights,
    nonzero,
    sparsity: weights === 0 ? 0 : 1 - nonzero / weights,
    prunedUnits: kept.filter((n) => n === 0).length,
  };
}
