// Training benchmark of convolutional networks on wasm: LeNet-5 of prunable
// layers against stock tf.layers on the cpu backend (the only stock way to
// train a CNN in Node without tfjs-node: wasm lacks Conv2DBackpropFilter),
// against the step's matMul-bound limit, predict against stock tf.layers on
// wasm, and a MobileNet-style block beside stock cpu; the max-pooling gradient
// of registerWasmMaxPoolGrad (which the LeNet-5 steps train with) against
// wasm's own, the two forms of a convolution's input gradient, and the
// study's residual CNN's step with registerBatchNormGrad against TF.js's
// BatchNormalization gradient. Part of bench:train.
import * as tf from '@tensorflow/tfjs';
import { prunableConv2d, prunableDense, prunableDepthwiseConv2d, registerBatchNormGrad, registerWasmMaxPoolGrad, stripPruning } from '../src';
import { axisGeometry } from '../src/ops/conv_geometry';
import { correlatedInputGradient, scatteredInputGradient } from '../src/ops/conv';
import { loadMnist, mnistTensors } from '../experiments/data/mnist';
import { lenet5, residualCnn } from '../experiments/models';
import { BenchCase, predicting, Side, stepping } from '../timing/cases';
import { BenchCases } from './harness';

/**
 * LeNet-5's multiply-accumulates per image in one training step: forward
 * (288,000 + 1,600,000 + 400,000 + 5,000), the same again for the kernel
 * gradients, and the input gradients of every layer but the first
 * (1,600,000 + 400,000 + 5,000).
 */
export const LENET5_STEP_MACS = 6_591_000;
/** The matMul whose measured rate is the limit: 1024 x 1024 by 1024 x 1024. */
const MATMUL = 1024;

/** `model` compiled with Adam (by name, so that model.dispose() frees the optimizer too). */
function compiled(model: tf.LayersModel): tf.LayersModel {
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * A side that multiplies two 1024 x 1024 matrices, the second new each time
 * (wasm's matMul caches its second operand by tensor: reusing one would
 * flatter the rate). Timed anew beside each step it limits, as many times,
 * so that every repetition of the step alternates with one of the matMul:
 * this machine's speed drifts between cases. The new operand is computed on
 * the backend and only one element of the product is read back: 4 MB arrays
 * made in JavaScript for each of them left garbage whose collection fell on
 * the steps timed next.
 */
function matMulSide(repetitions: number): Side & { dispose: () => void } {
  const a = tf.randomUniform([MATMUL, MATMUL], -1, 1, 'float32', 1);
  const base = tf.randomUniform([MATMUL, MATMUL], -1, 1, 'float32', 2);
  let b: tf.Tensor | null = null;
  let round = 0;
  return {
    label: `matMul ${MATMUL}x${MATMUL} by ${MATMUL}x${MATMUL}`,
    repetitions,
    prepare: () => {
      b?.dispose();
      b = tf.tidy(() => tf.mul(base, 1 + ++round / 1024));
    },
    run: () => {
      tf.tidy(() => tf.slice(tf.matMul(a, b!), [0, 0], [1, 1]).dataSync());
    },
    dispose: () => tf.dispose([a, base, b!]),
  };
}

/** `side` run with `register`'s replacement (named `name`) in place of TF.js's, registered for the run only. */
function withRegistered(side: Side, name: string, register: () => () => void): Side {
  return {
    ...side,
    label: `${side.label}, ${name}`,
    run: async () => {
      const restore = register();
      try {
        await side.run();
      } finally {
        restore();
      }
    },
  };
}

/** `side` run with registerWasmMaxPoolGrad's kernel in place of wasm's. */
const withMaxPoolGradFix = (side: Side) => withRegistered(side, 'registerWasmMaxPoolGrad', registerWasmMaxPoolGrad);
/** `side` run with registerBatchNormGrad's gradient in place of TF.js's. */
const withBatchNormGrad = (side: Side) => withRegistered(side, 'registerBatchNormGrad', registerBatchNormGrad);

/** A side that computes the gradient of `sum(maxPool(x, 2, 2) ⊙ dy)` for LeNet-5's first pooling at batch 128. */
function poolGradientSide(label: string, tensors: tf.Tensor[]): Side {
  const x = tf.randomNormal([128, 24, 24, 20], 0, 1, 'float32', 4) as tf.Tensor4D;
  const dy = tf.randomNormal([128, 12, 12, 20], 0, 1, 'float32', 5);
  tensors.push(x, dy);
  return {
    label,
    run: () => {
      const dx = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), dy)))(x));
      dx.dataSync();
      dx.dispose();
    },
  };
}

/** A side that computes the input gradient of LeNet-5's second convolution at batch 128 in one of its two forms. */
function inputGradientSide(form: typeof correlatedInputGradient, tensors: tf.Tensor[]): Side {
  const dy = tf.randomNormal([128, 8, 8, 50], 0, 1, 'float32', 6) as tf.Tensor4D;
  const kernel = tf.randomNormal([5, 5, 20, 50], 0, 1, 'float32', 7) as tf.Tensor4D;
  tensors.push(dy, kernel);
  const g = [axisGeometry(12, 5, 1, 1, 'valid'), axisGeometry(12, 5, 1, 1, 'valid')] as Parameters<typeof form>[2];
  return {
    label: form.name,
    run: () => {
      const dx = tf.tidy(() => form(dy, kernel, g));
      dx.dataSync();
      dx.dispose();
    },
  };
}

/**
 * A MobileNet-style block on 16x16x32: depthwise 3x3 → BatchNormalization →
 * ReLU6 → pointwise 1x1 to 64 → BatchNormalization → ReLU6, then global
 * average pooling and a dense softmax over 10 classes.
 */
function mobileNetBlock(kind: 'prunable' | 'stock'): tf.LayersModel {
  const prunable = kind === 'prunable';
  const depthwise = { kernelSize: 3, padding: 'same' as const, useBias: false, inputShape: [16, 16, 32] };
  const pointwise = { filters: 64, kernelSize: 1, useBias: false };
  return tf.sequential({
    layers: [
      prunable ? prunableDepthwiseConv2d(depthwise) : tf.layers.depthwiseConv2d(depthwise),
      tf.layers.batchNormalization(),
      tf.layers.reLU({ maxValue: 6 }),
      prunable ? prunableConv2d(pointwise) : tf.layers.conv2d(pointwise),
      tf.layers.batchNormalization(),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.globalAveragePooling2d({}),
      prunable ? prunableDense({ units: 10, activation: 'softmax' }) : tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** A batch of `count` MNIST images as [count, 28, 28, 1], with one-hot labels. */
function mnistImages(count: number): { x: tf.Tensor; y: tf.Tensor } {
  const { xs, ys } = mnistTensors(loadMnist({ trainSize: count, testSize: 1 }).train);
  const x = tf.reshape(xs, [count, 28, 28, 1]);
  xs.dispose();
  return { x, y: ys };
}

/** A seeded batch of 32 inputs of the MobileNet block, with one-hot labels, on the current backend. */
function blockBatch(): { x: tf.Tensor; y: tf.Tensor } {
  const labels = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32');
  const y = tf.oneHot(labels, 10);
  labels.dispose();
  return { x: tf.randomUniform([32, 16, 16, 32], 0, 1, 'float32', 3), y };
}

/** The CNN cases, built on wasm (and, for the stock sides, on cpu); wasm must be active. */
export async function cnnTrainCases(): Promise<BenchCases> {
  const models: tf.LayersModel[] = [];
  const tensors: tf.Tensor[] = [];
  const keep = <T extends tf.LayersModel>(model: T) => {
    models.push(model);
    return model;
  };
  const data = (count: number) => {
    const batch = mnistImages(count);
    tensors.push(batch.x, batch.y);
    return batch;
  };
  const prunableLenet = () => keep(compiled(lenet5(1).model));
  /** The same LeNet-5 of stock tf.layers (the prunable one it is stripped from is disposed). */
  const stockLenet5 = () => {
    const prunable = lenet5(1).model;
    const stock = stripPruning(prunable);
    prunable.dispose();
    return keep(stock);
  };
  const batch32 = data(32);
  const batch128 = data(128);

  // The stock models live on the cpu backend, with their own copies of the data.
  await tf.setBackend('cpu');
  const stockLenet = compiled(stockLenet5());
  const stockBlock = keep(compiled(mobileNetBlock('stock')));
  const cpuBatch32 = { x: tf.clone(batch32.x), y: tf.clone(batch32.y) };
  const cpuBlockData = blockBatch();
  tensors.push(cpuBatch32.x, cpuBatch32.y, cpuBlockData.x, cpuBlockData.y);
  await tf.setBackend('wasm');
  const blockData = blockBatch();
  tensors.push(blockData.x, blockData.y);

  // Timed anew in each case: interleaved with the cpu backend's steps, a wasm step also pays for the
  // garbage collection of their JS arrays. The first steps of a model are slower (the wasm heap grows).
  const STEP_REPETITIONS = 15;
  const lenetStep = (batch: { x: tf.Tensor; y: tf.Tensor }): Side => ({
    ...withMaxPoolGradFix(stepping('prunable LeNet-5, Adam, wasm', prunableLenet(), batch, 'wasm')),
    repetitions: STEP_REPETITIONS,
    warmup: 10,
  });
  const matMul = matMulSide(STEP_REPETITIONS);
  const stockStep: Side = { ...stepping('tf.layers LeNet-5, Adam, cpu', stockLenet, cpuBatch32, 'cpu'), repetitions: 3 };
  const cases: BenchCase[] = [
    {
      name: 'LeNet-5 step: prunable on wasm / tf.layers on cpu',
      sizes: 'batch 32, one step',
      candidate: lenetStep(batch32),
      baseline: stockStep,
      maxRatio: 0.05,
    },
    ...[128, 32].map((size): BenchCase => ({
      name: 'LeNet-5 step / matMul-bound limit',
      sizes: `batch ${size}, ${LENET5_STEP_MACS * size} MACs, limit = 1024³ matMul time × MACs / 1024³`,
      candidate: lenetStep(size === 32 ? batch32 : batch128),
      baseline: matMul,
      baselineScale: (LENET5_STEP_MACS * size) / MATMUL ** 3,
      maxRatio: 2.5,
    })),
    {
      name: 'LeNet-5 predict: prunable / tf.layers',
      sizes: 'batch 128, wasm',
      candidate: predicting('prunable LeNet-5', prunableLenet(), batch128.x),
      baseline: predicting('tf.layers LeNet-5', stockLenet5(), batch128.x),
      repetitions: 31,
      warmup: 3,
      maxRatio: 1.05,
    },
    {
      name: 'max-pool gradient: registerWasmMaxPoolGrad / wasm\'s MaxPoolGrad',
      sizes: '[128, 24, 24, 20], 2x2 windows, stride 2 (LeNet-5\'s first pooling, batch 128)',
      candidate: withMaxPoolGradFix(poolGradientSide('gradient of tf.maxPool', tensors)),
      baseline: poolGradientSide('gradient of tf.maxPool, wasm\'s MaxPoolGrad', tensors),
      repetitions: 15,
      warmup: 3,
    },
    {
      name: 'conv input gradient: scattered / correlated',
      sizes: "LeNet-5's second conv ('valid' 5x5, 20 to 50 channels on 12x12), batch 128",
      candidate: inputGradientSide(scatteredInputGradient, tensors),
      baseline: inputGradientSide(correlatedInputGradient, tensors),
      repetitions: 15,
      warmup: 3,
    },
    {
      name: 'residual CNN step: registerBatchNormGrad / TF.js\'s BatchNormalization gradient',
      sizes: "the study's residual CNN (6 Conv → BatchNormalization), batch 128, wasm",
      candidate: withBatchNormGrad(stepping('residual CNN, Adam, wasm', keep(compiled(residualCnn(1).model)), batch128, 'wasm')),
      baseline: stepping('residual CNN, Adam, wasm', keep(compiled(residualCnn(1).model)), batch128, 'wasm'),
      repetitions: 11,
      warmup: 3,
      maxRatio: 1,
    },
    {
      name: 'MobileNet block step: prunable on wasm / tf.layers on cpu',
      sizes: '16x16x32, depthwise 3x3 + BN + ReLU6 + pointwise 64 + BN + ReLU6, batch 32',
      candidate: { ...stepping('prunable block, Adam, wasm', keep(compiled(mobileNetBlock('prunable'))), blockData, 'wasm'), repetitions: 15, warmup: 3 },
      baseline: { ...stepping('tf.layers block, Adam, cpu', stockBlock, cpuBlockData, 'cpu'), repetitions: 3 },
    },
  ];
  const dispose = () => {
    models.forEach((model) => model.dispose());
    tf.dispose(tensors);
    matMul.dispose();
  };
  return { cases, dispose };
}
