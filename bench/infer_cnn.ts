// Inference benchmark of filter-pruned convolutional networks: predict of
// the compacted model against the dense one, at batch 1 and 32, for LeNet-5
// and a VGG-style net (50% and 75% of the filters and hidden units of every
// hidden layer pruned) and a MobileNet-style stack (50% of its pointwise
// filters). Part of bench:infer. The target (wasm, batch 32): compacted time /
// dense time at most 1.3 times compacted MACs / dense MACs.
import * as tf from '@tensorflow/tfjs';
import {
  compactionReport, compactUnits, prunableConv2d, prunableDense, prunableDepthwiseConv2d, pruneModel, stripPruning,
} from '../src';
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
