/**
 * The page's Web Worker: loads, inspects, prunes, fine-tunes, deploys and
 * times the model, with the library's model-file operations (src/model_files,
 * which the tfjs-prune command calls too), on the backend the user chose.
 * Requests run one at a time, in order; a cancel is seen at once.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  combineCallbacks, compactModelFile, ConstantSparsity, fetchModelFiles, loadPrunableModel, outputChange, pruneModelFile, PruningMethod, PruningScope,
  PruningScheduleCallback, readModelFiles, registerWasmMaxPoolGrad, SparseDense, stripModelFile, summarizeModelFile, toSparseModel,
} from '../src';
import { artifactsFromModel, weightBytes } from '../src/model_files/model_artifacts';
import { drawInputs } from '../src/model_files/output_change';
import { allLayers } from '../src/model/prunable_layers';
import { overallSparsity } from '../src/pruning/pruning_summary';
import { DEFAULT_MIN_SPARSITY } from '../src/transforms/to_sparse_model';
import { timePredict } from '../examples/browser/time_predict';
import type { Backend, DeployResult, Envelope, FineTuneResult, Inspection, Measures, ModelSource, PruneResult, Request, Response } from './protocol';
import { loadSample, SampleData } from './sample_data';

// The wasm binaries sit beside this script (build.ts copies them).
setWasmPaths(new URL('./', self.location.href).href);

/** The model the page works on, as loaded. */
interface Loaded {
  artifacts: tf.io.ModelArtifacts;
  inspection: Inspection;
  sample?: SampleData;
}

/** The last one-shot pruning: the prunable checkpoint and the options that made it (a fine-tune selects as it did). */
interface Pruned {
  artifacts: tf.io.ModelArtifacts;
  selection: { method: PruningMethod; sparsity?: number; scope?: PruningScope; layers?: string[] };
  /** The layers it pruned. */
  layers: string[];
}

let loaded: Loaded | undefined;
let pruned: Pruned | undefined;
let cancelled = false;
let queue: Promise<void> = Promise.resolve();

const post = (response: Response, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(response, transfer);

self.onmessage = (event: MessageEvent<Envelope>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    cancelled = true;
    post({ id: request.id, ok: true, result: null });
    return;
  }
  queue = queue.then(async () => {
    try {
      post({ id: request.id, ok: true, result: await handle(request, request.id) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      post({ id: request.id, ok: false, error: message.replace(/\s*\n\s*/g, ' ') });
    }
  });
};

async function handle(request: Request, id: number): Promise<unknown> {
  switch (request.type) {
    case 'backend': return setBackend(request.backend);
    case 'load': return load(request.source);
    case 'prune': return prune(request.method, request.sparsity, request.scope, request.layers);
    case 'fineTune': return fineTune(request.steps, id);
    case 'deploy': return deploy(request.compact, request.quantize);
    case 'tensors': return tf.memory().numTensors;
    default: throw new Error(`unknown request ${(request as { type: string }).type}`);
  }
}

async function setBackend(backend: Backend): Promise<string> {
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend cannot start in this browser; choose another.`);
  await tf.ready();
  return tf.getBackend();
}

/** Reads the model of `source`; the previous model stays until this one has loaded. */
async function load(source: ModelSource): Promise<Inspection> {
  let artifacts: tf.io.ModelArtifacts;
  let name: string;
  let sample: SampleData | undefined;
  if (source.kind === 'files') {
    const files = await Promise.all(source.files.map(async (file) => ({ name: file.name, data: await file.arrayBuffer() })));
    artifacts = await readModelFiles(files);
    name = files.find((f) => f.name.toLowerCase().endsWith('.json'))!.name;
  } else if (source.kind === 'url') {
    artifacts = await fetchModelFiles(new URL(source.url, self.location.href).href);
    name = source.url;
  } else {
    sample = await loadSample(new URL('sample/', self.location.href).href);
    artifacts = await fetchModelFiles(sample.modelUrl);
    name = 'the bundled MNIST sample';
  }
  const summary = await summarizeModelFile(artifacts, { source: name, compaction: true });
  const inspection: Inspection = {
    source: name,
    model: summary.model,
    prunable: summary.prunable,
    parameters: summary.parameters,
    macs: summary.macs,
    weightBytes: summary.weightBytes,
    layers: summary.layers,
    groups: summary.summary.compaction!.groups.filter((g) => g.producers.length > 1),
    prunableLayers: summary.summary.layers.map((r) => r.layer),
    outputLayers: summary.summary.layers.filter((r) => r.output).map((r) => r.layer),
    sample: sample !== undefined,
  };
  if (sample) inspection.accuracy = await accuracy(artifacts, sample);
  loaded = { artifacts, inspection, sample };
  pruned = undefined;
  return inspection;
}

function requireLoaded(): Loaded {
  if (loaded === undefined) throw new Error('Load a model first.');
  return loaded;
}

async function prune(method: PruningMethod, sparsity: number | undefined, scope: PruningScope, layers: string[] | undefined): Promise<PruneResult> {
  const { artifacts, inspection, sample } = requireLoaded();
  const selection: Pruned['selection'] = { method, ...(method === 'nm' ? {} : { sparsity, scope }), ...(layers ? { layers } : {}) };
  const { artifacts: out, report } = await pruneModelFile(artifacts, { ...selection, source: inspection.source });
  pruned = { artifacts: out, selection, layers: report.layers.map((l) => l.layer) };
  const result: PruneResult = {
    layers: report.layers.map(({ layer, className, sparsity: s, prunedUnits, units }) => ({ layer, className, sparsity: s, prunedUnits, units })),
    sparsity: report.sparsity,
    warning: report.warning,
    table: (await summarizeModelFile(out, { source: inspection.source })).layers,
  };
  if (sample) {
    result.accuracy = { before: inspection.accuracy!, after: await accuracy(out, sample) };
  } else {
    result.outputChange = await outputChange(artifacts, out);
  }
  return result;
}

/** Fine-tunes the pruned sample for `steps` batches of 32, keeping its sparsity with PruningScheduleCallback; posts progress; stops on cancel. */
async function fineTune(steps: number, id: number): Promise<FineTuneResult> {
  const { sample } = requireLoaded();
  if (sample === undefined) throw new Error('Fine-tuning in the page needs training data: it works on the bundled sample.');
  if (pruned === undefined) throw new Error('Prune the model first: fine-tuning recovers what pruning cost.');
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer; received ${steps}.`);
  cancelled = false;
  const batchSize = 32;
  // Its own (its variables are made by the first step): model.dispose() leaves them.
  const optimizer = tf.train.adam(0.0005);
  const model = await loadPrunableModel(tf.io.fromMemory(pruned.artifacts));
  let data: { xs: tf.Tensor; ys: tf.Tensor } | undefined;
  let restore: () => void = () => undefined;
  let step = 0;
  try {
    if (tf.getBackend() === 'wasm') restore = registerWasmMaxPoolGrad();
    data = sample.train();
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    // The pruning's own selection, its sparsity held (masks only grow, so they stay): 'nm' takes only the timing.
    const { sparsity = 0.5, ...selection } = pruned.selection;
    const pruning = new PruningScheduleCallback({
      ...selection, schedule: new ConstantSparsity({ targetSparsity: sparsity, beginStep: 0, frequency: 50 }),
    });
    await model.fit(data.xs, data.ys, {
      batchSize, epochs: Math.ceil((steps * batchSize) / sample.trainCount), shuffle: true, verbose: 0,
      callbacks: combineCallbacks(pruning, {
        onBatchEnd: async (_batch, logs) => {
          step++;
          post({ id, progress: { step, steps, loss: logs?.loss ?? NaN } });
          if (step >= steps || cancelled) model.stopTraining = true;
        },
      }),
    });
    pruned = { ...pruned, artifacts: await artifactsFromModel(model) };
  } finally {
    restore();
    if (data) tf.dispose([data.xs, data.ys]);
    optimizer.dispose();
    model.dispose();
  }
  const { summary } = await summarizeModelFile(pruned.artifacts);
  const layers = summary.layers.filter((r) => pruned!.layers.includes(r.layer));
  return {
    steps: step, cancelled, accuracy: await accuracy(pruned.artifacts, sample), sparsity: overallSparsity(layers),
    layers: layers.map(({ layer, sparsity }) => ({ layer, sparsity })),
  };
}

async function deploy(compact: boolean, quantize: 'float16' | 'uint8' | 'uint16' | undefined): Promise<DeployResult> {
  const { artifacts: original, inspection, sample } = requireLoaded();
  const input = pruned?.artifacts ?? original;
  const source = inspection.source;
  let artifacts: tf.io.ModelArtifacts;
  const notes: string[] = [];
  if (compact) {
    const { artifacts: out, report } = await compactModelFile(input, { quantize, source });
    artifacts = out;
    for (const l of report.compaction.layers) {
      for (const { unit, reason } of l.kept) notes.push(`${l.layer} keeps pruned unit ${unit}: ${reason}`);
    }
  } else {
    artifacts = (await stripModelFile(input, { quantize, source })).artifacts;
  }
  const probeInput = sample?.testImages(4);
  try {
    const [before, after] = [await measure(original, probeInput), await measure(artifacts, probeInput)];
    return {
      backend: tf.getBackend() as Backend, before: before.measures, after: after.measures, dtype: quantize ?? 'float32', notes,
      probe: after.probe, sparse: await sparseTiming(artifacts, after.probe),
      artifacts: { ...artifacts, weightData: tf.io.CompositeArrayBuffer.join(artifacts.weightData!) },
    };
  } finally {
    probeInput?.dispose();
  }
}

/** The Deploy section's numbers of the model `artifacts` hold, and its prediction of `input` (drawn inputs if none). */
async function measure(artifacts: tf.io.ModelArtifacts, input?: tf.Tensor): Promise<{ measures: Measures; probe: DeployResult['probe'] }> {
  const summary = await summarizeModelFile(artifacts);
  const model = await loadPrunableModel(tf.io.fromMemory(artifacts));
  let xs: tf.Tensor[] = [];
  try {
    xs = input ? [input.clone()] : drawInputs(model, 4, 1);
    const output = tf.tidy(() => Array.from(tf.concat(outputs(model, xs).map((y) => tf.reshape(y, [-1]))).dataSync()));
    const probe = { inputs: xs.map((x) => ({ values: Array.from(x.dataSync()), shape: x.shape })), output };
    return {
      measures: {
        parameters: summary.parameters, macs: summary.macs, weightBytes: weightBytes(artifacts), gzipBytes: await gzipBytes(artifacts),
        predictMs: timeProbe(model, probe),
      },
      probe,
    };
  } finally {
    tf.dispose(xs);
    model.dispose();
  }
}

/** The outputs of `model` for `xs` (one tensor per model input), one tensor per model output. */
function outputs(model: tf.LayersModel, xs: tf.Tensor[]): tf.Tensor[] {
  return [model.predict(xs.length === 1 ? xs[0] : xs)].flat();
}

/** The deployed model on the sparse kernels (toSparseModel, its default minSparsity), timed at batch 1, where it applies. */
async function sparseTiming(artifacts: tf.io.ModelArtifacts, probe: DeployResult['probe']): Promise<DeployResult['sparse']> {
  if (tf.getBackend() === 'webgl') return { skipped: 'the sparse kernels run on the wasm and cpu backends, where tensors live in CPU memory.' };
  const dense = await loadPrunableModel(tf.io.fromMemory(artifacts));
  try {
    const sparse = await toSparseModel(dense);
    try {
      // Nested models' and wrappers' layers convert too.
      const layers = allLayers(sparse).filter((layer) => layer.getClassName() === SparseDense.className).map((layer) => layer.name);
      if (layers.length === 0) {
        return { skipped: `no layer has enough zeros (${100 * DEFAULT_MIN_SPARSITY}%, toSparseModel's minSparsity) for the sparse kernels.` };
      }
      return { predictMs: timeProbe(sparse, probe), layers };
    } finally {
      sparse.dispose();
    }
  } finally {
    dense.dispose();
  }
}

/** {@link timePredict} of `model` on the first example of `probe`. */
function timeProbe(model: tf.LayersModel, probe: DeployResult['probe']): number {
  const xs = tf.tidy(() => probe.inputs.map(({ values, shape }) => tf.tensor(values.slice(0, values.length / shape[0]), [1, ...shape.slice(1)])));
  try {
    return timePredict(model, xs.length === 1 ? xs[0] : xs);
  } finally {
    tf.dispose(xs);
  }
}

/** Bytes of the weight data gzipped, as a server would send it (CompressionStream). */
async function gzipBytes(artifacts: tf.io.ModelArtifacts): Promise<number> {
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The fraction of the sample's test images the model `artifacts` holds classifies right. */
async function accuracy(artifacts: tf.io.ModelArtifacts, sample: SampleData): Promise<number> {
  const model = await loadPrunableModel(tf.io.fromMemory(artifacts));
  let xs: tf.Tensor | undefined;
  let correct: tf.Tensor | undefined;
  try {
    xs = sample.testImages();
    const images = xs;
    correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.predict(images) as tf.Tensor, -1), sample.testLabels()), 'float32')));
    return (await correct.data())[0] / sample.testCount;
  } finally {
    tf.dispose([xs, correct].filter((t) => t !== undefined));
    model.dispose();
  }
}
