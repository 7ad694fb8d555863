import * as tf from '@tensorflow/tfjs';
import { makePrunable, prunableConv2d, prunableDense } from '../src';
import { MNIST_CLASSES, MNIST_PIXELS } from './data/mnist';
import { seedSequence } from './random';
import type { NetworkName } from './results';
import { SeededDropout } from './seeded_dropout';

// Every dense layer is a PrunableDense, the unpruned ones included: with a mask
// of ones it computes what tf.layers.dense computes, and on wasm its custom
// gradient trains several times faster, so all models train at the same speed.

/** A model of the experiments and the names of the layers that pruning may touch. */
export interface ExperimentModel {
  model: tf.LayersModel;
  /** The hidden layers: pruned by every method. The output layer stays dense (removing its units would remove classes). */
  prunable: string[];
}

/** Hidden layer widths of the reference experiment (gorjanradevski/pruning_deep_nets). */
export const REFERENCE_HIDDEN = [1000, 1000, 500, 200];
/** Hidden layer widths of LeNet-300-100 (Han et al. 2015). */
export const LENET_HIDDEN = [300, 100];

/**
 * The reference experiment's MLP: 784-1000-1000-500-200-10, ReLU, no biases,
 * Glorot-uniform initialization seeded from `seed`, softmax output.
 *
 * ```ts
 * const {model, prunable} = referenceMlp(1);
 * ```
 */
export function referenceMlp(seed: number): ExperimentModel {
  return mlp(REFERENCE_HIDDEN, { seed, useBias: false, dropoutRate: 0 });
}

/**
 * LeNet-300-100: 784-300-100-10, ReLU, with biases, Glorot-uniform
 * initialization seeded from `seed`; with `dropoutRate > 0`, a dropout layer
 * after each hidden layer. The same seed gives the same initial weights with
 * or without dropout.
 *
 * ```ts
 * const {model, prunable} = lenet300100(1, 0.5);
 * ```
 */
export function lenet300100(seed: number, dropoutRate = 0): ExperimentModel {
  return mlp(LENET_HIDDEN, { seed, useBias: true, dropoutRate });
}

/**
 * LeNet-5 as Han et al. 2015 prune it: 28x28x1 → conv 20@5x5 ReLU → max-pool
 * 2 → conv 50@5x5 ReLU → max-pool 2 → dense 500 ReLU → dense 10 softmax,
 * Glorot-uniform initialization seeded from `seed`; with `dropoutRate > 0`,
 * a dropout layer after the dense hidden layer. Every convolution and dense
 * layer is prunable; the output layer is not among `prunable`.
 *
 * ```ts
 * const {model, prunable} = lenet5(1); // prunable: ['conv1', 'conv2', 'hidden']
 * ```
 */
export function lenet5(seed: number, dropoutRate = 0): ExperimentModel {
  const nextSeed = seedSequence(seed);
  const init = () => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }) });
  const layers: tf.layers.Layer[] = [
    prunableConv2d({ filters: 20, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1], name: 'conv1', ...init() }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    prunableConv2d({ filters: 50, kernelSize: 5, activation: 'relu', name: 'conv2', ...init() }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
    tf.layers.flatten({ name: 'flatten' }),
    prunableDense({ units: 500, activation: 'relu', name: 'hidden', ...init() }),
  ];
  const dropoutSeed = nextSeed();
  if (dropoutRate > 0) layers.push(new SeededDropout({ rate: dropoutRate, seed: dropoutSeed, name: 'dropout' }));
  layers.push(prunableDense({ units: MNIST_CLASSES, activation: 'softmax', name: 'output', ...init() }));
  return { model: tf.sequential({ layers }), prunable: ['conv1', 'conv2', 'hidden'] };
}

type T = tf.SymbolicTensor;

/** Channels of the residual CNN's stem and first block, and of its second block. */
export const RESIDUAL_WIDTHS = [24, 48] as const;

/**
 * A small residual CNN built as Keras builds them, with plain `tf.layers`:
 * Conv → BatchNormalization → ReLU with `'same'` padding, a stem of
 * {@link RESIDUAL_WIDTHS}[0] channels at stride 2, an identity block,
 * a block of {@link RESIDUAL_WIDTHS}[1] channels at stride 2 with a 1x1
 * projection shortcut, global average pooling and a softmax. Glorot-uniform
 * initialization seeded from `seed` (unseeded without one).
 *
 * ```ts
 * const prunable = makePrunable(residualModel(1));
 * ```
 */
export function residualModel(seed?: number): tf.LayersModel {
  const nextSeed = seed == null ? () => undefined : seedSequence(seed);
  const init = () => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }) });
  /** Conv → BatchNormalization → ReLU (none for a block's last conv, which the shortcut joins first). */
  const convBn = (x: T, filters: number, name: string, { strides = 1, kernelSize = 3, relu = true } = {}): T => {
    let y = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name: `${name}_conv`, ...init() }).apply(x) as T;
    // Momentum 0.9 (Keras: 0.99): the moving statistics inference uses settle within a short training.
    y = tf.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(y) as T;
    return relu ? tf.layers.reLU({ name: `${name}_relu` }).apply(y) as T : y;
  };
  /** A residual block: two 3x3 convs, added to the input or to its 1x1 projection. */
  const block = (x: T, filters: number, name: string, strides = 1): T => {
    const shortcut = strides === 1 ? x : convBn(x, filters, `${name}_proj`, { strides, kernelSize: 1, relu: false });
    const y = convBn(convBn(x, filters, `${name}_a`, { strides }), filters, `${name}_b`, { relu: false });
    return tf.layers.reLU({ name: `${name}_out` }).apply(tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as T) as T;
  };
  const [narrow, wide] = RESIDUAL_WIDTHS;
  const input = tf.input({ shape: [28, 28, 1] });
  // A stem at stride 2: the 28x28 maps it skips would cost more training time (BatchNormalization's statistics, pooling) than all the rest.
  let x = convBn(input, narrow, 'stem', { strides: 2 });
  x = block(block(x, narrow, 'block1'), wide, 'block2', 2);
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as T;
  const output = tf.layers.dense({ units: MNIST_CLASSES, activation: 'softmax', name: 'output', ...init() }).apply(x) as T;
  return tf.model({ inputs: input, outputs: output });
}

/**
 * The study's residual CNN ({@link residualModel}) converted by `makePrunable`,
 * as a Keras-converted model would be. Pruning touches the convolutions
 * (`prunable`); the output layer stays dense.
 *
 * ```ts
 * const {model, prunable} = residualCnn(1);
 * ```
 */
export function residualCnn(seed: number): ExperimentModel {
  const plain = residualModel(seed);
  try {
    // The output layer too: a PrunableDense trains faster on wasm than a Dense (see the note at the top).
    const model = makePrunable(plain);
    return { model, prunable: model.layers.filter((layer) => layer.name.endsWith('_conv')).map((layer) => layer.name) };
  } finally {
    plain.dispose();
  }
}

/**
 * The builder of a network of the study, by name: `(modelSeed, dropoutRate) => model`.
 *
 * ```ts
 * const {model, prunable} = networkBuilder('LeNet-5')(1, 0.5);
 * ```
 */
export function networkBuilder(network: NetworkName): (seed: number, dropoutRate: number) => ExperimentModel {
  if (network === 'reference MLP') return (seed) => referenceMlp(seed);
  if (network === 'residual CNN') return (seed) => residualCnn(seed);
  return network === 'LeNet-5' ? lenet5 : lenet300100;
}

function mlp(hidden: number[], options: { seed: number; useBias: boolean; dropoutRate: number }): ExperimentModel {
  const nextSeed = seedSequence(options.seed);
  const dense = (units: number, activation: 'relu' | 'softmax', name: string, inputShape?: number[]) =>
    prunableDense({
      units,
      activation,
      name,
      inputShape,
      useBias: options.useBias,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
    });
  const layers: tf.layers.Layer[] = [];
  const prunable: string[] = [];
  hidden.forEach((units, i) => {
    const name = `hidden${i + 1}`;
    layers.push(dense(units, 'relu', name, i === 0 ? [MNIST_PIXELS] : undefined));
    prunable.push(name);
    // Drawn whether or not it is used, so dropout does not change the kernels' seeds.
    const dropoutSeed = nextSeed();
    if (options.dropoutRate > 0) {
      layers.push(new SeededDropout({ rate: options.dropoutRate, seed: dropoutSeed, name: `dropout${i + 1}` }));
    }
  });
  layers.push(dense(MNIST_CLASSES, 'softmax', 'output'));
  return { model: tf.sequential({ layers }), prunable };
}
