import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { wrappedLayers } from '../model/prunable_layers';

/** How {@link rebuildModel} replaces the layers it selects. */
export interface LayerRewrite {
  /**
   * Whether `layer` is replaced; called once per layer. Never called with a
   * nested model or a wrapper: their layers are offered instead.
   */
  selects(layer: tfl.layers.Layer): boolean;
  /**
   * Class name of the replacement, a registered layer class whose config is the
   * replaced layer's config (with the changes of `config`); a function when it
   * differs between the selected layers.
   */
  className: string | ((layer: tfl.layers.Layer) => string);
  /**
   * Entries of the replacement's config that differ from the replaced layer's,
   * such as fewer `units`: shapes that depend on them (the next layer's kernel)
   * follow when the model is rebuilt. Default: none.
   */
  config?(layer: tfl.layers.Layer): tf.serialization.ConfigDict;
  /**
   * The replacement's weight values, in its `weights` order, computed from the
   * replaced layer (called inside `tf.tidy`, only for a built layer).
   */
  weights(layer: tfl.layers.Layer): tf.Tensor[];
}

/**
 * A new model with the same architecture, layer names and weight values as
 * `model`, except that each layer `rewrite` selects, in nested models and
 * wrappers too, is a `rewrite.className` layer with the same config (but for
 * `rewrite.config`) and `rewrite.weights`. A wrapper gets the rewritten layer
 * in its config and its weights: a `TimeDistributed` those of its layer, a
 * `Bidirectional` those of its forward copy, then of its backward copy (the
 * order of its weights). A Bidirectional builds both copies from the one
 * layer config it holds, so `rewrite` must select both or neither.
 *
 * The model is rebuilt from its config as TF.js saves it (`getConfig`, then the
 * registered class's `fromConfig`), so exactly what survives a save survives
 * here; the optimizer does not (compile the new model to train it). `model` is
 * left untouched: the new model has its own variables.
 */
export function rebuildModel(model: tfl.LayersModel, rewrite: LayerRewrite): tfl.LayersModel {
  // A deep copy: fromConfig writes into the configs it is given.
  const config = JSON.parse(JSON.stringify(model.getConfig())) as tf.serialization.ConfigDict;
  const replaced = new Map<tfl.layers.Layer, tfl.layers.Layer[]>();
  rewriteSelected(model, config, rewrite, replaced);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[model.getClassName()];
  if (entry == null) {
    throw new Error(`Cannot rebuild model '${model.name}': its class '${model.getClassName()}' is not registered.`);
  }
  const [cls, fromConfig] = entry;
  // Model classes take a fourth argument, fast weight initialization: every weight is overwritten below.
  const fromModelConfig = fromConfig as unknown as (c: unknown, d: tf.serialization.ConfigDict, o: object, fast: boolean) => tfl.LayersModel;
  const rebuilt = fromModelConfig(cls, config, {}, true);
  try {
    tf.tidy(() => copyWeights(model, rebuilt, (layer) => {
      const sources = replaced.get(layer);
      return sources === undefined ? layer.getWeights() : sources.flatMap((source) => rewrite.weights(source).map(ownData));
    }));
  } catch (error) {
    rebuilt.dispose();
    throw error;
  }
  return rebuilt;
}

/**
 * Rewrites the config entry of every selected layer of `model`, descending
 * into nested models, and maps each layer of `model` whose weights change to
 * the selected layers whose `rewrite.weights` they become (itself, the layer
 * it wraps, or a Bidirectional's two copies).
 */
function rewriteSelected(model: tfl.LayersModel, config: tf.serialization.ConfigDict, rewrite: LayerRewrite,
  replaced: Map<tfl.layers.Layer, tfl.layers.Layer[]>): void {
  // Sequential and functional configs list exactly `model.layers`, in order.
  const entries = config.layers as tf.serialization.ConfigDict[];
  model.layers.forEach((layer, i) => {
    if (layer instanceof tfl.LayersModel) {
      rewriteSelected(layer, entries[i].config as tf.serialization.ConfigDict, rewrite, replaced);
      return;
    }
    const sources = rewriteEntry(model, layer, entries[i], rewrite);
    if (sources.length > 0) replaced.set(layer, sources);
  });
}

/**
 * Rewrites `entry`, the config entry of `layer`, if `rewrite` selects the
 * layer or, for a wrapper, the layers it wraps; returns the selected layers
 * (none: the entry stays).
 */
function rewriteEntry(model: tfl.LayersModel, layer: tfl.layers.Layer, entry: tf.serialization.ConfigDict,
  rewrite: LayerRewrite): tfl.layers.Layer[] {
  // Checked before anything is built: a failure halfway would leave variables behind.
  if (tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()] == null) {
    throw new Error(`Cannot rebuild model '${model.name}': its layer '${layer.name}' is a ${layer.getClassName()}, ` +
      'a class not registered with tf.serialization.registerClass, so TF.js cannot rebuild it from its config.');
  }
  const wrapped = wrappedLayers(layer);
  // A wrapper's config holds its layer's as `layer: {className, config}`.
  const inner = () => (entry.config as tf.serialization.ConfigDict).layer as tf.serialization.ConfigDict;
  if (wrapped.length === 1) return rewriteEntry(model, wrapped[0], inner(), rewrite);
  if (wrapped.length > 1) {
    // A Bidirectional: its forward and backward copies are built from the one layer config it holds.
    const selected = wrapped.filter((copy) => rewrite.selects(copy));
    if (selected.length === 0) return [];
    const changes = wrapped.map((copy) => ({
      className: className(rewrite, copy), config: JSON.stringify(rewrite.config?.(copy) ?? {}),
    }));
    if (selected.length < wrapped.length || changes.some((c) => c.className !== changes[0].className || c.config !== changes[0].config)) {
      throw new Error(`Cannot rebuild model '${model.name}': its ${layer.getClassName()} '${layer.name}' builds ` +
        `${wrapped.map((copy) => `'${copy.name}'`).join(' and ')} from one layer config, so both must change alike; ` +
        `the rewrite selects ${selected.map((copy) => `'${copy.name}'`).join(' and ')}` +
        `${selected.length < wrapped.length ? ' only' : ', changing them differently'}.`);
    }
    applyRewrite(inner(), wrapped[0], rewrite);
    return wrapped;
  }
  if (!rewrite.selects(layer)) return [];
  applyRewrite(entry, layer, rewrite);
  return [layer];
}

/** The class name `rewrite` gives `layer`. */
function className(rewrite: LayerRewrite, layer: tfl.layers.Layer): string {
  return typeof rewrite.className === 'function' ? rewrite.className(layer) : rewrite.className;
}

/** Makes `entry` the config entry of `layer`'s replacement. */
function applyRewrite(entry: tf.serialization.ConfigDict, layer: tfl.layers.Layer, rewrite: LayerRewrite): void {
  entry.className = className(rewrite, layer);
  if (rewrite.config != null) Object.assign(entry.config as tf.serialization.ConfigDict, rewrite.config(layer));
}

/** Sets the weights of every built layer of the rebuilt `target` to `weightsOf` its `source` layer, paired by name in each model. */
function copyWeights(source: tfl.LayersModel, target: tfl.LayersModel, weightsOf: (layer: tfl.layers.Layer) => tf.Tensor[]): void {
  for (const layer of source.layers) {
    const copy = target.getLayer(layer.name);
    if (layer instanceof tfl.LayersModel) {
      copyWeights(layer, copy as tfl.LayersModel, weightsOf);
    } else if (layer.weights.length > 0) {
      copy.setWeights(weightsOf(layer));
    }
  }
}

/**
 * A copy of `tensor` with data of its own shape. A variable assigned a tensor
 * shares its data, and on wasm the outputs of gather, reshape and matMul share
 * data recorded with another shape (gather's is rank 4), which a fused Dense
 * kernel then refuses as a bias ("_FusedMatMul only supports rank-1 bias").
 */
function ownData(tensor: tf.Tensor): tf.Tensor {
  return tf.tensor(tensor.dataSync(), tensor.shape, tensor.dtype);
}
