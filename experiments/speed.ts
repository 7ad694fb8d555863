import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { fileSystem } from '../src/node';
import { pairedSpeedup, predicting, runCase } from '../timing/cases';
import { deployDir } from './context';
import { float32Dir } from './deployed_files';
import type { Progress } from './progress';
import { ResultRow, rowLabel, SpeedRow } from './results';

/** The batch sizes of the predict timings. */
export const SPEED_BATCHES = [1, 32];
/** Timed repetitions per side at each batch size, after 3 warm-up calls. */
const REPETITIONS: Record<number, number> = { 1: 41, 32: 41 };
/** Repetitions of a `--quick` run, whose timings only show that timing works. */
const QUICK_REPETITIONS = 5;

/**
 * Times predict of every compacted model in `rows` against the dense model
 * of its network and seed, loaded from their deployed float32 files under
 * `root`, in this process on the current backend: per batch size, warm-up
 * calls, then repetitions alternating between the two models, medians
 * (timing/cases' `runCase`: process CPU time on wasm and cpu, where
 * one thread computes, so that other processes on the machine count less),
 * and the speedup as the median of each round's ratio (`pairedSpeedup`).
 * A compacted model whose dense model was not run is left out. `quick`: few repetitions.
 *
 * ```ts
 * const speed = await measureSpeed(results.rows, deployRoot, progress, false);
 * ```
 */
export async function measureSpeed(rows: ResultRow[], root: string, progress: Progress, quick: boolean): Promise<SpeedRow[]> {
  const speed: SpeedRow[] = [];
  for (const row of rows.filter((r) => r.deployed === 'compacted')) {
    const dense = rows.find((r) => r.network === row.network && r.seed === row.seed && r.method === 'dense' && r.schedule === 'none');
    if (dense == null) continue;
    const [compacted, baseline] = await Promise.all([row, dense].map((r) => tf.loadLayersModel(fileSystem(float32Dir(deployDir(root, r))))));
    try {
      for (const batch of SPEED_BATCHES) {
        const x = tf.randomUniform([batch, ...compacted.inputs[0].shape.slice(1) as number[]], 0, 1, 'float32', 1);
        try {
          const result = await runCase({
            name: rowLabel(row),
            sizes: `batch ${batch}`,
            candidate: predicting('compacted', compacted, x),
            baseline: predicting('dense', baseline, x),
            repetitions: quick ? QUICK_REPETITIONS : REPETITIONS[batch] ?? 21,
            warmup: 3,
          });
          const speedup = pairedSpeedup(result);
          speed.push({
            network: row.network, method: row.method, schedule: row.schedule, targetSparsity: row.targetSparsity, seed: row.seed, batch,
            compactedMs: result.candidate.medianMs,
            denseMs: result.baseline.medianMs,
            speedup,
            clock: result.clock,
            repetitions: result.candidate.repetitions,
            loadAverage: os.loadavg()[0],
          });
          progress.log(`predict ${rowLabel(row)}, batch ${batch}: ${result.candidate.medianMs.toFixed(2)} ms vs dense ` +
            `${result.baseline.medianMs.toFixed(2)} ms (${result.clock} time), ${speedup.toFixed(2)}x`);
        } finally {
          x.dispose();
        }
      }
    } finally {
      compacted.dispose();
      baseline.dispose();
    }
  }
  return speed;
}
