// Where predict's time goes in the filter-pruned CNNs of bench:infer: the
// kernels of the dense and the compacted models at batch 32, with their
// multiply-accumulates and the rate each achieves. It explains the cases of
// bench:infer that miss their target; it has none of its own. On wasm, the
// same for the prunable LeNet-5's training step of bench:train (Adam,
// registerWasmMaxPoolGrad) at batch 32 and 128, beside the step's CPU time
// (the rest is JavaScript: the engine, tfjs-layers, col2im) and its
// matMul-bound limit.
//   npm run bench:profile [-- --backend wasm]
import * as tf from '@tensorflow/tfjs';
import { compactUnits, registerWasmMaxPoolGrad, stripPruning } from '../src';
import { backendsFromArgs, useBackend } from './backend';
import { NETWORKS, prunedNetwork } from './infer_cnn';
import { printMarkdownTable } from './harness';
import { loadMnist, mnistTensors } from '../experiments/data/mnist';
import { lenet5 } from '../experiments/models';
import { LENET5_STEP_MACS } from './train_cnn';

const BATCH = 32;
const PROFILED_CALLS = 21;
const TRAINING_BATCHES = [32, 128];
const PROFILED_STEPS = 9;

/** Multiply-accumulates of a convolution or matrix product from its shapes (null for other kernels). */
function macsOf(kernel: { name: string; inputShapes: number[][]; outputShapes: number[][] }): number | null {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const [, filter] = kernel.inputShapes;
  const [output] = kernel.outputShapes;
  // Output entries times the filter's entries per output channel ([kh, kw, in, out]).
  if (kernel.name === 'FusedConv2D' || kernel.name === 'Conv2D') return size(output) * size(filter.slice(0, -1));
  // A depthwise filter [kh, kw, in, multiplier]: each output reads kh·kw inputs.
  if (kernel.name === 'FusedDepthwiseConv2D' || kernel.name === 'DepthwiseConv2dNative') return size(output) * filter[0] * filter[1];
  // [batch, n, k] by [k, m] (or batched): n·k·m per batch.
  if (kernel.name === '_FusedMatMul' || kernel.name === 'BatchMatMul') return size(kernel.inputShapes[0]) * output[output.length - 1];
  return null;
}

interface KernelTime {
  kernel: string;
  ms: number;
  macs: number | null;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Each kernel that `work` runs (by name and the input shapes `shapes` picks),
 * its median time per call over `calls` profiled calls, summed over the
 * kernel's runs within a call.
 */
async function kernelTimes(work: () => Promise<void> | void, calls: number,
  shapes: (inputShapes: number[][]) => number[][]): Promise<KernelTime[]> {
  const samples = new Map<string, { ms: number[]; macs: number | null }>();
  for (let call = 0; call < calls; call++) {
    const { kernels } = await tf.profile(async () => {
      await work();
    });
    // Only registered kernels: an op's wrapper ('fusedConv2d__op') or a custom op's scope times the kernels it runs.
    const perCall = new Map<string, { ms: number; macs: number | null }>();
    for (const k of kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()) !== undefined)) {
      const key = `${k.name} ${JSON.stringify(shapes(k.inputShapes))}`;
      const entry = perCall.get(key) ?? { ms: 0, macs: 0 };
      const macs = macsOf(k as never);
      perCall.set(key, { ms: entry.ms + (k.kernelTimeMs as number), macs: macs === null ? null : entry.macs! + macs });
    }
    for (const [key, { ms, macs }] of perCall) {
      const entry = samples.get(key) ?? { ms: [], macs };
      entry.ms.push(ms);
      samples.set(key, entry);
    }
  }
  return [...samples].map(([kernel, { ms, macs }]) => ({ kernel, ms: median(ms), macs })).sort((a, b) => b.ms - a.ms);
}

/** Table rows of the kernels over 1% of their total, then the total. */
function kernelRows(label: string, times: KernelTime[]): string[][] {
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  const rows = times.filter((t) => t.ms >= 0.01 * total).map((t) => [label, t.kernel, t.ms.toFixed(3),
    t.macs === null ? '-' : String(t.macs), t.macs === null ? '-' : (t.macs / t.ms / 1e6).toFixed(2)]);
  return [...rows, [label, 'all kernels', total.toFixed(3), '', '']];
}

/**
 * The median process CPU time of `work`, in ms, after as many unmeasured
 * calls: bench:train's clock (wasm runs on one thread; CPU time shrugs off
 * most of the load of other processes, which wall time does not).
 */
async function cpuTime(work: () => Promise<void> | void, calls: number): Promise<number> {
  const ms: number[] = [];
  for (let call = 0; call < 2 * calls; call++) {
    const start = process.cpuUsage();
    await work();
    const { user, system } = process.cpuUsage(start);
    if (call >= calls) ms.push((user + system) / 1000);
  }
  return median(ms);
}

/** The profile of one predict of each variant of each network, at batch 32. */
async function profilePredict(backend: string): Promise<void> {
  for (const network of NETWORKS) {
    const x = tf.randomNormal([BATCH, ...network.input], 0, 1, 'float32', 5);
    const unpruned = network.build();
    const variants = [{ name: 'dense', model: stripPruning(unpruned) }];
    unpruned.dispose();
    for (const sparsity of network.sparsities) {
      const pruned = prunedNetwork(network, sparsity);
      variants.push({ name: `compacted, ${sparsity * 100}% filters`, model: compactUnits(pruned) });
      pruned.dispose();
    }
    const rows: string[][] = [];
    for (const { name, model } of variants) {
      const predict = () => {
        const y = model.predict(x, { batchSize: BATCH }) as tf.Tensor;
        y.dataSync();
        y.dispose();
      };
      for (let i = 0; i < 3; i++) predict();
      rows.push(...kernelRows(name, await kernelTimes(predict, PROFILED_CALLS, (shapes) => [shapes[0]])));
      model.dispose();
    }
    console.log(`\n${network.name}, batch ${BATCH}, ${backend}: median kernel times of ${PROFILED_CALLS} predicts (tf.profile)`);
    printMarkdownTable(['model', 'kernel (first input shape)', 'ms', 'MACs', 'GMAC/s'], rows);
    x.dispose();
  }
}

/** The median CPU time of a 1024³ matMul, its second operand new each time (bench:train's limit). */
async function matMulMs(): Promise<number> {
  const a = tf.randomUniform([1024, 1024], -1, 1, 'float32', 1);
  const ms = await cpuTime(() => {
    const c = tf.tidy(() => tf.matMul(a, tf.randomUniform([1024, 1024], -1, 1, 'float32', 2)));
    c.dataSync();
    c.dispose();
  }, 5);
  a.dispose();
  return ms;
}

/** The profile of the prunable LeNet-5's training step on wasm at each of {@link TRAINING_BATCHES}. */
async function profileTraining(): Promise<void> {
  const restore = registerWasmMaxPoolGrad();
  try {
    for (const batch of TRAINING_BATCHES) {
      const { xs, ys } = mnistTensors(loadMnist({ trainSize: batch, testSize: 1 }).train);
      const x = tf.reshape(xs, [batch, 28, 28, 1]);
      const model = lenet5(1).model;
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const step = async () => {
        await model.trainOnBatch(x, ys);
      };
      // The first steps are slower (the wasm heap grows).
      for (let i = 0; i < 10; i++) await step();
      const times = await kernelTimes(step, PROFILED_STEPS, (shapes) => shapes);
      const rows = kernelRows('step', times);
      const cpu = await cpuTime(step, PROFILED_STEPS);
      const matMul = await matMulMs();
      const limit = matMul * (LENET5_STEP_MACS * batch) / 1024 ** 3;
      rows.push(['step', 'CPU time, unprofiled (kernels + JavaScript)', cpu.toFixed(3), String(LENET5_STEP_MACS * batch),
        (LENET5_STEP_MACS * batch / cpu / 1e6).toFixed(2)]);
      rows.push(['limit', `1024³ matMul ${matMul.toFixed(1)} ms × step MACs / 1024³`, limit.toFixed(3), '', '']);
      console.log(`\nprunable LeNet-5 training step (trainOnBatch, Adam, registerWasmMaxPoolGrad), batch ${batch}, wasm: ` +
        `median kernel times of ${PROFILED_STEPS} steps (tf.profile); step / limit ${(cpu / limit).toFixed(2)} (CPU time)`);
      printMarkdownTable(['', 'kernel (input shapes)', 'ms', 'MACs', 'GMAC/s'], rows);
      model.dispose();
      tf.dispose([xs, ys, x]);
    }
  } finally {
    restore();
  }
}

async function main(): Promise<void> {
  for (const backend of backendsFromArgs()) {
    await useBackend(backend);
    await profilePredict(backend);
    if (backend === 'wasm') await profileTraining();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
