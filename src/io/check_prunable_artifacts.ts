import * as tf from '@tensorflow/tfjs-core';
import { checkBinaryMask, checkShape, describeValue } from '../checks';
import { PrunableClass, prunableClasses } from '../layers/registry';
import { checkWeightSpecs, joinWeightData } from './weight_layout';

/** What to import so that TF.js knows the prunable layer classes. */
const REGISTERING_IMPORT = "import 'tfjs-prune' (or 'tfjs-prune/node' in Node)";

/** Options of {@link checkPrunableArtifacts}. */
export interface CheckOptions {
  /**
   * Whether every mask must be in the weights, as a strict load (TF.js's
   * default) needs. A handler does not know whether its load is strict, so
   * only `loadPrunableModel` sets it.
   */
  requireMasks?: boolean;
}

/**
 * Checks model artifacts before TF.js builds a model from them, so that a bad
 * model fails with a clear error and before any layer or tensor exists:
 * - the topology must be a layers model's (`{class_name, config}`), and each
 *   prunable layer's entry must have a config with its sizes;
 * - a topology that uses prunable layers needs their classes registered, which
 *   importing this library does (TF.js would only say `Unknown layer: PrunableDense.`);
 * - the weight specs must be valid, and the weight data must hold exactly the
 *   bytes they describe;
 * - each mask must be float32 with its weight's shape and hold only 0 and 1,
 *   and, with `requireMasks`, be there (a `trainableOnly` save drops masks).
 *
 * `source` names where the artifacts come from, for the messages.
 */
export function checkPrunableArtifacts(artifacts: tf.io.ModelArtifacts, source: string, options: CheckOptions = {}): void {
  const layers = prunableLayers(layersTopology(artifacts, source));
  checkRegistered(layers, source);
  layers.forEach((layer) => checkConfig(layer, source));
  const { weightSpecs: specs, weightData } = artifacts;
  if (specs == null || weightData == null) return; // A topology alone: TF.js initializes the weights (masks to ones).
  checkWeightSpecs(specs, `The weight specs of ${source} are invalid: `);
  const { data, layout } = joinWeightData(specs, weightData, (held, described) =>
    `The weight data of ${source} holds ${held} bytes, but its weight specs describe ` +
    `${described}: the weights are truncated or belong to another model.`);
  const index = new Map(specs.map((spec, i) => [spec.name, i]));
  for (const { cls, name } of layers) {
    for (const { weight, mask } of cls.kind.maskedWeights) {
      const [maskName, weightName] = [`${name}/${mask}`, `${name}/${weight}`];
      const [m, w] = [index.get(maskName), index.get(weightName)];
      if (m == null || w == null) {
        if (!options.requireMasks) continue; // A non-strict load starts missing weights from their initializers (masks: ones).
        throw new Error(m == null
          ? `The model in ${source} has no weight '${maskName}', the mask of the ${weight} of ${cls.className} '${name}': ` +
            'a model saved with {trainableOnly: true} has no masks (they are non-trainable weights). ' +
            'Save it without trainableOnly, or load it with {strict: false} to start from masks of ones.'
          : `The model in ${source} has no weight '${weightName}', the ${weight} of ${cls.className} '${name}' (its mask is '${maskName}').`);
      }
      const one = cls.kind.maskedWeights.length === 1;
      const what = `The mask${one ? '' : ` of the ${weight}`} of ${cls.className} '${name}' in ${source}`;
      if (specs[m].dtype !== 'float32') throw new Error(`${what} must have dtype 'float32'; received ${describeValue(specs[m].dtype)}.`);
      checkShape(specs[m].shape, specs[w].shape, `${what} (like its ${weight})`);
      const start = layout.offsets[m];
      const decoded = tf.io.decodeWeights(data.slice(start, start + layout.byteLengths[m]), [specs[m]]);
      const tensor = decoded[specs[m].name];
      try {
        checkBinaryMask(tensor.dataSync(), what);
      } finally {
        tensor.dispose();
      }
    }
  }
}

const sources = new WeakMap<tf.io.ModelArtifacts, string>();

/** Records the file `artifacts` were read from, so that later messages (loadPrunableModel's) name it. */
export function recordArtifactsSource(artifacts: tf.io.ModelArtifacts, source: string): void {
  sources.set(artifacts, source);
}

/** The file {@link recordArtifactsSource} recorded for `artifacts`, if any. */
export function artifactsSource(artifacts: tf.io.ModelArtifacts): string | undefined {
  return sources.get(artifacts);
}

/** What to do with a graph model, for every message that meets one. */
export const GRAPH_MODEL_ADVICE = 'pruning works on layers models: convert the Keras model with tensorflowjs_converter ' +
  '--output_format tfjs_layers_model (a graph model loads with tf.loadGraphModel).';

/** The layers-model topology of `artifacts` (`model_config` unwrapped, as TF.js does), checked at its top. */
function layersTopology(artifacts: tf.io.ModelArtifacts, source: string): Record<string, unknown> {
  const topology = artifacts.modelTopology as unknown;
  const graph = ` It looks like a graph model (tensorflowjs_converter's "graph-model" format): ${GRAPH_MODEL_ADVICE}`;
  if (topology == null) throw new Error(`The model in ${source} has no modelTopology.`);
  if (topology instanceof ArrayBuffer) throw new Error(`The model in ${source} has a binary (GraphDef) topology.${graph}`);
  if (typeof topology !== 'object' || Array.isArray(topology)) {
    throw new Error(`The modelTopology of ${source} must be an object {class_name, config}; received ${describeValue(topology)}.`);
  }
  const entry = topology as Record<string, unknown>;
  const model = (entry.model_config ?? entry) as Record<string, unknown>;
  const missing = typeof model.class_name !== 'string' ? 'class_name' : model.config == null || typeof model.config !== 'object' ? 'config' : null;
  if (missing != null) {
    const isGraph = artifacts.format === 'graph-model' || Array.isArray(model.node);
    throw new Error(`The modelTopology of ${source} has no ${missing}: a layers model's topology is ` +
      `{class_name: 'Sequential' or 'Model', config: {…}}, as tf.LayersModel saves it.${isGraph ? graph : ''}`);
  }
  return model;
}

/** A prunable layer of a saved topology: its class, the name its weights bear, and its entry. */
interface SavedPrunableLayer {
  cls: PrunableClass;
  name: string;
  entry: Record<string, unknown>;
}

/**
 * The prunable layers of a saved (snake_case) topology, nested models
 * included, named as their weights are: a wrapper builds its layer in its
 * own name scope, so a wrapped layer's weights bear its wrapper's name
 * (`time_distributed/mask`), and a Bidirectional's layer stands for its two
 * copies (`bidirectional/forward_lstm/kernel_mask`, `.../backward_lstm/...`).
 */
function prunableLayers(topology: Record<string, unknown>): SavedPrunableLayer[] {
  const layers: SavedPrunableLayer[] = [];
  /** `scope`: the name the weights of a wrapped layer bear. */
  const visit = (node: unknown, scope?: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child) => visit(child, scope));
    } else if (node != null && typeof node === 'object') {
      const entry = node as Record<string, unknown>;
      const config = isObject(entry.config) ? entry.config : undefined;
      const name = String(config?.name ?? entry.name);
      const cls = prunableClasses().find((c) => c.className === entry.class_name);
      if (cls != null) layers.push({ cls, name: scope ?? name, entry });
      // A wrapper's config holds its layer as `layer`.
      const wrapped = entry.class_name != null && isObject(config?.layer) ? config!.layer : undefined;
      if (wrapped !== undefined) {
        const own = scope ?? name;
        const inner = isObject(wrapped.config) ? String(wrapped.config.name) : '';
        const scopes = entry.class_name === 'Bidirectional' ? [`${own}/forward_${inner}`, `${own}/backward_${inner}`] : [own];
        scopes.forEach((s) => visit(wrapped, s));
      }
      Object.entries(entry).forEach(([key, value]) => {
        if (key !== 'config' || wrapped === undefined) visit(value, scope);
        else Object.entries(value as Record<string, unknown>).forEach(([k, v]) => k !== 'layer' && visit(v, scope));
      });
    }
  };
  visit(topology);
  return layers;
}

function checkRegistered(layers: SavedPrunableLayer[], source: string): void {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  const unknown = prunableClasses().filter((cls) => known[cls.className] == null && layers.some((l) => l.cls === cls));
  if (unknown.length === 0) return;
  const uses = unknown.map((cls) =>
    `${cls.className} layers (${layers.filter((l) => l.cls === cls).map((l) => `'${l.name}'`).join(', ')})`).join(' and ');
  throw new Error(`The model in ${source} uses ${uses}, which TensorFlow.js does not know: ${REGISTERING_IMPORT} registers them; ` +
    'do so before loading. If your code does, the app has more than one copy of @tensorflow/tfjs-core ' +
    '(check with `npm ls @tensorflow/tfjs-core`).');
}

/** TF.js alone rejects a bad prunable-layer config with a message that names neither the layer nor the file. */
function checkConfig({ cls, name, entry }: SavedPrunableLayer, source: string): void {
  const layer = `${cls.className} '${name}' in ${source}`;
  if (!isObject(entry.config)) {
    throw new Error(`The ${layer} has no config: a saved layer is {class_name, config: {name, …}}; received config ${describeValue(entry.config)}.`);
  }
  for (const size of cls.kind.sizes) {
    // Saved configs are snake_case: inputDim is input_dim.
    const field = size.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const value = entry.config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`The ${layer} must have a positive integer ${field} in its config; received ${describeValue(value)}.`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}
