import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ActivationIdentifier } from '@tensorflow/tfjs-layers/dist/keras_format/activation_config';
import type { PrunableLayer } from '../layers/prunable_layer';
import { isPrunableLayer } from '../layers/registry';
import { nonzeroPerUnit } from '../masks/unit_layout';
import { checkLayersModel } from '../model/model_checks';
import { readFloat32 } from '../ops/float32_data';
import { effectiveWeights } from './effective_weights';
import { rebuildModel } from './rebuild_model';
import { isDenseLayer, mixesUnits, modelGraph, UNITWISE_LAYER_NAMES, UnitReader, unitFlow } from './unit_flow';

type Layer = tfl.layers.Layer;

/** How {@link compactUnits} changes one layer; a field left out means "unchanged". */
interface LayerChange {
  /** The units (last-axis indices of the output) the layer keeps. */
  keptUnits?: number[];
  /** For a dense layer: the input units it keeps (rows of its kernel) ... */
  keptInputs?: number[];
  /** ... and those it loses, with the constant value each of them had. */
  removedInputs?: { units: number[]; values: Float32Array };
  /** For a dense layer without bias: whether it needs one to carry the removed inputs' constants. */
  addsBias?: boolean;
}

/**
 * A plain model computing the same outputs as `model` with the pruned units
 * of its dense layers removed: the deployable, smaller and faster form of a
 * unit-pruned model. Other prunable layers (convolutions) become their plain
 * classes with their masks folded in, as in `stripPruning`.
 *
 * A unit of a dense layer (PrunableDense, or Dense) is pruned when its
 * column of the effective kernel (`kernel ⊙ mask`) is all zeros. Its column
 * and bias entry go, and so do the matching input rows of the dense layers
 * that read the layer's output. A pruned unit still emits the constant
 * `activation(bias_j)`; that constant, passed through the layers in between,
 * is folded into the bias of each reading layer (a reader without bias gains
 * one when the constant is not zero).
 *
 * Between two dense layers may lie layers that act on each unit alone:
 * Dropout and the other noise layers (identities at inference), Activation,
 * ReLU, LeakyReLU, ELU, ThresholdedReLU, and BatchNormalization on the last
 * axis (its per-unit weights shrink with the units). A layer with pruned
 * units whose output reaches anything else (Flatten, Reshape, Concatenate, a
 * softmax, a nested model, a layer applied twice) is refused with an error
 * naming that layer; so is a pruned layer with a softmax activation. Layers
 * whose output is an output of the model keep every unit: output widths never
 * change. Nested models are compacted inside, each on its own. A dense layer
 * inside a `tf.layers.timeDistributed` keeps every unit and becomes a Dense
 * with kernel ⊙ mask, as in `stripPruning`; a `tf.layers.bidirectional`
 * around a PrunableDense is refused. A layer whose
 * units are all pruned keeps one, as TF.js layers need a unit at least.
 *
 * `model` is left untouched; compile the result to train it.
 *
 * ```js
 * pruneModel(model, {method: 'unit', sparsity: 0.9});
 * const compact = compactUnits(model);
 * console.log(model.countParams(), '->', compact.countParams());
 * ```
 */
export function compactUnits(model: tfl.LayersModel): tfl.LayersModel {
  checkLayersModel(model, 'compactUnits');
  const plan = new Map<Layer, LayerChange>();
  planModel(model, plan);
  return rebuildModel(model, {
    selects: (layer) => plan.has(layer) || isPrunableLayer(layer),
    className: (layer) => (isPrunableLayer(layer) ? (layer as PrunableLayer).plainClassName : layer.getClassName()),
    config: (layer) => {
      const change = plan.get(layer) ?? {};
      return {
        ...(change.keptUnits != null && isDenseLayer(layer) ? { units: change.keptUnits.length } : {}),
        ...(change.addsBias === true ? { useBias: true } : {}),
      };
    },
    weights: (layer) => {
      const change = plan.get(layer);
      if (isDenseLayer(layer)) return denseWeights(layer, change ?? {});
      if (change === undefined) return effectiveWeights(layer);
      // A BatchNormalization on the last axis: each weight holds one value per unit.
      return layer.getWeights().map((w) => tf.gather(w, change.keptUnits!, w.rank - 1));
    },
  });
}

/** Adds the changes of the dense layers of `model` (and of nested models, each on its own) to `plan`; throws on a blocked layer. */
function planModel(model: tfl.LayersModel, plan: Map<Layer, LayerChange>): void {
  const graph = modelGraph(model);
  const changeOf = (layer: Layer) => plan.get(layer) ?? plan.set(layer, {}).get(layer)!;
  for (const layer of model.layers) {
    if (layer instanceof tfl.LayersModel) {
      planModel(layer, plan);
      continue;
    }
    if (!isDenseLayer(layer)) continue;
    const units = layer.getConfig().units as number;
    const pruned = prunedUnits(layer);
    // TF.js layers need a unit at least: a layer with all units pruned keeps its first.
    const removed = pruned.length === units ? pruned.slice(1) : pruned;
    if (removed.length === 0) continue;
    const flow = unitFlow(graph, layer);
    if (flow.reachesOutput) continue;
    const refused = `compactUnits: cannot remove the ${removed.length} pruned unit${removed.length === 1 ? '' : 's'} of '${layer.name}'`;
    if (flow.blocker != null) {
      const { layer: blocker, reason } = flow.blocker;
      const where = blocker === layer ? `it is ${reason}` : `they reach '${blocker.name}', ${reason}`;
      throw new Error(`${refused}: ${where}. Only ${UNITWISE_LAYER_NAMES} may lie between two dense layers.`);
    }
    const activation = layer.getConfig().activation;
    if (mixesUnits(activation)) throw new Error(`${refused}: its activation '${activation}' combines its units.`);
    const removedSet = new Set(removed);
    const kept = Array.from({ length: units }, (_, j) => j).filter((j) => !removedSet.has(j));
    changeOf(layer).keptUnits = kept;
    for (const reader of flow.readers) {
      const values = removedConstants(layer, reader, removed);
      const change = changeOf(reader.layer);
      change.keptInputs = kept;
      change.removedInputs = { units: removed, values };
      change.addsBias = reader.layer.getConfig().useBias === false && values.some((v) => v !== 0);
      for (const between of reader.path) if (between.weights.length > 0) changeOf(between).keptUnits = kept;
    }
  }
}

/** The kernel ⊙ mask (kernel for a Dense) and bias (null without) of a dense layer. */
function denseKernelAndBias(layer: Layer): { kernel: tf.Tensor2D; bias: tf.Tensor1D | null } {
  const [kernel, bias] = effectiveWeights(layer);
  return { kernel: kernel as tf.Tensor2D, bias: (bias ?? null) as tf.Tensor1D | null };
}

/** Indices of the all-zero columns of a dense layer's effective kernel: its pruned units. */
function prunedUnits(layer: Layer): number[] {
  let pruned: number[] = [];
  // Set inside the tidy rather than returned: tf.tidy walks a returned array element by element.
  tf.tidy(() => {
    const { kernel } = denseKernelAndBias(layer);
    const [rows, cols] = kernel.shape;
    const named = { tensor: kernel, name: `kernel of layer '${layer.name}'` };
    const counts = readFloat32([named], (values) => nonzeroPerUnit(values, { outer: rows, units: cols, inner: 1 }));
    pruned = Array.from({ length: cols }, (_, j) => j).filter((j) => counts[j] === 0);
  });
  return pruned;
}

/**
 * The constant that each of the `removed` units of `layer` feeds `reader`:
 * `activation(bias_j)` (the unit's column being zero), passed through the
 * unitwise layers between them as at inference.
 */
function removedConstants(layer: Layer, reader: UnitReader, removed: number[]): Float32Array {
  let constants!: Float32Array;
  tf.tidy(() => {
    const shape = (layer.outputShape as tfl.Shape).map((d, i, all) => (i === all.length - 1 ? d! : 1));
    const { bias } = denseKernelAndBias(layer);
    const preactivation = bias == null ? tf.zeros(shape) : tf.reshape(bias, shape);
    const activation = tfl.layers.activation({ activation: layer.getConfig().activation as ActivationIdentifier });
    let value = activation.apply(preactivation) as tf.Tensor;
    for (const between of reader.path) value = between.apply(value) as tf.Tensor;
    constants = tf.gather(tf.reshape(value, [-1]), removed).dataSync() as Float32Array;
  });
  return constants;
}

/** The weights of a dense layer after `change`, kernel ⊙ mask folded in. */
function denseWeights(layer: Layer, change: LayerChange): tf.Tensor[] {
  const weights = denseKernelAndBias(layer);
  let kernel: tf.Tensor = weights.kernel;
  let bias: tf.Tensor | null = weights.bias;
  if (change.removedInputs != null) {
    const { units, values } = change.removedInputs;
    // The removed inputs' constant contribution, value · kernel rows, moves into the bias.
    const carried = tf.reshape(tf.matMul(tf.tensor2d(values, [1, units.length]), tf.gather(kernel, units, 0)), [-1]);
    if (bias != null) bias = tf.add(bias, carried);
    else if (change.addsBias === true) bias = carried;
    kernel = tf.gather(kernel, change.keptInputs!, 0);
  }
  if (change.keptUnits != null) {
    kernel = tf.gather(kernel, change.keptUnits, 1);
    if (bias != null) bias = tf.gather(bias, change.keptUnits);
  }
  return bias == null ? [kernel] : [kernel, bias];
}
