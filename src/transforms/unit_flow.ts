import * as tfl from '@tensorflow/tfjs-layers';
import type { Node } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { isPrunableLayer } from '../layers/registry';

type Layer = tfl.layers.Layer;

/** The connections between the layers of one model (not descending into nested models). */
export interface ModelGraph {
  /** The layers that take each layer's output as an input, once per use. */
  consumers: ReadonlyMap<Layer, readonly Layer[]>;
  /** How many times each layer is applied in the model. */
  uses: ReadonlyMap<Layer, number>;
  /** The layers whose output is an output of the model. */
  outputs: ReadonlySet<Layer>;
}

/** The graph of `model`, walked back from its outputs as TF.js runs it. */
export function modelGraph(model: tfl.LayersModel): ModelGraph {
  const consumers = new Map<Layer, Layer[]>();
  const uses = new Map<Layer, number>();
  const visited = new Set<Node>();
  const nodeOf = (tensor: tfl.SymbolicTensor) => tensor.sourceLayer.inboundNodes[tensor.nodeIndex];
  const stack = model.outputs.map(nodeOf);
  for (let node = stack.pop(); node != null; node = stack.pop()) {
    if (visited.has(node)) continue;
    visited.add(node);
    const layer = node.outboundLayer;
    uses.set(layer, (uses.get(layer) ?? 0) + 1);
    for (const input of node.inputTensors) {
      const list = consumers.get(input.sourceLayer) ?? [];
      list.push(layer);
      consumers.set(input.sourceLayer, list);
      stack.push(nodeOf(input));
    }
  }
  return { consumers, uses, outputs: new Set(model.outputs.map((t) => t.sourceLayer)) };
}

/** Whether `layer` is a dense layer: a Dense, or a prunable layer that strips to one. */
export function isDenseLayer(layer: Layer): boolean {
  return (isPrunableLayer(layer) ? layer.plainClassName : layer.getClassName()) === 'Dense';
}

/** Activations that combine the units they are applied to. */
const MIXING_ACTIVATIONS: ReadonlySet<string> = new Set(['softmax', 'logSoftmax']);

/** Layers that, at inference, compute each unit from that unit alone and hold no weights. */
const UNITWISE_LAYERS: ReadonlySet<string> = new Set([
  'Dropout', 'SpatialDropout1D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise',
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'BatchNormalization',
]);

/** What may lie between two dense layers, for error messages. */
export const UNITWISE_LAYER_NAMES = 'Dropout, SpatialDropout1D, AlphaDropout, GaussianDropout, GaussianNoise, ' +
  'Activation (but softmax), ReLU, LeakyReLU, ELU, ThresholdedReLU and BatchNormalization (on the last axis)';

/** Whether `activation`, a Dense or Activation config's activation name, combines the units it is applied to. */
export function mixesUnits(activation: unknown): boolean {
  return MIXING_ACTIVATIONS.has(String(activation));
}

/**
 * Why `layer` combines, reorders or reshapes the units of its input at
 * inference, as what it is ("a Flatten, which ..."), or null when it computes
 * each unit from that unit alone. Of those, only BatchNormalization holds
 * weights, one value per unit each.
 */
function mixingReason(layer: Layer): string | null {
  const className = layer.getClassName();
  if (layer instanceof tfl.LayersModel) return 'a nested model, whose input width is fixed';
  if (!UNITWISE_LAYERS.has(className)) return `a ${className}, which combines or reshapes units`;
  const config = layer.getConfig();
  if (className === 'Activation' && mixesUnits(config.activation)) {
    return `an Activation with '${config.activation}', which combines units`;
  }
  if (className === 'BatchNormalization') {
    const rank = (layer.outputShape as tfl.Shape).length;
    const axis = config.axis as number;
    if (axis !== -1 && axis !== rank - 1) return `a BatchNormalization on axis ${axis}, not on the units' (last) axis`;
  }
  return null;
}

/** A dense layer that reads the units of another, through unitwise layers. */
export interface UnitReader {
  /** The dense layer. */
  layer: Layer;
  /** The unitwise layers between the two, in order. */
  path: Layer[];
}

/** Where the units of a layer's output go. */
export interface UnitFlow {
  /** The dense layers that read them, through unitwise layers only. */
  readers: UnitReader[];
  /** Whether the units, or a unitwise function of them, are an output of the model. */
  reachesOutput: boolean;
  /**
   * The first layer on the way (or the layer itself) that combines or
   * reshapes units or is shared, and what it is, as "a Flatten, which
   * combines or reshapes units"; null if none.
   */
  blocker: { layer: Layer; reason: string } | null;
}

/**
 * Follows the units of `layer`'s output through `graph`, across layers that
 * act on each unit alone, to the dense layers that read them.
 */
export function unitFlow(graph: ModelGraph, layer: Layer): UnitFlow {
  const flow: UnitFlow = { readers: [], reachesOutput: false, blocker: null };
  const block = (blocker: Layer, reason: string) => {
    flow.blocker ??= { layer: blocker, reason };
  };
  const shared = (l: Layer) => (graph.uses.get(l) ?? 0) > 1;
  const visit = (source: Layer, path: Layer[]): void => {
    if (graph.outputs.has(source)) flow.reachesOutput = true;
    for (const consumer of graph.consumers.get(source) ?? []) {
      if (shared(consumer)) {
        block(consumer, `a ${consumer.getClassName()} applied more than once in the model`);
      } else if (isDenseLayer(consumer)) {
        flow.readers.push({ layer: consumer, path });
      } else {
        const reason = mixingReason(consumer);
        if (reason == null) visit(consumer, [...path, consumer]);
        else block(consumer, reason);
      }
    }
  };
  if (shared(layer)) block(layer, `a ${layer.getClassName()} applied more than once in the model`);
  visit(layer, []);
  return flow;
}
