/**
 * The browser example (index.html): trains a small classifier with gradual
 * pruning and shows, live, the step, the sparsity, the held-out accuracy and a
 * heat map of each layer's mask. build.ts bundles this file into dist/main.js.
 *
 * URL options:
 * - `?steps=N`: training steps (batches), an integer >= 4. Default: 2000.
 * - `?backend=webgl|wasm|cpu`: force a backend. Default: the first of webgl, wasm, cpu that starts.
 *
 * When training ends, `window.result` holds the outcome (or `{error}`) and
 * `<body data-done>` is set to `'true'` (or `'error'`): the browser test waits for it.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  combineCallbacks, findPrunableLayers, layerPruningReport, PolynomialDecay, PrunableLayer, prunableDense, PruningScheduleCallback,
} from '../../src';

/** What the page reports on `window.result` when training is done. */
export interface BrowserExampleResult {
  backend: string;
  steps: number;
  /** The schedule's sparsity at the last step. */
  targetSparsity: number;
  /** Fraction of pruned kernel entries over all layers. */
  sparsity: number;
  /** Accuracy on held-out points. */
  accuracy: number;
  /** Each layer's mask: kernel shape [inputs, units] and sparsity. */
  layers: Array<{ name: string; kernelShape: number[]; sparsity: number }>;
}

declare global {
  interface Window {
    result?: BrowserExampleResult | { error: string };
  }
}

const FEATURES = 16;
const CLASSES = 4;
const FINAL_SPARSITY = 0.8;
const TRAIN_SAMPLES = 2048;
const BATCH_SIZE = 32;
const BACKENDS = ['webgl', 'wasm', 'cpu'];
/** Heat map colours (RGB): pruned entries, and kept ones from the smallest to the largest |weight|. */
const PRUNED = [22, 27, 45];
const KEPT_LOW = [150, 70, 40];
const KEPT_HIGH = [255, 235, 120];
/** Screen pixels per kernel entry in the heat maps. */
const ZOOM = 4;

// The wasm backend fetches its .wasm files, which build.ts copies next to this bundle.
// Read now: document.currentScript is only set while the script first runs.
setWasmPaths(new URL('./', (document.currentScript as HTMLScriptElement).src).href);

const element = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

/** Seeded points around 4 random centres (noise 1.5 per coordinate), one-hot labelled by their centre. */
function gaussianClusters(samples: number, seed: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const centres = tf.randomNormal([CLASSES, FEATURES], 0, 1, 'float32', 1);
    const labels = tf.randomUniform([samples], 0, CLASSES, 'float32', seed).floor().toInt();
    const noise = tf.randomNormal([samples, FEATURES], 0, 1.5, 'float32', seed + 1);
    const xs = tf.gather(centres, labels).add(noise) as tf.Tensor2D;
    return { xs, ys: tf.oneHot(labels as tf.Tensor1D, CLASSES).toFloat() as tf.Tensor2D };
  });
}

/** Sets the first backend of `names` that starts (setBackend resolves false when one cannot, e.g. no WebGL). */
async function startBackend(names: string[]): Promise<string> {
  for (const name of names) {
    if (await tf.setBackend(name)) return name;
  }
  throw new Error(`no TF.js backend could start; tried ${names.join(', ')}.`);
}

/** Parses the URL options, with an error naming the option for a bad value. */
function readOptions(): { steps: number; backends: string[] } {
  const params = new URLSearchParams(location.search);
  const steps = Number(params.get('steps') ?? 2000);
  if (!Number.isInteger(steps) || steps < 4) {
    throw new Error(`?steps= must be an integer >= 4; received '${params.get('steps')}'.`);
  }
  const backend = params.get('backend');
  if (backend !== null && !BACKENDS.includes(backend)) {
    throw new Error(`?backend= must be one of ${BACKENDS.join(', ')}; received '${backend}'.`);
  }
  return { steps, backends: backend === null ? BACKENDS : [backend] };
}

/** Adds a canvas per layer, one pixel per kernel entry (row: input, column: unit). */
function addHeatMaps(layers: PrunableLayer[]): HTMLCanvasElement[] {
  return layers.map((layer) => {
    const [inputs, units] = layer.maskedWeights[0].weight.shape as number[];
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = units;
    canvas.height = inputs;
    canvas.style.width = `${units * ZOOM}px`;
    canvas.style.height = `${inputs * ZOOM}px`;
    canvas.dataset.layer = layer.name;
    const caption = document.createElement('figcaption');
    figure.append(canvas, caption);
    element('masks').append(figure);
    return canvas;
  });
}

/** Paints a layer's mask: PRUNED where it is 0, else a colour from the smallest to the largest kept |weight|. */
function drawHeatMap(canvas: HTMLCanvasElement, layer: PrunableLayer): void {
  const [{ weight, mask }] = layer.maskedWeights;
  const weights = weight.read().dataSync();
  const kept = mask.read().dataSync();
  let smallest = Infinity;
  let largest = 0;
  for (let i = 0; i < weights.length; i++) {
    if (kept[i] === 0) continue;
    smallest = Math.min(smallest, Math.abs(weights[i]));
    largest = Math.max(largest, Math.abs(weights[i]));
  }
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  const image = context.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < weights.length; i++) {
    const t = largest > smallest ? (Math.abs(weights[i]) - smallest) / (largest - smallest) : 1;
    const colour = kept[i] === 0 ? PRUNED : KEPT_LOW.map((low, c) => low + (KEPT_HIGH[c] - low) * t);
    image.data.set([...colour, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  (canvas.nextElementSibling as HTMLElement).textContent =
    `${layer.name}: ${canvas.height}×${canvas.width}, ${(100 * layer.sparsity()).toFixed(1)}% pruned`;
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<BrowserExampleResult> {
  const { steps, backends } = readOptions();
  const backend = await startBackend(backends);
  element('backend').textContent = backend;
  (element('progress') as HTMLProgressElement).max = steps;

  const train = gaussianClusters(TRAIN_SAMPLES, 2);
  const test = gaussianClusters(512, 3);
  const model = tf.sequential({
    layers: [
      prunableDense({ units: 64, activation: 'relu', inputShape: [FEATURES], name: 'hidden1' }),
      prunableDense({ units: 64, activation: 'relu', name: 'hidden2' }),
      prunableDense({ units: CLASSES, activation: 'softmax', name: 'output' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const layers = findPrunableLayers(model);
  const canvases = addHeatMaps(layers);

  // Sparsity rises from 0 to 80% over the first 3/4 of the steps, in about 30 mask updates; the rest fine-tunes.
  const schedule = new PolynomialDecay({
    initialSparsity: 0, finalSparsity: FINAL_SPARSITY, beginStep: 0, endStep: Math.floor(steps * 0.75), frequency: Math.ceil(steps / 30),
  });
  const pruning = new PruningScheduleCallback({ schedule });

  /** Shows the current state; returns what it measured. */
  const show = async (step: number): Promise<BrowserExampleResult> => {
    const meanAccuracy = tf.tidy(() => tf.metrics.categoricalAccuracy(test.ys, model.predict(test.xs) as tf.Tensor).mean());
    const accuracy = (await meanAccuracy.data())[0];
    meanAccuracy.dispose();
    const reports = layers.map(layerPruningReport);
    const sparsity = 1 - reports.reduce((n, r) => n + r.nonzero, 0) / reports.reduce((n, r) => n + r.weights, 0);
    const targetSparsity = schedule.sparsityAt(step);
    element('step').textContent = `${step} / ${steps}`;
    (element('progress') as HTMLProgressElement).value = step;
    element('target').textContent = percent(targetSparsity);
    element('sparsity').textContent = percent(sparsity);
    element('accuracy').textContent = percent(accuracy);
    layers.forEach((layer, i) => drawHeatMap(canvases[i], layer));
    const layerRows = reports.map((r) => ({ name: r.layer, kernelShape: r.masks[0].shape, sparsity: r.sparsity }));
    return { backend, steps: step, targetSparsity, sparsity, accuracy, layers: layerRows };
  };

  await show(0);
  await model.fit(train.xs, train.ys, {
    batchSize: BATCH_SIZE,
    epochs: Math.ceil(steps / Math.ceil(TRAIN_SAMPLES / BATCH_SIZE)),
    verbose: 0,
    callbacks: combineCallbacks(pruning, {
      onBatchEnd: async () => {
        const step = pruning.step as number;
        await show(step);
        if (step >= steps) model.stopTraining = true;
      },
    }),
  });
  const result = await show(pruning.step as number);
  element('message').textContent = `Done: ${percent(result.sparsity)} of the weights pruned, ` +
    `held-out accuracy ${percent(result.accuracy)} (chance: ${percent(1 / CLASSES)}).`;
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  model.dispose();
  return result;
}

main().then(
  (result) => {
    window.result = result;
    document.body.dataset.done = 'true';
  },
  (error: Error) => {
    element('message').textContent = `Error: ${error.message}`;
    element('message').className = 'error';
    window.result = { error: String(error.stack ?? error) };
    document.body.dataset.done = 'error';
  },
);
