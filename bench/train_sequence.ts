// Training benchmark of text models on wasm: an Embedding + LSTM classifier
// of prunable layers against stock tf.layers on the cpu backend (the only
// stock way to train an embedding in Node without tfjs-node: wasm lacks
// UnsortedSegmentSum, the gradient of gather), and an LSTM's training step
// and predict against tf.layers' LSTM on wasm, where the masks should cost
// at most 10%. Part of bench:train.
import * as tf from '@tensorflow/tfjs';
import { prunableEmbedding, prunableLSTM } from '../src';
import { predicting, stepping } from '../timing/cases';
import { BenchCases } from './harness';

const VOCABULARY = 1000;
const EMBEDDING_DIM = 32;
const SEQUENCE_LENGTH = 16;
const BATCH = 64;
const LSTM_UNITS = 32;
const FEATURES = 32;
const STEPS = 32;

/** `model` compiled with Adam (by name, so that model.dispose() frees the optimizer too). */
function compiled(model: tf.LayersModel, loss: string): tf.LayersModel {
  model.compile({ optimizer: 'adam', loss });
  return model;
}

/** An Embedding + LSTM + sigmoid classifier of prunable or of stock layers, seeded alike. */
function textClassifier(kind: 'prunable' | 'stock'): tf.LayersModel {
  const embedding = {
    inputDim: VOCABULARY, outputDim: EMBEDDING_DIM, inputLength: SEQUENCE_LENGTH,
    embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }),
  };
  const lstm = { units: LSTM_UNITS, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) };
  const prunable = kind === 'prunable';
  return compiled(tf.sequential({
    layers: [
      prunable ? prunableEmbedding(embedding) : tf.layers.embedding(embedding),
      prunable ? prunableLSTM(lstm) : tf.layers.lstm(lstm),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  }), 'binaryCrossentropy');
}

/** An LSTM over sequences of features with a dense output, of prunable or of stock layers. */
function sequenceRegressor(kind: 'prunable' | 'stock'): tf.LayersModel {
  const lstm = { units: LSTM_UNITS, inputShape: [STEPS, FEATURES], kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) };
  return compiled(tf.sequential({
    layers: [kind === 'prunable' ? prunableLSTM(lstm) : tf.layers.lstm(lstm), tf.layers.dense({ units: 1 })],
  }), 'meanSquaredError');
}

/** Seeded token batches (as float32, as tf.layers feeds them) with 0/1 labels, on the current backend. */
function tokenBatch(): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.floor(tf.randomUniform([BATCH, SEQUENCE_LENGTH], 0, VOCABULARY, 'float32', 4)),
    y: tf.cast(tf.greater(tf.randomUniform([BATCH, 1], 0, 1, 'float32', 5), 0.5), 'float32'),
  }));
}

/** The sequence cases, built on wasm (and, for the stock embedding, on cpu); wasm must be active. */
export async function sequenceTrainCases(): Promise<BenchCases> {
  const models: tf.LayersModel[] = [];
  const tensors: tf.Tensor[] = [];
  const keep = (model: tf.LayersModel) => {
    models.push(model);
    return model;
  };
  await tf.setBackend('cpu');
  const stockText = keep(textClassifier('stock'));
  const cpuTokens = tokenBatch();
  tensors.push(cpuTokens.x, cpuTokens.y);
  await tf.setBackend('wasm');
  const tokens = tokenBatch();
  const sequences = { x: tf.randomUniform([BATCH, STEPS, FEATURES], -1, 1, 'float32', 6), y: tf.randomUniform([BATCH, 1], -1, 1, 'float32', 7) };
  tensors.push(tokens.x, tokens.y, sequences.x, sequences.y);
  const lstmSizes = `${LSTM_UNITS} units, ${STEPS} steps of ${FEATURES} features, batch ${BATCH}`;
  const cases = [
    {
      name: 'Embedding + LSTM step: prunable on wasm / tf.layers on cpu',
      sizes: `embedding ${VOCABULARY}x${EMBEDDING_DIM}, ${SEQUENCE_LENGTH} tokens, LSTM ${LSTM_UNITS}, batch ${BATCH}`,
      candidate: { ...stepping('prunable, Adam, wasm', keep(textClassifier('prunable')), tokens, 'wasm'), repetitions: 15, warmup: 3 },
      baseline: { ...stepping('tf.layers, Adam, cpu', stockText, cpuTokens, 'cpu'), repetitions: 3 },
      maxRatio: 0.05,
    },
    {
      name: 'LSTM step: prunable / tf.layers',
      sizes: `${lstmSizes}, wasm`,
      candidate: stepping('prunableLSTM, Adam', keep(sequenceRegressor('prunable')), sequences, 'wasm'),
      baseline: stepping('tf.layers.lstm, Adam', keep(sequenceRegressor('stock')), sequences, 'wasm'),
      repetitions: 15,
      warmup: 3,
      maxRatio: 1.1,
    },
    {
      name: 'LSTM predict: prunable / tf.layers',
      sizes: `${lstmSizes}, wasm`,
      candidate: predicting('prunableLSTM', keep(sequenceRegressor('prunable')), sequences.x),
      baseline: predicting('tf.layers.lstm', keep(sequenceRegressor('stock')), sequences.x),
      repetitions: 21,
      warmup: 3,
      maxRatio: 1.1,
    },
  ];
  const dispose = () => {
    models.forEach((model) => model.dispose());
    tf.dispose(tensors);
  };
  return { cases, dispose };
}
