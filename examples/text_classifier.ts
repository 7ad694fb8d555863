/**
 * A small text classifier, pruned while it trains: an Embedding and an
 * LSTM (`prunableEmbedding`, `prunableLSTM` where the model would have
 * `tf.layers.embedding` and `tf.layers.lstm`) learn whether a sequence of
 * generated tokens contains the pattern "3 then 7" (one token right after the
 * other), and a `PruningScheduleCallback` raises their weight sparsity to
 * 80%. It trains on wasm, where `tf.layers.embedding` cannot (wasm has no
 * UnsortedSegmentSum kernel for its gradient). The same model trained without
 * pruning is the dense reference. Both are stripped (`stripPruning`: plain
 * Embedding and LSTM layers), saved, and loaded back with plain
 * `tf.loadLayersModel`, as an app would; the example prints their test
 * accuracy and the size of their weights.bin, raw and gzipped (Node's zlib):
 * the zeros of the pruned weights compress.
 *
 *   npx ts-node --transpile-only examples/text_classifier.ts           # 8192 sequences, 12 epochs
 *   npx ts-node --transpile-only examples/text_classifier.ts --quick   # 2048 sequences, 6 epochs; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
// In an application: from 'tfjs-prune/node' (the main entry and the file system).
import {
  fileSystem, findPrunableLayers, layerPruningReport, PolynomialDecay, prunableEmbedding, prunableLSTM, PruningScheduleCallback,
  pruningSummary, stripPruning,
} from '../src/node';
// The repository's seeded random numbers.
import { mulberry32 } from '../experiments/random';
import { runExample } from './run_example';

/** Tokens 0 to VOCABULARY - 1. */
const VOCABULARY = 50;
/** Tokens per sequence. */
const LENGTH = 16;
/** The pattern a positive sequence contains: these tokens, one right after the other. */
const PATTERN = [3, 7];

/** Options of {@link textClassifier}. */
export interface TextClassifierOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** A model as deployed: stripped, saved and loaded back with plain TF.js. */
export interface DeployedModel {
  /** Accuracy of the loaded model on the test sequences. */
  testAccuracy: number;
  /** Size of its weights.bin in bytes. */
  weightBytes: number;
  /** Size of its weights.bin gzipped, in bytes. */
  gzipBytes: number;
  /** Its layers' classes. */
  classes: string[];
}

/** What {@link textClassifier} measured. */
export interface TextClassifierResult {
  /** Per pruned layer: its class and sparsity. */
  layers: Array<{ layer: string; className: string; sparsity: number }>;
  /** The pruned model, deployed. */
  pruned: DeployedModel;
  /** The same model trained without pruning, deployed. */
  dense: DeployedModel;
}

/** Sequences and labels (1: the sequence contains PATTERN). */
interface Dataset {
  xs: tf.Tensor2D;
  ys: tf.Tensor2D;
}

/** Whether `tokens` contain PATTERN. */
function containsPattern(tokens: number[]): boolean {
  return tokens.some((t, i) => t === PATTERN[0] && tokens[i + 1] === PATTERN[1]);
}

/**
 * `count` seeded random sequences, half of them with PATTERN at a random
 * place; the others are drawn again until they do not contain it.
 */
function sequences(count: number, seed: number): Dataset {
  const random = mulberry32(seed);
  const token = () => Math.floor(random() * VOCABULARY);
  const tokens: number[] = [];
  const labels: number[] = [];
  for (let n = 0; n < count; n++) {
    const positive = n % 2 === 0;
    let sequence: number[];
    do {
      sequence = Array.from({ length: LENGTH }, token);
      if (positive) sequence.splice(Math.floor(random() * (LENGTH - 1)), PATTERN.length, ...PATTERN);
    } while (containsPattern(sequence) !== positive);
    tokens.push(...sequence);
    labels.push(positive ? 1 : 0);
  }
  return { xs: tf.tensor2d(tokens, [count, LENGTH], 'int32'), ys: tf.tensor2d(labels, [count, 1]) };
}

function accuracyOf(model: tf.LayersModel, data: Dataset): number {
  return tf.tidy(() => tf.metrics.binaryAccuracy(data.ys, model.predict(data.xs) as tf.Tensor).mean().dataSync()[0]);
}

/** The classifier: token vectors, an LSTM over them, and the probability of the pattern; initialized from seeds, so that runs repeat. */
function classifier(): tf.LayersModel {
  const model = tf.sequential({
    name: 'text_classifier',
    layers: [
      prunableEmbedding({
        inputDim: VOCABULARY, outputDim: 16, inputLength: LENGTH, name: 'embedding',
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }),
      }),
      prunableLSTM({
        units: 20, name: 'lstm',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }), recurrentInitializer: tf.initializers.orthogonal({ seed: 3 }),
      }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Strips `model`, saves it to `dir`, loads it back with plain TF.js, and measures it. */
async function deploy(model: tf.LayersModel, dir: string, test: Dataset): Promise<DeployedModel> {
  const stripped = stripPruning(model);
  await stripped.save(fileSystem(dir));
  stripped.dispose();
  const loaded = await tf.loadLayersModel(`file://${join(dir, 'model.json')}`);
  const weights = readFileSync(join(dir, 'weights.bin'));
  const deployed = {
    testAccuracy: accuracyOf(loaded, test),
    weightBytes: weights.length,
    gzipBytes: gzipSync(weights, { level: 9 }).length,
    classes: loaded.layers.map((l) => l.getClassName()),
  };
  loaded.dispose();
  return deployed;
}

/** Trains the classifier with and without pruning, and reports what it measured. */
export async function textClassifier(options: TextClassifierOptions = {}): Promise<TextClassifierResult> {
  const { quick = false, log = console.log } = options;
  const train = sequences(quick ? 2048 : 8192, 1);
  const test = sequences(quick ? 512 : 2048, 2);
  const epochs = quick ? 6 : 12;
  const batchSize = 64;
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-prune-text-'));
  const models: tf.LayersModel[] = [];
  try {
    const fit = async (model: tf.LayersModel, name: string, callbacks: tf.Callback[]) => {
      // The sequences are drawn at random already: no shuffling, which would draw from Math.random.
      await model.fit(train.xs, train.ys, {
        epochs, batchSize, shuffle: false, verbose: 0,
        callbacks: [...callbacks, new tf.CustomCallback({
          onEpochEnd: (epoch, logs = {}) => log(`${name} epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, ` +
            `accuracy ${logs.acc.toFixed(4)}${logs.sparsity === undefined ? '' : `, sparsity ${logs.sparsity.toFixed(4)}`}`),
        })],
      });
    };

    const dense = classifier();
    models.push(dense);
    await fit(dense, 'dense', []);

    // The embedding's and the LSTM's weights go to 80%, gradually over the first 2/3 of training.
    const pruned = classifier();
    models.push(pruned);
    const steps = epochs * Math.ceil(train.xs.shape[0] / batchSize);
    const schedule = new PolynomialDecay({
      initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: Math.floor((steps * 2) / 3), frequency: Math.ceil(steps / 30),
    });
    await fit(pruned, 'pruned', [new PruningScheduleCallback({ schedule })]);
    pruningSummary(pruned, { method: 'weight', printFn: log });
    const layers = findPrunableLayers(pruned).map((layer) => {
      const { className, sparsity } = layerPruningReport(layer);
      return { layer: layer.name, className, sparsity };
    });

    const result = {
      layers,
      dense: await deploy(dense, join(dir, 'dense'), test),
      pruned: await deploy(pruned, join(dir, 'pruned'), test),
    };
    for (const [name, m] of [['dense', result.dense], ['pruned', result.pruned]] as const) {
      log(`${name}: test accuracy ${m.testAccuracy.toFixed(4)}, weights.bin ${m.weightBytes} bytes, gzipped ${m.gzipBytes} bytes`);
    }
    log(`gzipped weights: ${(result.pruned.gzipBytes / result.dense.gzipBytes).toFixed(2)} of the dense model's`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    models.forEach((m) => m.dispose());
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  }
}

if (require.main === module) runExample((quick) => textClassifier({ quick }));
