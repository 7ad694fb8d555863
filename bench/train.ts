// Training benchmark: models of PrunableDense layers against the same models
// of tf.layers.dense, the cost of keeping a 90% mask, and training after
// pruning with and without maskOptimizerState, on real MNIST; on wasm, the
// convolutional cases of ./train_cnn.ts and the text cases of
// ./train_sequence.ts too.
// Each repetition trains a fixed number of batches (a full epoch on cpu
// takes minutes); the ratio of the medians is what the targets check.
//   npm run bench:train [-- --backend wasm,cpu]
import * as tf from '@tensorflow/tfjs';
import { maskOptimizerState, PrunableDense, prunableDense, pruneLayer, pruneModel } from '../src';
import { backendsFromArgs } from './backend';
import { BenchCase, CaseResult, Side } from '../timing/cases';
import { allPassed, BenchCases, printTable, runAsScript, runCasesOnBackends, writeResults } from './harness';
import { loadMnist, mnistTensors } from '../experiments/data/mnist';
import { cnnTrainCases } from './train_cnn';
import { sequenceTrainCases } from './train_sequence';

const BATCH_SIZE = 128;
const SPARSITY = 0.9;

interface MlpSpec {
  name: string;
  /** Layer widths from the input to the output. */
  widths: number[];
  useBias: boolean;
}

const LENET: MlpSpec = { name: 'LeNet-300-100', widths: [784, 300, 100, 10], useBias: true };
/** The MLP of the reference experiment (see the experiments issue). */
const REFERENCE_MLP: MlpSpec = { name: 'reference MLP', widths: [784, 1000, 1000, 500, 200, 10], useBias: false };

/**
 * Batches per timed repetition, and repetitions: many short repetitions,
 * interleaved between the two sides, so that bursts of load from other
 * processes fall on both sides alike and the medians shrug them off. cpu is
 * much slower than wasm (docs/performance.md).
 */
function workload(backend: string, spec: MlpSpec): { batches: number; repetitions: number } {
  if (backend === 'cpu') return { batches: 3, repetitions: 7 };
  return spec === LENET ? { batches: 10, repetitions: 9 } : { batches: 3, repetitions: 7 };
}

/** The MLP with ReLU hidden layers and a softmax output, compiled with Adam. */
function buildMlp(spec: MlpSpec, layerKind: 'dense' | 'prunable'): tf.Sequential {
  const model = tf.sequential();
  const widths = spec.widths;
  for (let i = 1; i < widths.length; i++) {
    const args = {
      units: widths[i],
      activation: (i === widths.length - 1 ? 'softmax' : 'relu') as 'softmax' | 'relu',
      useBias: spec.useBias,
      ...(i === 1 ? { inputShape: [widths[0]] } : {}),
    };
    model.add(layerKind === 'dense' ? tf.layers.dense(args) : prunableDense(args));
  }
  // By name, so that model.dispose() disposes the optimizer's variables too.
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

function prunableLayers(model: tf.LayersModel): PrunableDense[] {
  return model.layers.filter((layer): layer is PrunableDense => layer instanceof PrunableDense);
}

/** One repetition: one pass over `data` in batches of 128, in order. */
function trainingSide(label: string, model: tf.LayersModel, data: { x: tf.Tensor; y: tf.Tensor },
  callbacks: tf.CustomCallback[] = []): Side {
  return {
    label,
    run: () => model.fit(data.x, data.y, {
      batchSize: BATCH_SIZE, epochs: 1, shuffle: false, verbose: 0, yieldEvery: 'never', callbacks,
    }),
  };
}

/** Steps of the optimizer-state case: pruned after the first, timed after the second. */
const PRUNED_AT_STEP = 200;
const TIMED_FROM_STEP = 1200;

/** The smallest normal float32, 2^-126: nonzero values below it in magnitude are denormal. */
const MIN_NORMAL_FLOAT32 = 2 ** -126;

/** The fraction of the entries of `model`'s optimizer state (iteration count aside) that are denormal floats. */
async function denormalStateFraction(model: tf.LayersModel): Promise<number> {
  let [denormal, total] = [0, 0];
  for (const { name, tensor } of await model.optimizer.getWeights()) {
    // The iteration count is a new tensor; the rest is the optimizer's own state.
    if (name === 'iter') {
      tensor.dispose();
      continue;
    }
    for (const v of tensor.dataSync()) denormal += v !== 0 && Math.abs(v) < MIN_NORMAL_FLOAT32 ? 1 : 0;
    total += tensor.size;
  }
  return denormal / total;
}

/**
 * Trains `model` on `data` (whole passes) to {@link PRUNED_AT_STEP}, prunes
 * it to 90% by weight, with or without {@link maskOptimizerState}, and trains
 * it on to {@link TIMED_FROM_STEP}: long enough for Adam's moments of the
 * pruned weights, left alone, to decay into denormal floats. Prints the
 * fraction of the optimizer's state that is denormal then.
 */
async function trainPruneTrain(model: tf.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }, maskState: boolean): Promise<void> {
  const stepsPerPass = Math.ceil(data.x.shape[0] / BATCH_SIZE);
  const fitSteps = (steps: number) => model.fit(data.x, data.y, {
    batchSize: BATCH_SIZE, epochs: Math.ceil(steps / stepsPerPass), shuffle: false, verbose: 0, yieldEvery: 'never',
  });
  await fitSteps(PRUNED_AT_STEP);
  pruneModel(model, { method: 'weight', sparsity: SPARSITY });
  if (maskState) await maskOptimizerState(model);
  await fitSteps(TIMED_FROM_STEP - PRUNED_AT_STEP);
  const fraction = await denormalStateFraction(model);
  console.log(`  ${maskState ? 'with' : 'without'} maskOptimizerState: ${(100 * fraction).toFixed(1)}% of Adam's state ` +
    `entries denormal at step ${TIMED_FROM_STEP}`);
}

/** The cases on the current backend, and a function that frees their models and data. */
async function trainCases(backend: string): Promise<BenchCases> {
  const models: tf.LayersModel[] = [];
  const datasets: Array<{ x: tf.Tensor; y: tf.Tensor }> = [];
  const build = (spec: MlpSpec, kind: 'dense' | 'prunable') => {
    const model = buildMlp(spec, kind);
    models.push(model);
    return model;
  };
  const dataFor = (spec: MlpSpec) => {
    const { xs, ys } = mnistTensors(loadMnist({ trainSize: workload(backend, spec).batches * BATCH_SIZE, testSize: 1 }).train);
    const data = { x: xs, y: ys };
    datasets.push(data);
    return data;
  };
  const sizes = (spec: MlpSpec, extra = '') =>
    `${spec.widths.join('-')}${spec.useBias ? '' : ' no bias'}, batch ${BATCH_SIZE}, ` +
    `${workload(backend, spec).batches} batches/rep${extra}`;
  const maxTrainRatio = backend === 'wasm' ? 0.35 : 1.05;

  const cases: BenchCase[] = [];
  const lenetData = dataFor(LENET);
  // The reference MLP has nine times LeNet-300-100's weights: too slow to time on cpu.
  for (const spec of backend === 'cpu' ? [LENET] : [LENET, REFERENCE_MLP]) {
    const data = spec === LENET ? lenetData : dataFor(spec);
    cases.push({
      name: `${spec.name}: PrunableDense / Dense`,
      sizes: sizes(spec),
      candidate: trainingSide('PrunableDense, Adam', build(spec, 'prunable'), data),
      baseline: trainingSide('tf.layers.dense, Adam', build(spec, 'dense'), data),
      maxRatio: maxTrainRatio,
      repetitions: workload(backend, spec).repetitions,
    });
  }
  // Masking overhead: a 90% weight mask, re-selected once per repetition
  // (every 3 or 10 batches; tfmot's default pruning frequency is 100 steps),
  // against a mask of ones that is never updated.
  const every = workload(backend, LENET).batches;
  const masked = build(LENET, 'prunable');
  const unmasked = build(LENET, 'prunable');
  const layers = prunableLayers(masked);
  const prune = () => layers.forEach((layer) => pruneLayer(layer, { sparsity: SPARSITY }));
  prune();
  const maskUpdates = new tf.CustomCallback({
    onBatchEnd: async (batch) => {
      if ((batch + 1) % every === 0) prune();
    },
  });
  cases.push({
    name: `${LENET.name}: masking overhead`,
    sizes: sizes(LENET, `, pruneLayer every ${every}`),
    candidate: trainingSide(`PrunableDense, ${SPARSITY * 100}% mask`, masked, lenetData, [maskUpdates]),
    baseline: trainingSide('PrunableDense, no mask updates', unmasked, lenetData),
    maxRatio: 1.05,
    repetitions: workload(backend, LENET).repetitions,
  });
  // Denormal floats slow wasm's float32 arithmetic; the cpu backend computes in
  // JS doubles, where they are normal numbers (and its 1000 steps take minutes).
  if (backend === 'wasm') {
    const [withMasking, without] = [build(LENET, 'prunable'), build(LENET, 'prunable')];
    await trainPruneTrain(withMasking, lenetData, true);
    await trainPruneTrain(without, lenetData, false);
    cases.push({
      name: `${LENET.name}: optimizer state after pruning`,
      sizes: sizes(LENET, `, ${SPARSITY * 100}% pruned at step ${PRUNED_AT_STEP}, timed from step ${TIMED_FROM_STEP}`),
      candidate: trainingSide('maskOptimizerState after pruning', withMasking, lenetData),
      baseline: trainingSide("Adam's state left alone", without, lenetData),
      maxRatio: 0.75,
      repetitions: workload(backend, LENET).repetitions,
    });
  }
  // Convolutional and text models: wasm's cases, where stock tf.layers cannot train them.
  const more = backend === 'wasm' ? [await cnnTrainCases(), await sequenceTrainCases()] : [];
  const dispose = () => {
    models.forEach((model) => model.dispose());
    datasets.forEach((data) => tf.dispose([data.x, data.y]));
    more.forEach((m) => m.dispose());
  };
  return { cases: [...cases, ...more.flatMap((m) => m.cases)], dispose };
}

/** Runs the training cases on each backend and returns their results. */
export async function runTrainBench(backends = backendsFromArgs()): Promise<CaseResult[]> {
  return runCasesOnBackends('training', backends, trainCases);
}

/** Prints the training table and writes bench/results/train.json; false if a target failed. */
export function reportTrainBench(results: CaseResult[]): boolean {
  printTable('Training: candidate = prunable layers, baseline = tf.layers (or unpruned prunable layers, or a matMul-bound limit)', results);
  console.log(`results: ${writeResults('train', results)}`);
  return allPassed(results);
}

if (require.main === module) runAsScript(() => runTrainBench(), reportTrainBench);
