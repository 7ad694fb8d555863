import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planTasks, taskCost } from './plan';
import { runInPool } from './pool';
import type { Progress } from './progress';
import type { ComparisonResults, ComparisonSettings } from './results';
import { measureSparseSpeed } from './sparse_speed';
import { measureSpeed } from './speed';
import type { WorkerSetup } from './worker_protocol';

/**
 * Runs the selected experiments: every training run of the plan in a pool
 * of `settings.jobs` worker processes (longest first), then, in this
 * process, the predict timings of the compacted models against their dense
 * ones. The rows come in the plan's order, whatever ran where and when.
 * The deployed files of every model go to a temporary folder, removed at the end.
 *
 * ```ts
 * const results = await runComparison(settings, createProgress(process.stderr));
 * ```
 */
export async function runComparison(settings: ComparisonSettings, progress: Progress): Promise<ComparisonResults> {
  const started = new Date();
  const start = performance.now();
  const deployRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-prune-study-'));
  try {
    const setup: WorkerSetup = {
      backend: settings.backend as WorkerSetup['backend'],
      trainSize: settings.trainSize,
      testSize: settings.testSize,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      fineTuneSteps: settings.fineTuneSteps,
      deployRoot,
    };
    const tasks = planTasks(settings);
    const longestFirst = [...tasks].sort((a, b) => taskCost(b, settings) - taskCost(a, settings));
    const byTask = await runInPool(longestFirst, { jobs: settings.jobs, setup, progress });
    const rows = tasks.flatMap((task) => byTask.get(task.id) ?? []);
    const speed = await measureSpeed(rows, deployRoot, progress, settings.quick);
    const sparseSpeed = await measureSparseSpeed(rows, deployRoot, progress, settings.quick);
    return {
      settings,
      rows,
      speed,
      sparseSpeed,
      totalSeconds: (performance.now() - start) / 1000,
      startedAt: started.toISOString(),
      machine: `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    };
  } finally {
    fs.rmSync(deployRoot, { recursive: true, force: true });
  }
}
