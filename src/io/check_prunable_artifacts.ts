import * as tf from '@tensorflow/tfjs-core';
import { PrunableDense } from '../layers/prunable_dense';
import { checkBinaryMask, checkShape } from '../checks';
import { joinWeightData } from './weight_layout';

/** What to import so that TF.js knows PrunableDense. */
const REGISTERING_IMPORT = "import 'tfjs-prune' (or 'tfjs-prune/node' in Node)";

/**
 * Checks model artifacts before TF.js builds a model from them, so that a bad
 * model fails with a clear error and before any layer or tensor exists:
 * - a topology that uses PrunableDense needs the class registered, which
 *   importing this library does (TF.js would only say `Unknown layer: PrunableDense.`);
 * - the weight data must hold exactly the bytes the weight specs describe;
 * - each PrunableDense mask must have its kernel's shape and hold only 0 and 1.
 *
 * `source` names where the artifacts come from, for the messages.
 */
export function checkPrunableArtifacts(artifacts: tf.io.ModelArtifacts, source: string): void {
  const layers = prunableLayerNames(artifacts.modelTopology);
  if (layers.length > 0 && tf.serialization.SerializationMap.getMap().classNameMap[PrunableDense.className] == null) {
    throw new Error(`The model in ${source} uses PrunableDense layers (${layers.map((n) => `'${n}'`).join(', ')}), ` +
      `which TensorFlow.js does not know: ${REGISTERING_IMPORT} registers them; do so before loading. ` +
      'If your code does, the app has more than one copy of @tensorflow/tfjs-core ' +
      '(check with `npm ls @tensorflow/tfjs-core`).');
  }
  const { weightSpecs: specs, weightData } = artifacts;
  if (specs == null || weightData == null) return;
  const { data, layout } = joinWeightData(specs, weightData, (held, described) =>
    `The weight data of ${source} holds ${held} bytes, but its weight specs describe ` +
    `${described}: the weights are truncated or belong to another model.`);
  const index = new Map(specs.map((spec, i) => [spec.name, i]));
  for (const layer of layers) {
    const mask = index.get(`${layer}/mask`);
    const kernel = index.get(`${layer}/kernel`);
    if (mask == null || kernel == null) continue; // Missing weights: TF.js's strict loading names them.
    const what = `The mask of PrunableDense '${layer}' in ${source}`;
    checkShape(specs[mask].shape, specs[kernel].shape, `${what} (like its kernel)`);
    const start = layout.offsets[mask];
    const decoded = tf.io.decodeWeights(data.slice(start, start + layout.byteLengths[mask]), [specs[mask]]);
    const tensor = decoded[specs[mask].name];
    try {
      checkBinaryMask(tensor.dataSync(), what);
    } finally {
      tensor.dispose();
    }
  }
}

/**
 * Names of the PrunableDense layers in a saved (snake_case) topology, nested
 * models included, as their weights are named: a wrapped layer's weights
 * bear its wrapper's name (`time_distributed/mask`).
 */
function prunableLayerNames(topology: tf.io.ModelArtifacts['modelTopology']): string[] {
  if (topology == null || topology instanceof ArrayBuffer) return [];
  const names: string[] = [];
  const visit = (node: unknown, wrapper?: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child) => visit(child, wrapper));
    } else if (node != null && typeof node === 'object') {
      const entry = node as Record<string, unknown>;
      const config = entry.config as Record<string, unknown> | undefined;
      const name = String(config?.name ?? entry.name);
      if (entry.class_name === PrunableDense.className) names.push(wrapper ?? name);
      // A wrapper's config holds its layer as `layer`.
      const inner = entry.class_name != null && config?.layer != null ? wrapper ?? name : wrapper;
      Object.entries(entry).forEach(([key, value]) => visit(value, key === 'config' ? inner : wrapper));
    }
  };
  visit(topology);
  return names;
}
