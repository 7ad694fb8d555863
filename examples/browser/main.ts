/**
 * The browser example (index.html): trains a small classifier with gradual
 * pruning and shows, live, the step, the sparsity, the held-out accuracy and a
 * heat map of each mask. build.ts bundles this file into dist/main.js.
 *
 * URL options:
 * - `?steps=N`: training steps (batches), an integer >= 4. Default: 2000.
 * - `?backend=webgl|wasm|cpu`: force a backend. Default: the first of webgl, wasm, cpu that starts.
 * - `?model=mlp|cnn`: a dense classifier of 16-dimensional points, or a
 *   small convolutional network (convolution, max-pooling, separable
 *   convolution) of 8x8 images. Default: mlp.
 *
 * When training ends, the page strips the pruned model and times its predict
 * at batch 1 both ways: dense (TF.js's kernels) and as `toSparseModel`
 * converts it (the sparse WebAssembly kernels), on wasm (else cpu): the
 * sparse kernels run where tensors live in CPU memory, not on webgl.
 *
 * When training ends, `window.result` holds the outcome (or `{error}`) and
 * `<body data-done>` is set to `'true'` (or `'error'`): the browser test waits for it.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  combineCallbacks, findPrunableLayers, layerPruningReport, MaskedWeight, PolynomialDecay, prunableConv2d, prunableDense,
  PrunableLayer, prunableSeparableConv2d, PruningScheduleCallback, registerWasmMaxPoolGrad, SparseDense, stripPruning,
  toSparseModel,
} from '../../src';
import { timePredict } from './time_predict';

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
  /** Each mask: its layer, its weight, the weight's shape and the mask's sparsity. */
  masks: Array<{ layer: string; weight: string; shape: number[]; sparsity: number }>;
  /** The stripped model's predict at batch 1, dense and on the sparse kernels (present once training is done). */
  inference?: InferenceComparison;
}

/** Predict of the pruned model at batch 1, both ways. */
export interface InferenceComparison {
  backend: string;
  /** Mean time of one predict (with the read of its result), ms. */
  denseMs: number;
  sparseMs: number;
  /** Layers that run on the sparse kernels. */
  sparseLayers: string[];
  /** Largest difference between the two models' predictions of the held-out inputs. */
  maxDifference: number;
}

declare global {
  interface Window {
    result?: BrowserExampleResult | { error: string };
  }
}

const FEATURES = 16;
const IMAGE = 8;
const CLASSES = 4;
const MODELS = ['mlp', 'cnn'];
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

/**
 * Seeded 8x8 images of 4 classes, each a stroke (a row, a column, a
 * diagonal, an anti-diagonal) at a random place, in noise of 0.5, one-hot labelled.
 */
function strokes(samples: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.randomUniform([samples], 0, CLASSES, 'float32', seed).floor().toInt();
    const offsets = tf.randomUniform([samples], 0, IMAGE, 'float32', seed + 1).floor().arraySync() as number[];
    const pixels = new Float32Array(samples * IMAGE * IMAGE);
    (labels.arraySync() as number[]).forEach((label, n) => {
      for (let t = 0; t < IMAGE; t++) {
        const at = [[offsets[n], t], [t, offsets[n]], [t, t], [t, IMAGE - 1 - t]][label];
        pixels[n * IMAGE * IMAGE + at[0] * IMAGE + at[1]] = 1;
      }
    });
    const noise = tf.randomNormal([samples, IMAGE, IMAGE, 1], 0, 0.5, 'float32', seed + 2);
    const xs = tf.add(tf.tensor4d(pixels, [samples, IMAGE, IMAGE, 1]), noise) as tf.Tensor4D;
    return { xs, ys: tf.oneHot(labels as tf.Tensor1D, CLASSES).toFloat() as tf.Tensor2D };
  });
}

/** The classifier of `kind`, and its training and held-out data. */
function task(kind: string): { model: tf.Sequential; train: { xs: tf.Tensor; ys: tf.Tensor }; test: { xs: tf.Tensor; ys: tf.Tensor } } {
  if (kind === 'cnn') {
    const model = tf.sequential({
      layers: [
        prunableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [IMAGE, IMAGE, 1], name: 'conv' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        prunableSeparableConv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'separable' }),
        tf.layers.flatten(),
        prunableDense({ units: CLASSES, activation: 'softmax', name: 'output' }),
      ],
    });
    return { model, train: strokes(TRAIN_SAMPLES, 2), test: strokes(512, 3) };
  }
  const model = tf.sequential({
    layers: [
      prunableDense({ units: 64, activation: 'relu', inputShape: [FEATURES], name: 'hidden1' }),
      prunableDense({ units: 64, activation: 'relu', name: 'hidden2' }),
      prunableDense({ units: CLASSES, activation: 'softmax', name: 'output' }),
    ],
  });
  return { model, train: gaussianClusters(TRAIN_SAMPLES, 2), test: gaussianClusters(512, 3) };
}

/** Sets the first backend of `names` that starts (setBackend resolves false when one cannot, e.g. no WebGL). */
async function startBackend(names: string[]): Promise<string> {
  for (const name of names) {
    if (await tf.setBackend(name)) return name;
  }
  throw new Error(`no TF.js backend could start; tried ${names.join(', ')}.`);
}

/** Parses the URL options, with an error naming the option for a bad value. */
function readOptions(): { steps: number; backends: string[]; model: string } {
  const params = new URLSearchParams(location.search);
  const steps = Number(params.get('steps') ?? 2000);
  if (!Number.isInteger(steps) || steps < 4) {
    throw new Error(`?steps= must be an integer >= 4; received '${params.get('steps')}'.`);
  }
  const backend = params.get('backend');
  if (backend !== null && !BACKENDS.includes(backend)) {
    throw new Error(`?backend= must be one of ${BACKENDS.join(', ')}; received '${backend}'.`);
  }
  const model = params.get('model') ?? 'mlp';
  if (!MODELS.includes(model)) {
    throw new Error(`?model= must be one of ${MODELS.join(', ')}; received '${model}'.`);
  }
  return { steps, backends: backend === null ? BACKENDS : [backend], model };
}

/** A mask and the canvas that shows it. */
interface HeatMap {
  layer: PrunableLayer;
  mask: MaskedWeight;
  canvas: HTMLCanvasElement;
}

/**
 * Adds a canvas per mask, one pixel per weight entry: a row per entry of
 * the axes before the last (a kernel's inputs), a column per last-axis entry
 * (its units, or a depthwise kernel's multiplier).
 */
function addHeatMaps(layers: PrunableLayer[]): HeatMap[] {
  return layers.flatMap((layer) => layer.maskedWeights.map((mask) => {
    const shape = mask.weight.shape as number[];
    const columns = shape[shape.length - 1];
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = columns;
    canvas.height = tf.util.sizeFromShape(shape) / columns;
    canvas.style.width = `${canvas.width * ZOOM}px`;
    canvas.style.height = `${canvas.height * ZOOM}px`;
    canvas.dataset.mask = `${layer.name}/${mask.name}`;
    const caption = document.createElement('figcaption');
    figure.append(canvas, caption);
    element('masks').append(figure);
    return { layer, mask, canvas };
  }));
}

/** Paints a mask: PRUNED where it is 0, else a colour from the smallest to the largest kept |weight|. */
function drawHeatMap({ layer, mask: { name, weight, mask }, canvas }: HeatMap): number {
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
  let zeros = 0;
  for (let i = 0; i < kept.length; i++) if (kept[i] === 0) zeros++;
  const sparsity = zeros / kept.length;
  (canvas.nextElementSibling as HTMLElement).textContent =
    `${layer.name}/${name}: [${weight.shape.join(', ')}], ${percent(sparsity)} pruned`;
  return sparsity;
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * Strips `model`, converts the copy with toSparseModel on wasm (else cpu), times
 * both at batch 1 and compares their predictions of `xs`; shows and returns it.
 */
async function compareInference(model: tf.LayersModel, xs: tf.Tensor): Promise<InferenceComparison> {
  const trainedOn = tf.getBackend();
  const backend = await startBackend(['wasm', 'cpu']);
  const dense = stripPruning(model);
  const sparse = await toSparseModel(dense);
  try {
    const x = tf.tidy(() => xs.slice(0, 1));
    const denseMs = timePredict(dense, x);
    const sparseMs = timePredict(sparse, x);
    const maxDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(sparse.predict(xs) as tf.Tensor, dense.predict(xs) as tf.Tensor))).dataSync()[0]);
    x.dispose();
    const sparseLayers = sparse.layers.filter((layer) => layer instanceof SparseDense).map((layer) => layer.name);
    const ms = (t: number) => `${t.toFixed(3)} ms`;
    element('inference-backend').textContent = backend + (backend === trainedOn ? '' : ` (trained on ${trainedOn})`);
    element('dense-ms').textContent = ms(denseMs);
    element('sparse-ms').textContent = `${ms(sparseMs)} (${(denseMs / sparseMs).toFixed(2)}x; sparse layers: ${sparseLayers.join(', ')})`;
    return { backend, denseMs, sparseMs, sparseLayers, maxDifference };
  } finally {
    sparse.dispose();
    dense.dispose();
    await tf.setBackend(trainedOn);
  }
}

async function main(): Promise<BrowserExampleResult> {
  const { steps, backends, model: kind } = readOptions();
  const backend = await startBackend(backends);
  // wasm's own max-pooling gradient (the CNN's pooling) is wrong where a window holds no positive value, and slow.
  if (backend === 'wasm') registerWasmMaxPoolGrad();
  element('backend').textContent = backend;
  (element('progress') as HTMLProgressElement).max = steps;

  const { model, train, test } = task(kind);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const layers = findPrunableLayers(model);
  const heatMaps = addHeatMaps(layers);

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
    const masks = heatMaps.map((map) => ({
      layer: map.layer.name, weight: map.mask.name, shape: map.mask.weight.shape as number[], sparsity: drawHeatMap(map),
    }));
    return { backend, steps: step, targetSparsity, sparsity, accuracy, masks };
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
  result.inference = await compareInference(model, test.xs);
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
