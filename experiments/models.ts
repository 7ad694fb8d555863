import * as tf from '@tensorflow/tfjs';
import { prunableConv2d, prunableDense } from '../src';
import { MNIST_CLASSES, MNIST_PIXELS } from './data/mnist';
import { seedSequence } from './random';
import type { NetworkName } from './results';
import { SeededDropout } from './seeded_dropout';

// Every dense layer is a PrunableDense, the unpruned ones included: with a mask
// of ones it computes what tf.layers.dense computes, and on wasm its custom
// gradient trains several times faster, so all models train at the same speed.

/** A model of the experiments and the names of the layers that pruning may touch. */
export interface ExperimentModel {
  model: tf.Sequential;
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

/**
 * The builder of a network of the study, by name: `(modelSeed, dropoutRate) => model`.
 *
 * ```ts
 * const {model, prunable} = networkBuilder('LeNet-5')(1, 0.5);
 * ```
 */
export function networkBuilder(network: NetworkName): (seed: number, dropoutRate: number) => ExperimentModel {
  if (network === 'reference MLP') return (seed) => referenceMlp(seed);
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
