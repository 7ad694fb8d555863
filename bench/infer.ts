// Inference benchmark: `predict` of unit-pruned models, stripped (pruned
// units kept as zero columns) and compacted (pruned units removed,
// compactUnits), against the dense model, at batch 1 and 128, for
// LeNet-300-100 and the reference MLP 784-1000-1000-500-200-10; and the
// filter-pruned CNNs of ./infer_cnn.ts.
//   npm run bench:infer [-- --backend wasm,cpu]
import * as tf from '@tensorflow/tfjs';
import { compactUnits, makePrunable, pruneModel, stripPruning } from '../src';
import { ExperimentModel, lenet300100, referenceMlp } from '../experiments/models';
import { backendsFromArgs, useBackend } from './backend';
import { BenchCase, CaseResult, predicting, runCase } from '../timing/cases';
import { allPassed, printTable, runAsScript, writeResults } from './harness';
import { channelInferCases, cnnInferCases } from './infer_cnn';

const SPARSITIES = [0.5, 0.8, 0.9];
const BATCHES = [1, 128];
/** Target of the issue: compacted at 90% unit sparsity at least 5x faster than dense at batch 128, on wasm. */
const TARGET = { sparsity: 0.9, batch: 128, backend: 'wasm', maxRatio: 0.2 };

const MODELS: Array<{ name: string; build: () => ExperimentModel }> = [
  { name: 'LeNet-300-100', build: () => lenet300100(1) },
  { name: 'MLP 784-1000-1000-500-200-10', build: () => referenceMlp(1) },
];


/** Timed repetitions per side: many for runs of a few milliseconds or less, few for the MLP's second-long batches on cpu. */
function repetitionsFor(backend: string, model: string, batch: number): number {
  const lenet = model === MODELS[0].name;
  if (batch === 1 || (lenet && backend !== 'cpu')) return 50;
  return lenet || backend !== 'cpu' ? 15 : 5;
}

/** Throws unless `a` and `b` predict the same for `x`, to 1e-4. */
function checkSamePredictions(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor, what: string): void {
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))).dataSync()[0]);
  if (!(difference <= 1e-4)) throw new Error(`${what}: compacted and stripped predictions differ by ${difference}`);
}

/** The models at each sparsity: dense, and unit-pruned stripped and compacted; untrained, as speed does not depend on the values. */
function variants(build: () => ExperimentModel): { dense: tf.LayersModel; pruned: Array<{ sparsity: number; stripped: tf.LayersModel; compacted: tf.LayersModel }> } {
  const { model, prunable } = build();
  const dense = stripPruning(model);
  const pruned = SPARSITIES.map((sparsity) => {
    const copy = makePrunable(model);
    pruneModel(copy, { method: 'unit', sparsity, layers: prunable });
    const result = { sparsity, stripped: stripPruning(copy), compacted: compactUnits(copy) };
    copy.dispose();
    return result;
  });
  model.dispose();
  return { dense, pruned };
}

/** Runs the inference cases on each backend and returns their results. */
export async function runInferBench(backends = backendsFromArgs()): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const backend of backends) {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    for (const { name, build } of MODELS) {
      const { dense, pruned } = variants(build);
      for (const batch of BATCHES) {
        const x = tf.randomNormal([batch, 784], 0, 1, 'float32', 3);
        const repetitions = repetitionsFor(backend, name, batch);
        // Timed anew beside each candidate, not once and reused: the speed of a process drifts (warm-up, load).
        const baseline = predicting(`dense (${dense.countParams()} params)`, dense, x);
        for (const { sparsity, stripped, compacted } of pruned) {
          checkSamePredictions(compacted, stripped, x, `${name} at ${sparsity}`);
          const sizes = `batch ${batch}, ${sparsity * 100}% units`;
          const target = backend === TARGET.backend && sparsity === TARGET.sparsity && batch === TARGET.batch ? { maxRatio: TARGET.maxRatio } : {};
          const cases: BenchCase[] = [
            { name: `${name} stripped`, sizes, candidate: predicting(`stripped (${stripped.countParams()} params)`, stripped, x), baseline, repetitions, warmup: 3 },
            { name: `${name} compacted`, sizes, candidate: predicting(`compacted (${compacted.countParams()} params)`, compacted, x), baseline, repetitions, warmup: 3, ...target },
          ];
          for (const c of cases) {
            const result = await runCase(c);
            console.log(`  ${result.case}, ${result.sizes}: ${result.candidate.medianMs.toFixed(2)} ms vs dense ${result.baseline.medianMs.toFixed(2)} ms`);
            results.push(result);
          }
        }
        x.dispose();
      }
      [dense, ...pruned.flatMap((p) => [p.stripped, p.compacted])].forEach((m) => m.dispose());
    }
    for (const cnn of [cnnInferCases(backend), channelInferCases(backend)]) {
      for (const c of cnn.cases) {
        const result = await runCase(c);
        console.log(`  ${result.case}, ${result.sizes}: ${result.candidate.medianMs.toFixed(2)} ms vs dense ${result.baseline.medianMs.toFixed(2)} ms`);
        results.push(result);
      }
      cnn.dispose();
    }
    if (tf.memory().numTensors !== before) throw new Error(`inference benchmark leaked ${tf.memory().numTensors - before} tensors`);
  }
  return results;
}

/** Prints the table and the PASS/FAIL lines, writes bench/results/infer.json; whether every target passed. */
export function reportInferBench(results: CaseResult[]): boolean {
  printTable('predict of unit-pruned models: candidate = stripped or compacted, baseline = dense', results);
  for (const r of results) {
    for (const t of r.targets) console.log(`${t.pass ? 'PASS' : 'FAIL'} ${r.backend} ${r.case}, ${r.sizes}: ${t.target} (${(1 / r.ratio).toFixed(1)}x faster)`);
  }
  console.log(`results: ${writeResults('infer', results)}`);
  return allPassed(results);
}

if (require.main === module) runAsScript(() => runInferBench(), reportInferBench);
