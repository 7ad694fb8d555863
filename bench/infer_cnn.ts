// Inference benchmark of filter-pruned convolutional networks: predict of
// the compacted model against the dense one, at batch 1 and 32, for LeNet-5
// and a VGG-style net (50% and 75% of the filters and hidden units of every
// hidden layer pruned) and a MobileNet-style stack (50% of its pointwise
// filters). Part of bench:infer. The target (wasm, batch 32): compacted time /
// dense time at most 1.3 times compacted MACs / dense MACs. Then channel
// pruning (method 'channel'): a full-size MobileNetV2 at 30% (roundTo 1 and 4) and a ResNet-18
// at 50% (wasm, batch 1 and 4: MACs at most 0.60 and 0.30 of dense, time at
// most 1.3 times the MAC ratio), and LeNet-5 at 50% with roundTo 1, 4 and 8.
import * as tf from '@tensorflow/tfjs';
import {
  compactionReport, compactUnits, makePrunable, prunableConv2d, prunableDense, prunableDepthwiseConv2d, pruneModel, stripPruning,
} from '../src';
import { MOBILENET_V2_BLOCKS, mobileNetV2, resNet } from '../experiments/keras_applications';
import { lenet5 } from '../experiments/models';
import { BenchCase, predicting } from '../timing/cases';

/** How much more time per multiply-accumulate the compacted model may take than the dense one (smaller layers run less efficiently). */
const MAX_OVERHEAD = 1.3;
const BATCHES = [1, 32];

/** A network to prune: a prunable model, the layers to prune, and its input shape. */
export interface Network {
  name: string;
  build: () => tf.LayersModel;
  prune: string[];
  input: number[];
  sparsities: number[];
}

/** A VGG-style net on 32x32x3: conv 32, conv 32, max-pool, conv 64, conv 64, max-pool, dense 128, dense 10 ('same' padding, ReLU). */
function vgg(): tf.LayersModel {
  const conv = (filters: number, name: string, inputShape?: number[]) =>
    prunableConv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name, inputShape });
  return tf.sequential({
    layers: [
      conv(32, 'conv1', [32, 32, 3]), conv(32, 'conv2'), tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(64, 'conv3'), conv(64, 'conv4'), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(), prunableDense({ units: 128, activation: 'relu', name: 'hidden' }),
      prunableDense({ units: 10, activation: 'softmax', name: 'output' }),
    ],
  });
}

/**
 * A MobileNet-style stack on 32x32x16: three depthwise-separable blocks
 * (depthwise 3x3 → BatchNormalization → ReLU6 → pointwise 1x1 to 32, 64, 128
 * → BatchNormalization → ReLU6), global average pooling, dense 10.
 */
function mobileNetStack(): tf.LayersModel {
  const layers: tf.layers.Layer[] = [];
  [32, 64, 128].forEach((filters, i) => {
    layers.push(
      prunableDepthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: `dw${i + 1}`, ...(i === 0 ? { inputShape: [32, 32, 16] } : {}) }),
      tf.layers.batchNormalization(), tf.layers.reLU({ maxValue: 6 }),
      prunableConv2d({ filters, kernelSize: 1, useBias: false, name: `pw${i + 1}` }),
      tf.layers.batchNormalization(), tf.layers.reLU({ maxValue: 6 }),
    );
  });
  layers.push(tf.layers.globalAveragePooling2d({}), prunableDense({ units: 10, activation: 'softmax', name: 'output' }));
  return tf.sequential({ layers });
}

export const NETWORKS: readonly Network[] = [
  { name: 'LeNet-5', build: () => lenet5(1).model, prune: ['conv1', 'conv2', 'hidden'], input: [28, 28, 1], sparsities: [0.5, 0.75] },
  { name: 'VGG-style 32x32x3', build: vgg, prune: ['conv1', 'conv2', 'conv3', 'conv4', 'hidden'], input: [32, 32, 3], sparsities: [0.5, 0.75] },
  { name: 'MobileNet-style 32x32x16', build: mobileNetStack, prune: ['pw1', 'pw2', 'pw3'], input: [32, 32, 16], sparsities: [0.5] },
];


/** `network`'s prunable model with `sparsity` of the units of each of its `prune` layers pruned by norm. */
export function prunedNetwork(network: Network, sparsity: number): tf.LayersModel {
  const model = network.build();
  pruneModel(model, { method: 'unit', sparsity, layers: network.prune });
  return model;
}

/** Throws unless `a` and `b` predict the same for `x`, to 1e-4 of the largest output. */
function checkSamePredictions(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor, what: string): void {
  const [difference, scale] = tf.tidy(() => {
    const [pa, pb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
    return [tf.max(tf.abs(tf.sub(pa, pb))).dataSync()[0], Math.max(1, tf.max(tf.abs(pb)).dataSync()[0])];
  });
  if (!(difference <= 1e-4 * scale)) throw new Error(`${what}: compacted and pruned predictions differ by ${difference}`);
}

/**
 * The CNN cases on `backend`, each with its models; `dispose` frees them.
 * Untrained models: speed does not depend on the values, and their zero
 * biases let every pruned filter go, also into 'same'-padded convolutions.
 */
export function cnnInferCases(backend: string): { cases: BenchCase[]; dispose: () => void } {
  const models: tf.LayersModel[] = [];
  const tensors: tf.Tensor[] = [];
  const cases: BenchCase[] = [];
  for (const network of NETWORKS) {
    const unpruned = network.build();
    const dense = stripPruning(unpruned);
    models.push(unpruned, dense);
    for (const sparsity of network.sparsities) {
      const model = prunedNetwork(network, sparsity);
      const { total } = compactionReport(model);
      const compacted = compactUnits(model);
      models.push(model, compacted);
      const macRatio = total.macs.after / total.macs.before;
      for (const batch of BATCHES) {
        const x = tf.randomNormal([batch, ...network.input], 0, 1, 'float32', 5);
        tensors.push(x);
        checkSamePredictions(compacted, model, x, `${network.name} at ${sparsity}`);
        const target = backend === 'wasm' && batch === 32 ? { maxRatio: MAX_OVERHEAD * macRatio } : {};
        cases.push({
          name: `${network.name} compacted`,
          sizes: `batch ${batch}, ${sparsity * 100}% filters, MACs ${total.macs.after} / ${total.macs.before} = ${macRatio.toFixed(3)}`,
          candidate: predicting(`compacted (${compacted.countParams()} params)`, compacted, x),
          baseline: predicting(`dense (${dense.countParams()} params)`, dense, x),
          repetitions: batch === 1 ? 41 : backend === 'cpu' ? 7 : 21,
          warmup: 3,
          ...target,
        });
      }
    }
  }
  return { cases, dispose: () => { models.forEach((m) => m.dispose()); tf.dispose(tensors); } };
}

/** A network pruned by channel groups: its prunable model, how far, and the batches and MAC target of its cases. */
export interface ChannelNetwork {
  name: string;
  build: () => tf.LayersModel;
  input: number[];
  sparsity: number;
  roundTo: number;
  /** The layers to prune; default: all (the output layer stays). */
  layers?: string[];
  batches: number[];
  /** Target: compacted MACs / dense MACs at most this. */
  maxMacRatio?: number;
  /** Where the time target applies: wasm at these batches. */
  timedBatches: number[];
}

/** `plain` made prunable, as a user converts a Keras model; `plain` is disposed. */
function converted(plain: tf.LayersModel): tf.LayersModel {
  const model = makePrunable(plain);
  plain.dispose();
  return model;
}

export const CHANNEL_NETWORKS: readonly ChannelNetwork[] = [
  ...[1, 4].map((roundTo) => ({
    name: 'MobileNetV2 224x224 (alpha 1.0)',
    build: () => converted(mobileNetV2({ size: 224, alpha: 1, classes: 1000, blocks: MOBILENET_V2_BLOCKS as number[][], head: 1280 })),
    input: [224, 224, 3], sparsity: 0.3, roundTo, batches: [1, 4], maxMacRatio: 0.6, timedBatches: [1, 4],
  })),
  {
    name: 'ResNet-18 224x224',
    build: () => converted(resNet({ size: 224, widths: [64, 128, 256, 512], blocks: 2, classes: 1000 })),
    input: [224, 224, 3], sparsity: 0.5, roundTo: 1, batches: [1, 4], maxMacRatio: 0.3, timedBatches: [1, 4],
  },
  ...[1, 4, 8].map((roundTo) => ({
    name: 'LeNet-5 channel',
    build: () => lenet5(1).model,
    input: [28, 28, 1], sparsity: 0.5, roundTo, layers: ['conv1', 'conv2', 'hidden'], batches: [32], timedBatches: [32],
  })),
];

/**
 * The channel-pruning cases on `backend` (wasm only: the full-size networks
 * take minutes per predict on cpu), each with its models; `dispose` frees them.
 */
export function channelInferCases(backend: string): { cases: BenchCase[]; dispose: () => void } {
  const models: tf.LayersModel[] = [];
  const tensors: tf.Tensor[] = [];
  const cases: BenchCase[] = [];
  if (backend !== 'wasm') return { cases, dispose: () => undefined };
  for (const network of CHANNEL_NETWORKS) {
    const model = network.build();
    const dense = stripPruning(model);
    pruneModel(model, { method: 'channel', sparsity: network.sparsity, roundTo: network.roundTo, ...(network.layers ? { layers: network.layers } : {}) });
    const { total } = compactionReport(model);
    const compacted = compactUnits(model);
    models.push(model, dense, compacted);
    const macRatio = total.macs.after / total.macs.before;
    const checks = network.maxMacRatio === undefined ? [] : [{ target: `MACs <= ${network.maxMacRatio}`, pass: macRatio <= network.maxMacRatio }];
    for (const batch of network.batches) {
      const x = tf.randomNormal([batch, ...network.input], 0, 1, 'float32', 5);
      tensors.push(x);
      checkSamePredictions(compacted, model, x, `${network.name} at ${network.sparsity}`);
      cases.push({
        name: `${network.name} compacted`,
        sizes: `batch ${batch}, ${network.sparsity * 100}% channels, roundTo ${network.roundTo}, MACs ${total.macs.after} / ${total.macs.before} = ${macRatio.toFixed(3)}`,
        candidate: predicting(`compacted (${compacted.countParams()} params)`, compacted, x),
        baseline: predicting(`dense (${dense.countParams()} params)`, dense, x),
        repetitions: network.input[0] > 100 ? 7 : 21,
        warmup: 2,
        ...(network.timedBatches.includes(batch) ? { maxRatio: MAX_OVERHEAD * macRatio } : {}),
        checks,
      });
    }
  }
  return { cases, dispose: () => { models.forEach((m) => m.dispose()); tf.dispose(tensors); } };
}
