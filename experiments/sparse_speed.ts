import * as tf from '@tensorflow/tfjs';
import { SparseDense, toSparseModel } from '../src';
import { fileSystem } from '../src/node';
import { pairedSpeedup, predicting, runCase } from '../timing/cases';
import { deployDir } from './context';
import { float32Dir } from './deployed_files';
import type { Progress } from './progress';
import { ResultRow, rowLabel, SparseSpeedRow } from './results';

/** Timed repetitions per side (batch 1 calls are short), after 3 warm-up calls; a `--quick` run's only show that timing works. */
const REPETITIONS = 41;
const QUICK_REPETITIONS = 5;

/**
 * Times predict at batch 1 of every weight-pruned deployed model in `rows`
 * (stripped, pruned element-wise: weight, global or random pruning) loaded
 * from its deployed float32 files under `root`, converted by `toSparseModel`
 * (default minSparsity; a model of which no layer converts is left out)
 * against the same model run dense, in this process on
 * the current backend, with timing/cases' `runCase` and `pairedSpeedup` as
 * for the compacted models. `quick`: few repetitions.
 *
 * ```ts
 * const sparseSpeed = await measureSparseSpeed(results.rows, deployRoot, progress, false);
 * ```
 */
export async function measureSparseSpeed(rows: ResultRow[], root: string, progress: Progress, quick: boolean): Promise<SparseSpeedRow[]> {
  const speed: SparseSpeedRow[] = [];
  for (const row of rows.filter((r) => r.deployed === 'stripped' && r.targetSparsity > 0 && r.method !== 'unit')) {
    const dense = await tf.loadLayersModel(fileSystem(float32Dir(deployDir(root, row))));
    const sparse = await toSparseModel(dense);
    const sparseLayers = sparse.layers.filter((layer) => layer instanceof SparseDense).length;
    if (sparseLayers === 0) {
      // Nothing converts (no layer reaches minSparsity): the two models are one.
      sparse.dispose();
      dense.dispose();
      continue;
    }
    const x = tf.randomUniform([1, ...dense.inputs[0].shape.slice(1) as number[]], 0, 1, 'float32', 1);
    try {
      const result = await runCase({
        name: rowLabel(row), sizes: 'batch 1', candidate: predicting('sparse', sparse, x), baseline: predicting('dense', dense, x),
        repetitions: quick ? QUICK_REPETITIONS : REPETITIONS, warmup: 3,
      });
      const speedup = pairedSpeedup(result);
      speed.push({
        network: row.network, method: row.method, schedule: row.schedule, targetSparsity: row.targetSparsity, seed: row.seed,
        sparseMs: result.candidate.medianMs, denseMs: result.baseline.medianMs, speedup,
        sparseLayers, clock: result.clock, repetitions: result.candidate.repetitions,
      });
      progress.log(`predict sparse ${rowLabel(row)}, batch 1: ${result.candidate.medianMs.toFixed(3)} ms vs dense ` +
        `${result.baseline.medianMs.toFixed(3)} ms (${result.clock} time, ${sparseLayers} sparse layers), ` +
        `${speedup.toFixed(2)}x`);
    } finally {
      x.dispose();
      sparse.dispose();
      dense.dispose();
    }
  }
  return speed;
}

/**
 * The report's cell for the model `row` names: mean sparse and dense predict
 * times at batch 1 over its seeds and mean speedup, or '–' when not timed.
 *
 * ```ts
 * sparseSpeedCell(results.sparseSpeed ?? [], summary); // '0.071 / 0.142 ms (2.00×)'
 * ```
 */
export function sparseSpeedCell(speed: readonly SparseSpeedRow[], row: Pick<ResultRow, 'network' | 'method' | 'schedule' | 'targetSparsity'>): string {
  const timed = speed.filter((s) => s.network === row.network && s.method === row.method && s.schedule === row.schedule &&
    s.targetSparsity === row.targetSparsity);
  if (timed.length === 0) return '–';
  const mean = (f: (s: SparseSpeedRow) => number) => timed.reduce((n, s) => n + f(s), 0) / timed.length;
  return `${mean((s) => s.sparseMs).toFixed(3)} / ${mean((s) => s.denseMs).toFixed(3)} ms (${mean((s) => s.speedup).toFixed(2)}×)`;
}

/** The footnote of the tables' sparse predict column. */
export const SPARSE_SPEED_NOTE = '† The deployed (stripped) model\'s `predict` at batch 1, median ms: converted by `toSparseModel` (the layers with ' +
  'at least 70% zeros run on the sparse WebAssembly kernels) / as TF.js runs it, timed alternately in one process after the training runs; ' +
  'the speedup is the median of each round\'s ratio; means over seeds; – where no layer converts (not weight-pruned, or below 70%). Small models are dominated by `predict`\'s fixed cost per call.';
