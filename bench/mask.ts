// Mask-update benchmark: selecting a 90% mask for a 4096 x 4096 kernel, by
// weight and by unit, with and without a current mask, against the direct
// port of the Stack Overflow answer (tf.topk, then scatter); and, without
// targets, a whole layer update (pruneLayer: select, write, report).
//   npm run bench:mask [-- --backend wasm,cpu]
import * as tf from '@tensorflow/tfjs';
import { magnitudeMask, prunableDense, pruneLayer, unitMask, unitPruning, weightPruning } from '../src';
import { randomMask } from '../test/support/random';
import { backendsFromArgs } from './backend';
import { BenchCase, CaseResult } from '../timing/cases';
import { allPassed, printTable, runAsScript, runCasesOnBackends, writeResults } from './harness';
import { soUnitPruning, soWeightPruning } from './stackoverflow_pruning';

const ROWS = 4096;
const COLS = 4096;
const SPARSITY = 0.9;
/** Targets of the issue: selection in at most 0.3 s, and at least 10x faster than the port. */
const MAX_MS = 300;
const MAX_RATIO = 0.1;

/** Checks on a small kernel that the port and the library prune exactly the same entries. */
function checkSameAsStackOverflow(): void {
  tf.tidy(() => {
    const w = tf.randomNormal([64, 48], 0, 1, 'float32', 7);
    const pairs: Array<[string, tf.Tensor, tf.Variable]> = [
      ['weight', weightPruning(w, SPARSITY), soWeightPruning(tf.variable(w), SPARSITY)],
      ['unit', unitPruning(w, SPARSITY), soUnitPruning(tf.variable(w), SPARSITY)],
    ];
    for (const [method, ours, theirs] of pairs) {
      const differs = tf.notEqual(ours, theirs).any().dataSync()[0];
      theirs.dispose();
      if (differs) throw new Error(`${method} pruning differs from the Stack Overflow port on a 64 x 48 kernel`);
    }
  });
  console.log('check: weight and unit masks equal those of the Stack Overflow port on a 64 x 48 kernel');
}

/** The cases on the current backend, and a function that frees their tensors. */
function maskCases(backend: string): { cases: BenchCase[]; dispose: () => void } {
  const w = tf.randomNormal([ROWS, COLS], 0, 1, 'float32', 1);
  const half = tf.tensor(randomMask(ROWS * COLS, 2, 0.5), [ROWS, COLS]);
  const soTarget = tf.variable(w);
  // The port takes seconds per method on wasm and tens of seconds on cpu (docs/performance.md): time it once there.
  const slow = backend === 'cpu' ? { warmup: 0, repetitions: 1 } : { warmup: 1, repetitions: 3 };
  const soWeight = { label: 'SO port: topk + scatter', cacheKey: 'so-weight', ...slow,
    prepare: () => soTarget.assign(w), run: () => soWeightPruning(soTarget, SPARSITY) };
  const soUnit = { label: 'SO port: norm + topk + scatter', cacheKey: 'so-unit', ...slow,
    prepare: () => soTarget.assign(w), run: () => soUnitPruning(soTarget, SPARSITY) };
  const timed = (label: string, select: () => tf.Tensor) => ({ label, run: () => select().dispose() });
  const layer = prunableDense({ units: COLS, useBias: false });
  layer.build([null, ROWS]);
  layer.weightVariables.kernel.write(w);
  const layerUpdate = (method: 'weight' | 'unit') => ({
    label: `pruneLayer(layer, '${method}', ${SPARSITY})`,
    prepare: () => layer.setMask(half),
    run: () => pruneLayer(layer, { method, sparsity: SPARSITY }),
  });
  const sizes = `${ROWS}x${COLS}, k=${SPARSITY}`;
  const common = { maxCandidateMs: MAX_MS, maxRatio: MAX_RATIO, repetitions: 5, warmup: 1 };
  const dispose = () => {
    tf.dispose([w, half, soTarget]);
    layer.weights.forEach((v) => v.dispose());
  };
  const cases: BenchCase[] = [
    { name: 'weight mask', sizes, candidate: timed('magnitudeMask(w, k)', () => magnitudeMask(w, SPARSITY)), baseline: soWeight, ...common },
    { name: 'weight mask, 50% current', sizes, candidate: timed('magnitudeMask(w, k, m)', () => magnitudeMask(w, SPARSITY, half)), baseline: soWeight, ...common },
    // Informational (the targets are on selection): pruneLayer also writes the mask and reports on it.
    { name: 'weight layer update, 50% current', sizes, candidate: layerUpdate('weight'), baseline: soWeight },
    { name: 'unit mask', sizes, candidate: timed('unitMask(w, k)', () => unitMask(w, SPARSITY)), baseline: soUnit, ...common },
    { name: 'unit mask, 50% current', sizes, candidate: timed('unitMask(w, k, m)', () => unitMask(w, SPARSITY, half)), baseline: soUnit, ...common },
    { name: 'unit layer update, 50% current', sizes, candidate: layerUpdate('unit'), baseline: soUnit },
  ];
  return { cases, dispose };
}

/** Runs the mask cases on each backend and returns their results. */
export async function runMaskBench(backends = backendsFromArgs()): Promise<CaseResult[]> {
  return runCasesOnBackends('mask', backends, (backend) => {
    checkSameAsStackOverflow();
    return maskCases(backend);
  });
}

/** Prints the mask table and writes bench/results/mask.json; false if a target failed. */
export function reportMaskBench(results: CaseResult[]): boolean {
  printTable('Mask updates: candidate = this library, baseline = Stack Overflow port', results);
  console.log(`results: ${writeResults('mask', results)}`);
  return allPassed(results);
}

if (require.main === module) runAsScript(() => runMaskBench(), reportMaskBench);
