import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PrunableLayer } from '../layers/prunable_layer';
import { checkLayersModel } from '../model/model_checks';
import { findPrunableLayers, LayerSelection } from '../model/prunable_layers';

/**
 * Multiplies the optimizer's per-weight state (Adam's moments, momentum,
 * RMSProp's averages...) of each masked weight of the selected layers by
 * its mask, zeroing it at the pruned entries. Returns how many state variables
 * it changed.
 *
 * A pruned weight gets a zero gradient, but its optimizer state lives on:
 * momentum keeps moving the (masked, so unused) weight, and the state decays
 * geometrically forever. Decayed to denormal floats, it makes optimizer
 * steps slower on the wasm backend, which has no flush-to-zero
 * (`npm run bench:train` measures how much). Zeroed, the state stays zero
 * and the pruned weight keeps its value, unless a kernel regularizer or
 * constraint, which act on the unmasked kernel, moves it; a weight unpruned
 * later resumes from a zero state.
 *
 * {@link PruningScheduleCallback} calls this after each mask update. After
 * {@link pruneModel} or {@link pruneLayer}, call it when training goes on
 * with an optimizer that has already trained the model; a new optimizer
 * has no state to clear.
 *
 * The state is reached through `optimizer.getWeights()`, as `model.save`
 * reaches it, and matched to weights by position, as the optimizer matches
 * it and as a reload restores it (the names it carries are those of the
 * weights when it was created, stale after a reload): after the iteration
 * count, one group per kind of state (Adam: `m`, then `v`), each in the order
 * of the trainable weights the model collected when it was compiled. Every
 * tf.train optimizer lays it out so. When the state does not fit that layout
 * (each entry a variable of its weight's shape), or there is none (SGD, a
 * model not compiled or not trained yet, an optimizer without `getWeights`
 * such as `tf.train.adamax` in TF.js 4.22), nothing changes and the result
 * is 0. One optimizer trains one model: TF.js mixes the state of models
 * that share one, and so would this.
 *
 * ```js
 * pruneModel(model, {method: 'weight', sparsity: 0.8});
 * await maskOptimizerState(model);
 * await model.fit(xs, ys, {epochs: 2});
 * ```
 */
export async function maskOptimizerState(model: tfl.LayersModel, layers?: LayerSelection): Promise<number> {
  checkLayersModel(model, 'maskOptimizerState');
  return maskLayersOptimizerState(model, findPrunableLayers(model, layers));
}

/** {@link maskOptimizerState} for `selected`, prunable layers of `model` already checked. */
export async function maskLayersOptimizerState(model: tfl.LayersModel, selected: readonly PrunableLayer[]): Promise<number> {
  const optimizer = model.optimizer;
  if (optimizer == null || selected.length === 0 || !hasGetWeights(optimizer)) return 0;
  const state = await optimizer.getWeights();
  try {
    const slots = stateByWeight(trainedWeights(model), state.filter((s) => s.name !== 'iter').map((s) => s.tensor));
    if (slots === undefined) return 0;
    return tf.tidy(() => selected.flatMap((layer) => layer.maskedWeights).reduce((count, { weight, mask }) => {
      const weightSlots = slots.get(weight) ?? [];
      for (const slot of weightSlots) slot.assign(tf.mul(slot, mask.read()));
      return count + weightSlots.length;
    }, 0));
  } finally {
    // getWeights makes the iteration count a new tensor; the rest is the optimizer's own state.
    tf.dispose(state.filter((s) => s.name === 'iter' && !(s.tensor instanceof tf.Variable)).map((s) => s.tensor));
  }
}

/**
 * Whether `optimizer` implements getWeights: the base class's and Adamax's
 * throw "not implemented". By class name: `instanceof` an Optimizer class
 * is true of every optimizer (tfjs-core checks for the optimizer methods).
 */
function hasGetWeights(optimizer: tf.Optimizer): boolean {
  return optimizer.getWeights !== tf.Optimizer.prototype.getWeights && optimizer.getClassName() !== 'Adamax';
}

/**
 * The weights the optimizer updates, in its order: those `compile` collected
 * (a layer frozen since then stays in), repeats of shared layers included.
 * That list is internal to tfjs-layers, kept by the model that trains (a
 * Sequential trains through its inner model); without it, the public
 * `trainableWeights`, the same list unless `trainable` changed since.
 */
function trainedWeights(model: tfl.LayersModel): tfl.LayerVariable[] {
  type Internals = { model?: Internals; collectedTrainableWeights?: tfl.LayerVariable[] };
  const internals = model as unknown as Internals;
  const trainer = model instanceof tfl.Sequential ? internals.model : internals;
  return trainer?.collectedTrainableWeights ?? model.trainableWeights;
}

/**
 * The state variables of each weight: `state` split into groups of
 * `weights.length`, entry `j` of each group belonging to `weights[j]` (a
 * weight listed twice has the entries of both places); or undefined unless
 * every entry is a variable of its weight's shape.
 */
function stateByWeight(weights: tfl.LayerVariable[], state: tf.Tensor[]): Map<tfl.LayerVariable, tf.Variable[]> | undefined {
  const n = weights.length;
  const fits = n > 0 && state.length % n === 0 &&
    state.every((t, i) => t instanceof tf.Variable && tf.util.arraysEqual(t.shape, weights[i % n].shape as number[]));
  if (!fits) return undefined;
  const slots = new Map<tfl.LayerVariable, tf.Variable[]>();
  state.forEach((t, i) => slots.set(weights[i % n], [...(slots.get(weights[i % n]) ?? []), t as tf.Variable]));
  return slots;
}
