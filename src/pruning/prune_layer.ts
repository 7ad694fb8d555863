import { checkLength, Fraction, withErrorPrefix } from '../checks';
import { MaskedWeight, PrunableLayer, writeMaskUnchecked } from '../layers/prunable_layer';
import { BlockWeight, blockLayout, selectBlockMasks } from '../masks/block_selection';
import { selectGlobalUnitMasks, selectMagnitudeMask, selectMagnitudeMasks, selectUnitMasks, UnitWeight } from '../masks/mask_selection';
import { AxisLayout, nmLayout, writeNMMask } from '../masks/nm_selection';
import { selectRandomMasks, writeRandomMask } from '../masks/random_selection';
import { layoutSize, nonzeroPerUnit } from '../masks/unit_layout';
import { checkPrunableLayer } from '../model/model_checks';
import { NamedTensor, readFloat32 } from '../ops/float32_data';
import { checkPruningMethod, PruningMethod } from './pruning_method';
import { resolveSelection, Selection } from './selection_options';

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

/** One layer of a pruning step: how, and how far (for `'nm'`, `1 - n/m`, which the pattern sets). */
export interface LayerTarget {
  layer: PrunableLayer;
  method: PruningMethod;
  sparsity: Fraction;
}

/**
 * Raises the masks of each target's layer to its sparsity by its method,
 * as {@link pruneLayer} does, with `selection`'s options; with scope
 * `'global'`, the layers of each method but `'nm'` are ranked together (and
 * must share one sparsity). Every mask is selected before any is set, so an
 * error (a NaN kernel, say) changes no layer.
 *
 * ```js
 * pruneLayers(findPrunableLayers(model).map((layer) => ({layer, method: 'weight', sparsity: 0.8})), selection);
 * ```
 */
export function pruneLayers(targets: readonly LayerTarget[], selection: Selection = resolveSelection({}, [])): LayerPruningReport[] {
  const masks = selectMasks(targets, selection);
  return targets.map((t, i) => {
    const report = setLayerMasks(t.layer, masks[i]);
    recordPruningMethod(t.layer, t.method);
    return report;
  });
}

/** The method each layer was last pruned with in this process (not saved with it). */
const methods = new WeakMap<PrunableLayer, PruningMethod>();

/** Records that `layer` was just pruned by `method` (what pruningSummary's Method column shows). */
export function recordPruningMethod(layer: PrunableLayer, method: PruningMethod): void {
  methods.set(layer, method);
}

/** The method {@link pruneLayers} last pruned `layer` with, or null if none did in this process. */
export function lastPruningMethod(layer: PrunableLayer): PruningMethod | null {
  return methods.get(layer) ?? null;
}

/** The masks {@link pruneLayers} would set, per target and masked weight (null: unchanged), changing no layer. */
export function selectMasks(targets: readonly LayerTarget[], selection: Selection): Array<Array<Float32Array | null>> {
  const masks: Array<Array<Float32Array | null>> = new Array(targets.length);
  const pools = new Map<PruningMethod, number[]>();
  targets.forEach((t, i) => {
    if (selection.scope !== 'global' || t.method === 'nm') masks[i] = selectLayerMasks(t.layer, t.method, t.sparsity, selection);
    else if (pools.has(t.method)) pools.get(t.method)!.push(i);
    else pools.set(t.method, [i]);
  });
  for (const [method, indices] of pools) {
    const sparsity = targets[indices[0]].sparsity;
    if (indices.some((i) => targets[i].sparsity !== sparsity)) throw new Error('a global ranking needs one sparsity for all its layers');
    const pooled = selectPooledMasks(indices.map((i) => targets[i].layer), method, sparsity, selection);
    indices.forEach((i, j) => (masks[i] = pooled[j]));
  }
  return masks;
}

/** A masked weight's values and mask, as read in place. */
interface WeightValues {
  values: Float32Array;
  mask: Float32Array;
}

/** How a message names a layer: `PrunableDense 'hidden1'`. */
function layerLabel(layer: PrunableLayer): string {
  return `${layer.getClassName()} '${layer.name}'`;
}

/**
 * Calls `read` with every masked weight's values and mask of each layer,
 * read in place (no copies; see readFloat32: no TF.js op may run inside).
 */
function readLayers<T>(layers: readonly PrunableLayer[], read: (values: WeightValues[][]) => T): T {
  const inputs: NamedTensor[] = layers.flatMap((layer) => layer.maskedWeights.flatMap((m) => [
    { tensor: m.weight.read(), name: m.name }, { tensor: m.mask.read(), name: `${m.name} mask` },
  ]));
  return readFloat32(inputs, (...arrays) => {
    let next = 0;
    return read(layers.map((layer) => layer.maskedWeights.map(() => ({ values: arrays[next++], mask: arrays[next++] }))));
  });
}

/**
 * The layout of each masked weight of `layer` around its input axis, for
 * N:M groups of `m` (null: a weight without one, whose mask stays). Throws
 * for a layer without any such weight, or an axis `m` does not divide.
 */
export function nmLayouts(layer: PrunableLayer, m: number): Array<AxisLayout | null> {
  const specs = layer.kind.maskedWeights;
  if (specs.every((spec) => spec.inputAxis === null)) {
    throw new Error(`${layerLabel(layer)}: method 'nm' groups entries along an input axis, and its ` +
      `${specs.map((spec) => `'${spec.weight}'`).join(', ')} has none (no output sums over input channels); ` +
      "prune it by 'weight' or 'unit' instead (the callback's methods option takes one per layer).");
  }
  return layer.maskedWeights.map((w, i) => {
    const axis = specs[i].inputAxis;
    return axis === null ? null : withErrorPrefix(`${layerLabel(layer)}: '${w.name}'`, () => nmLayout(w.weight.shape as number[], axis, m));
  });
}

/**
 * The masks {@link pruneLayer} would set, one per masked weight in the
 * layer's order (null: unchanged), computed without changing the layer, for
 * scope `'layer'`.
 */
export function selectLayerMasks(layer: PrunableLayer, method: PruningMethod, sparsity: Fraction,
  selection: Selection = resolveSelection({}, [])): Array<Float32Array | null> {
  checkLayerMethod(layer, method);
  const masked = layer.maskedWeights;
  const layouts = method === 'nm' ? nmLayouts(layer, selection.m) : null;
  // Say which layer's weight is bad (a NaN after diverged training, say).
  return withErrorPrefix(layerLabel(layer), () => readLayers([layer], ([values]) => {
    const { blockShape, random, n, m } = selection;
    switch (method) {
      case 'weight':
        if (blockShape === null) return masked.map((_, i) => selectMagnitudeMask(values[i].values, sparsity, values[i].mask));
        return masked.map((w, i) => selectBlockMasks([blockWeight(w, values[i])], blockShape, sparsity)[0]);
      case 'random':
        return masked.map((_, i) => writeRandomMask(new Float32Array(values[i].mask.length), sparsity, random, values[i].mask));
      case 'nm':
        return masked.map((_, i) => {
          const layout = layouts![i];
          return layout === null ? null : writeNMMask(new Float32Array(values[i].mask.length), values[i].values, layout, n, m, values[i].mask);
        });
      case 'unit': {
        const selected = selectUnitMasks(unitWeights(masked, values), sparsity);
        return masked.map((w) => (w.units === null ? null : selected.shift()!));
      }
      case 'channel':
        // withErrorPrefix names the layer.
        throw new Error("method 'channel' prunes channel groups across layers; use pruneModel or PruningScheduleCallback, which see the whole model.");
    }
  }));
}

/** The masked weights of a layer that hold its units, for unit selection. */
function unitWeights(masked: readonly MaskedWeight[], values: readonly WeightValues[]): UnitWeight[] {
  return masked.flatMap((w, i) => (w.units === null ? [] : [{ values: values[i].values, layout: w.units, currentMask: values[i].mask }]));
}

function blockWeight(w: MaskedWeight, { values, mask }: WeightValues): BlockWeight {
  return { values, layout: blockLayout(w.weight.shape as number[]), currentMask: mask };
}

/** Scope `'global'`: the masks of `layers`, ranked together by `method` to `sparsity` over all of them. */
function selectPooledMasks(layers: readonly PrunableLayer[], method: PruningMethod, sparsity: Fraction,
  selection: Selection): Array<Array<Float32Array | null>> {
  layers.forEach((layer) => checkLayerMethod(layer, method));
  return readLayers(layers, (values) => {
    if (method === 'unit') {
      const selected = selectGlobalUnitMasks(layers.map((l, i) => ({ weights: unitWeights(l.maskedWeights, values[i]), label: layerLabel(l) })), sparsity);
      return layers.map((l, i) => l.maskedWeights.map((w) => (w.units === null ? null : selected[i].shift()!)));
    }
    const weights = layers.flatMap((l, i) => l.maskedWeights.map((w, j) => ({ w, values: values[i][j], label: layerLabel(l) })));
    const { blockShape } = selection;
    let selected: Float32Array[];
    if (method === 'random') {
      selected = selectRandomMasks(weights.map(({ values: v, label }) => ({ length: v.mask.length, currentMask: v.mask, label })), sparsity, selection.random);
    } else if (blockShape !== null) {
      selected = selectBlockMasks(weights.map(({ w, values: v, label }) => ({ ...blockWeight(w, v), label })), blockShape, sparsity);
    } else {
      selected = selectMagnitudeMasks(weights.map(({ values: v, label }) => ({ values: v.values, currentMask: v.mask, label })), sparsity);
    }
    return layers.map((l) => l.maskedWeights.map(() => selected.shift()!));
  });
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
