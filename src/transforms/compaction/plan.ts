/**
 * Plans a compaction: one topological walk over each model's graph that
 * applies the rule of each layer (./rules), then decides which channel
 * groups go, and reports, per layer with a kernel, what it keeps and why.
 */

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Node } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { isPrunableLayer } from '../../layers/registry';
import { wrappedLayers } from '../../model/prunable_layers';
import { effectiveWeights } from '../effective_weights';
import { ChannelGroups, channelCount, TensorChannels } from './channels';
import { formGroups, PlacedCoupling, PlannedGroup } from './groups';
import { BLOCKER, CHANNEL_RULES, keptChannels, LayerUse, Rewrite } from './rules';

type Layer = tfl.layers.Layer;

/**
 * A count before and after compaction.
 *
 * ```js
 * const {before, after} = compactionReport(model).total.macs; // e.g. 2293000 -> 591000
 * ```
 */
export interface BeforeAfter {
  /** In the model as it is. */
  before: number;
  /** In the compacted model. */
  after: number;
}

/**
 * What compaction does to one layer with a kernel: its channels, parameters
 * and multiply-accumulates before and after, and the pruned output units it
 * keeps, each with the reason.
 *
 * ```js
 * const {layer, outputs, macs, kept} = compactionReport(model).layers[0];
 * console.log(`${layer}: ${outputs.before} -> ${outputs.after} channels, ${macs.before} -> ${macs.after} MACs`);
 * ```
 */
export interface LayerCompaction {
  /** The layer's name. */
  layer: string;
  /** Its class as compacted: `'Conv2D'`, `'Dense'`... */
  className: string;
  /** Input channels (a dense layer's input features). */
  inputs: BeforeAfter;
  /** Output channels (units, filters). */
  outputs: BeforeAfter;
  /** Weights of the layer (biases included). */
  parameters: BeforeAfter;
  /** Multiply-accumulates per example. */
  macs: BeforeAfter;
  /** The pruned output units that stay, each with the reason. */
  kept: KeptUnit[];
}

/**
 * A pruned unit that compaction keeps, and why.
 *
 * ```js
 * // {unit: 3, reason: "it reaches an output of the model"}
 * ```
 */
export interface KeptUnit {
  /** The unit's index among the layer's outputs. */
  unit: number;
  /** Why it stays, e.g. `it reaches an output of the model`. */
  reason: string;
}

/**
 * What compaction does to one channel group: the channels its producers
 * make, before and after.
 *
 * ```js
 * const {producers, channels} = compactionReport(model).groups[0]; // ['conv2_block1_0_conv', 'conv2_block1_2_conv'], 16 -> 8
 * ```
 */
export interface GroupCompaction {
  /** The layers whose output units make the group's channels. */
  producers: string[];
  /** Its channels, before and after. */
  channels: BeforeAfter;
}

/** A planned compaction: the layers' rewrites, the report, and the channel groups of each model walked. */
export interface CompactionPlan {
  rewrites: Map<Layer, Rewrite>;
  layers: LayerCompaction[];
  groups: PlannedGroup[];
}

/** The class compaction treats `layer` as: a prunable layer's plain class. */
function classOf(layer: Layer): string {
  return isPrunableLayer(layer) ? layer.plainClassName : layer.getClassName();
}

/** The nodes of `model` in an order where every node comes after the nodes of its inputs. */
function topologicalNodes(model: tfl.LayersModel): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  const nodeOf = (tensor: tfl.SymbolicTensor) => tensor.sourceLayer.inboundNodes[tensor.nodeIndex];
  const visit = (node: Node): void => {
    if (visited.has(node)) return;
    visited.add(node);
    node.inputTensors.forEach((t) => visit(nodeOf(t)));
    order.push(node);
  };
  model.outputs.forEach((t) => visit(nodeOf(t)));
  return order;
}

/** The effective weights of `layer` as arrays, their shapes and their names (`'kernel'`), in its plain class's order. */
function readWeights(layer: Layer): { weights: Float32Array[]; shapes: number[][]; names: string[] } {
  let result!: { weights: Float32Array[]; shapes: number[][]; names: string[] };
  const masks = new Set(isPrunableLayer(layer) ? layer.maskedWeights.map((m) => m.mask) : []);
  const names = layer.weights.filter((w) => !masks.has(w)).map((w) => w.originalName.split('/').pop()!);
  tf.tidy(() => {
    const tensors = effectiveWeights(layer);
    result = { weights: tensors.map((t) => t.dataSync().slice() as Float32Array), shapes: tensors.map((t) => t.shape), names };
  });
  return result;
}

/**
 * The compaction of `model` (and, each on its own, of its nested models).
 * Every layer application is walked once, in topological order; a layer
 * applied more than once, a nested model and a wrapper stop compaction at
 * their inputs, and so does every layer without a rule.
 */
export function planCompaction(model: tfl.LayersModel): CompactionPlan {
  const plan: CompactionPlan = { rewrites: new Map(), layers: [], groups: [] };
  planModel(model, plan);
  return plan;
}

function planModel(model: tfl.LayersModel, plan: CompactionPlan): void {
  const groups = new ChannelGroups();
  const nodes = topologicalNodes(model);
  const uses = new Map<Layer, number>();
  nodes.forEach((node) => uses.set(node.outboundLayer, (uses.get(node.outboundLayer) ?? 0) + 1));
  const channels = new Map<tfl.SymbolicTensor, TensorChannels>();
  const applied: Array<{ use: LayerUse; output: TensorChannels }> = [];
  const couplings: PlacedCoupling[] = [];
  for (const node of nodes) {
    const layer = node.outboundLayer;
    if (layer instanceof tfl.LayersModel) planModel(layer, plan);
    const className = classOf(layer);
    const shared = (uses.get(layer) ?? 0) > 1;
    let rule = CHANNEL_RULES[className] ?? BLOCKER;
    if (shared || layer instanceof tfl.LayersModel || wrappedLayers(layer).length > 0 || node.outputTensors.length !== 1) rule = BLOCKER;
    const { weights, shapes, names } = rule.readsWeights ? readWeights(layer) : { weights: [], shapes: [], names: [] };
    const use: LayerUse = {
      layer,
      className: layer instanceof tfl.LayersModel ? 'nested model' : shared ? `${className} applied more than once` : className,
      config: layer.getConfig(),
      inputs: node.inputTensors.map((t) => channels.get(t)!),
      outputShape: node.outputTensors[0].shape,
      groups,
      weights,
      weightShapes: shapes,
      couple: (weight, axis, role, ids) => couplings.push({
        layer, weight, axis, role, channels: ids, weightName: names[weight], values: weights[weight], shape: shapes[weight],
      }),
    };
    const output = rule.forward(use);
    node.outputTensors.forEach((t) => channels.set(t, output));
    if (rule.rewrite !== undefined) applied.push({ use, output });
  }
  const keepAt = (tensors: tfl.SymbolicTensor[], reason: string) => {
    for (const t of tensors) {
      const at = channels.get(t);
      for (let c = 0; at !== undefined && c < channelCount(at); c++) groups.veto(at.groups[c], reason, true);
    }
  };
  keepAt(model.outputs, 'it reaches an output of the model');
  // A Sequential built on a model walks that model's layers as its own: the nested model's output width stays.
  for (const nested of model.layers) {
    if (nested instanceof tfl.LayersModel) keepAt(nested.outputs, `it reaches an output of the nested model '${nested.name}'`);
  }
  // TF.js layers need a unit at least: a layer whose units would all go keeps its first.
  for (const { output } of applied) {
    if (output.pruned !== undefined && keptChannels(output, groups).length === 0 && channelCount(output) > 0) {
      groups.veto(output.groups[0], 'all its units are pruned, and a layer keeps one');
    }
  }
  plan.groups.push(...formGroups(groups, couplings));
  for (const { use, output } of applied) {
    const rewrite = CHANNEL_RULES[use.className]?.rewrite?.(use, output) ?? null;
    if (rewrite !== null) plan.rewrites.set(use.layer, rewrite);
    if (output.pruned !== undefined) plan.layers.push(report(use, output));
  }
}

/** The report of a layer with a kernel (it made `output`'s units). */
function report(use: LayerUse, output: TensorChannels): LayerCompaction {
  const { groups } = use;
  const input = use.inputs[0];
  const inputs = { before: channelCount(input), after: keptChannels(input, groups).length };
  const outputs = { before: channelCount(output), after: keptChannels(output, groups).length };
  const kept: LayerCompaction['kept'] = [];
  const multiplier = use.className === 'DepthwiseConv2D' ? use.weightShapes[0][3] : 0;
  for (let u = 0; u < outputs.before; u++) {
    const reason = groups.whyKept(output.groups[u]);
    if (output.pruned![u] !== 1 || reason === null) continue;
    // A depthwise channel goes only with its input channel.
    kept.push({ unit: u, reason: multiplier > 0 ? `its input channel ${Math.floor(u / multiplier)} stays: ${reason}` : reason });
  }
  const cost = (i: number, o: number) => costOf(use, i, o);
  return {
    layer: use.layer.name,
    className: use.className,
    inputs,
    outputs,
    parameters: { before: cost(inputs.before, outputs.before).parameters, after: cost(inputs.after, outputs.after).parameters },
    macs: { before: cost(inputs.before, outputs.before).macs, after: cost(inputs.after, outputs.after).macs },
    kept,
  };
}

/** The parameters and multiply-accumulates per example of a layer with `inputs` input and `outputs` output channels. */
function costOf(use: LayerUse, inputs: number, outputs: number): { parameters: number; macs: number } {
  const input = use.inputs[0];
  const spatial = (shape: ReadonlyArray<number | null>, axis: number) =>
    shape.slice(1).reduce<number>((n, d, i) => (i + 1 === axis ? n : n * (d ?? 1)), 1);
  const bias = use.config.useBias === true ? outputs : 0;
  const outputPositions = spatial(use.outputShape, use.outputShape.length === input.shape.length ? input.axis : use.outputShape.length - 1);
  switch (use.className) {
    case 'Dense': return { parameters: inputs * outputs + bias, macs: outputPositions * inputs * outputs };
    case 'Conv2DTranspose': {
      const taps = tf.util.sizeFromShape(use.weightShapes[0].slice(0, -2));
      return { parameters: taps * inputs * outputs + bias, macs: spatial(input.shape, input.axis) * taps * inputs * outputs };
    }
    case 'DepthwiseConv2D': {
      const taps = tf.util.sizeFromShape(use.weightShapes[0].slice(0, -2));
      return { parameters: taps * outputs + bias, macs: outputPositions * taps * outputs };
    }
    case 'SeparableConv2D': {
      const taps = tf.util.sizeFromShape(use.weightShapes[0].slice(0, -2));
      return { parameters: taps * inputs + inputs * outputs + bias, macs: outputPositions * (taps * inputs + inputs * outputs) };
    }
    default: {
      const taps = tf.util.sizeFromShape(use.weightShapes[0].slice(0, -2));
      return { parameters: taps * inputs * outputs + bias, macs: outputPositions * taps * inputs * outputs };
    }
  }
}
