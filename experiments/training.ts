import * as tf from '@tensorflow/tfjs';
import { mulberry32, permutation } from './random';

/** Training data as tensors: images `[n, 784]` and one-hot labels `[n, 10]`. */
export interface TrainingTensors {
  xs: tf.Tensor2D;
  ys: tf.Tensor2D;
}

/** What a training run reports after each batch. */
export interface BatchProgress {
  /** Epoch, counted from 0. */
  epoch: number;
  /** Step within the whole run, counted from 1. */
  step: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
}

/** Options of {@link train}. */
export interface TrainArgs {
  epochs: number;
  batchSize: number;
  /** Seed of the order of the examples in each epoch. */
  seed: number;
  /** Adam's learning rate. Default: 0.001. */
  learningRate?: number;
  /** A lower rate from an epoch on (counted from 0): `{rate: 1e-4, fromEpoch: 3}`. Default: none, `learningRate` throughout. */
  decay?: { rate: number; fromEpoch: number };
  /** Callbacks run before the progress hook, in order (a pruning schedule, say). */
  callbacks?: Array<tf.Callback | tf.CustomCallback>;
  /** Called after each batch. */
  onBatch?: (progress: BatchProgress) => void;
}

/** The end of a training run. */
export interface TrainResult {
  seconds: number;
  /** Loss and accuracy over the last epoch. */
  loss: number;
  accuracy: number;
}

/**
 * Batches per epoch of `n` examples.
 *
 * ```ts
 * stepsPerEpoch(60000, 128); // 469
 * ```
 */
export function stepsPerEpoch(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/**
 * Compiles `model` (a new Adam, categorical cross-entropy, accuracy) and trains it.
 * Each epoch visits the examples in an order drawn from `seed`, not from
 * Math.random as `fit({shuffle: true})` would: the same seed and backend give
 * the same weights.
 *
 * ```ts
 * const result = await train(model, {xs, ys}, {epochs: 10, batchSize: 128, seed: 1});
 * ```
 */
export async function train(model: tf.LayersModel, data: TrainingTensors, args: TrainArgs): Promise<TrainResult> {
  // A second call (a fine-tune) starts a new optimizer: the one the first call made is freed.
  model.optimizer?.dispose();
  const optimizer = tf.train.adam(args.learningRate ?? 0.001);
  model.compile({
    optimizer,
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const n = data.xs.shape[0];
  const random = mulberry32(args.seed);
  function* epochBatches(): Generator<tf.TensorContainerObject> {
    const order = permutation(n, random);
    for (let start = 0; start < n; start += args.batchSize) {
      const indices = order.subarray(start, Math.min(n, start + args.batchSize));
      yield tf.tidy(() => {
        const index = tf.tensor1d(indices, 'int32');
        return { xs: modelInput(model, tf.gather(data.xs, index)), ys: tf.gather(data.ys, index) };
      });
    }
  }
  let step = 0;
  let sums = { loss: 0, accuracy: 0, batches: 0 };
  const progress = new tf.CustomCallback({
    onEpochBegin: async (epoch) => {
      sums = { loss: 0, accuracy: 0, batches: 0 };
      // TF.js has no learning-rate schedule; Adam reads its rate at every step, so setting it between epochs takes effect.
      if (args.decay != null && epoch === args.decay.fromEpoch) (optimizer as unknown as { learningRate: number }).learningRate = args.decay.rate;
    },
    onBatchEnd: async (_batch, logs) => {
      step++;
      sums.loss += logs?.loss ?? NaN;
      sums.accuracy += logs?.acc ?? NaN;
      sums.batches++;
      args.onBatch?.({
        epoch: Math.floor((step - 1) / stepsPerEpoch(n, args.batchSize)),
        step,
        loss: sums.loss / sums.batches,
        accuracy: sums.accuracy / sums.batches,
      });
    },
  });
  const start = performance.now();
  // A generator function, not an array: each epoch iterates it anew and draws a new order.
  await model.fitDataset(tf.data.generator(epochBatches), {
    epochs: args.epochs,
    callbacks: [...(args.callbacks ?? []), progress],
    verbose: 0,
  });
  return {
    seconds: (performance.now() - start) / 1000,
    loss: sums.loss / sums.batches,
    accuracy: sums.accuracy / sums.batches,
  };
}

/**
 * Images `[n, 784]` in the shape of `model`'s input: unchanged for an MLP,
 * `[n, 28, 28, 1]` for LeNet-5 (a reshape, which shares the data).
 *
 * ```ts
 * model.predict(modelInput(model, testXs));
 * ```
 */
export function modelInput(model: tf.LayersModel, xs: tf.Tensor2D): tf.Tensor {
  const shape = model.inputs[0].shape.slice(1) as number[];
  return shape.length === 1 ? xs : tf.reshape(xs, [xs.shape[0], ...shape]);
}

/**
 * Disposes `model` and the optimizer {@link train} gave it (`model.dispose` keeps optimizers it did not create).
 *
 * ```ts
 * disposeModel(model);
 * ```
 */
export function disposeModel(model: tf.LayersModel): void {
  model.optimizer?.dispose();
  model.dispose();
}
