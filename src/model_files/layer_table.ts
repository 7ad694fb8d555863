import type * as tfl from '@tensorflow/tfjs-layers';
import { findPrunableLayers, wrappedLayers } from '../model/prunable_layers';
import { overallSparsity, PruningSummary } from '../pruning/pruning_summary';
import type { CompactionReport } from '../transforms/compact_units';

/**
 * One layer of a model, as {@link summarizeModelFile} reports it: what a
 * front end shows in its table and chart.
 *
 * ```js
 * const {layer, className, outputShape, parameters, macs} = (await summarizeModelFile(artifacts)).layers[0];
 * ```
 */
export interface ModelLayerRow {
  /** The layer's name. */
  layer: string;
  /** Its class (`'Conv2D'`, `'PrunableDense'`, `'Flatten'`). */
  className: string;
  /** Its output shape, batch first (null); a list of shapes for a layer with several outputs. */
  outputShape: Array<number | null> | Array<Array<number | null>>;
  /** Its parameters without masks (in the layers it holds too: a nested model's, a wrapper's). */
  parameters: number;
  /** Multiply-accumulates per example of it (of the layers with kernels in it; 0 for the others). */
  macs: number;
  /** The fraction of its masked entries pruned, or null for a layer that cannot be pruned. */
  sparsity: number | null;
  /** Its output units pruned entirely, or null for a layer that cannot be pruned. */
  prunedUnits: number | null;
}

/**
 * A row per top-level layer of `model`: `summary` and `compaction` are those
 * of `model`, or of its prunable copy (same layer names) for a plain model.
 */
export function layerTable(model: tfl.LayersModel, summary: PruningSummary, compaction: CompactionReport): ModelLayerRow[] {
  const masks = new Set(findPrunableLayers(model).flatMap((layer) => layer.maskedWeights.map((m) => m.mask)));
  const macs = new Map(compaction.layers.map((l) => [l.layer, l.macs.before]));
  const pruning = new Map(summary.layers.map((r) => [r.layer, r]));
  return model.layers.map((layer) => {
    const inner = innerLayers(layer);
    const rows = inner.map((l) => pruning.get(l.name)).filter((r) => r !== undefined);
    return {
      layer: layer.name,
      className: layer.getClassName(),
      outputShape: layer.outputShape as ModelLayerRow['outputShape'],
      parameters: layer.weights.filter((w) => !masks.has(w as never)).reduce((n, w) => n + w.read().size, 0),
      macs: inner.reduce((n, l) => n + (macs.get(l.name) ?? 0), 0),
      sparsity: rows.length === 0 ? null : overallSparsity(rows),
      prunedUnits: rows.length === 0 ? null : rows.reduce((n, r) => n + r.prunedUnits, 0),
    };
  });
}

/** `layer` and the layers it holds: a nested model's, a wrapper's, at any depth. */
function innerLayers(layer: tfl.layers.Layer): tfl.layers.Layer[] {
  const held = 'layers' in layer && Array.isArray((layer as tfl.LayersModel).layers) ? (layer as tfl.LayersModel).layers : wrappedLayers(layer);
  return [layer, ...held.flatMap(innerLayers)];
}
