// Where predict's time goes in the filter-pruned CNNs of bench:infer: the
// kernels of the dense and the compacted models at batch 32, with their
// multiply-accumulates and the rate each achieves. It explains the cases of
// bench:infer that miss their target; it has none of its own.
//   npm run bench:profile [-- --backend wasm]
import * as tf from '@tensorflow/tfjs';
import { compactUnits, stripPruning } from '../src';
import { backendsFromArgs, useBackend } from './backend';
import { NETWORKS, prunedNetwork } from './infer_cnn';
import { printMarkdownTable } from './harness';

const BATCH = 32;
const PROFILED_CALLS = 21;

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

/** Each kernel of one predict of `model` on `x` (by name and input shape), its median time over the profiled calls. */
async function kernelTimes(model: tf.LayersModel, x: tf.Tensor): Promise<Array<{ kernel: string; ms: number; macs: number | null }>> {
  const predict = () => {
    const y = model.predict(x, { batchSize: BATCH }) as tf.Tensor;
    y.dataSync();
    y.dispose();
  };
  for (let i = 0; i < 3; i++) predict();
  const samples = new Map<string, { ms: number[]; macs: number | null }>();
  for (let call = 0; call < PROFILED_CALLS; call++) {
    const { kernels } = await tf.profile(predict);
    // An op's wrapper ('fusedConv2d__op') times the kernel it runs: counted once, as the kernel.
    for (const k of kernels.filter((k) => !k.name.endsWith('__op'))) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes[0])}`;
      const entry = samples.get(key) ?? { ms: [], macs: macsOf(k as never) };
      entry.ms.push(k.kernelTimeMs as number);
      samples.set(key, entry);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return [...samples].map(([kernel, { ms, macs }]) => ({ kernel, ms: median(ms), macs })).sort((a, b) => b.ms - a.ms);
}

async function main(): Promise<void> {
  for (const backend of backendsFromArgs()) {
    await useBackend(backend);
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
        const times = await kernelTimes(model, x);
        const total = times.reduce((sum, t) => sum + t.ms, 0);
        // Kernels under 1% of the model's kernel time are left out.
        for (const t of times.filter((t) => t.ms >= 0.01 * total)) {
          rows.push([name, t.kernel, t.ms.toFixed(3), t.macs === null ? '-' : String(t.macs),
            t.macs === null ? '-' : (t.macs / t.ms / 1e6).toFixed(2)]);
        }
        rows.push([name, 'all kernels', total.toFixed(3), '', '']);
        model.dispose();
      }
      console.log(`\n${network.name}, batch ${BATCH}, ${backend}: median kernel times of ${PROFILED_CALLS} predicts (tf.profile)`);
      printMarkdownTable(['model', 'kernel (first input shape)', 'ms', 'MACs', 'GMAC/s'], rows);
      x.dispose();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
