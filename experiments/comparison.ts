import * as os from 'node:os';
import { planTasks, taskCost } from './plan';
import { runInPool } from './pool';
import type { Progress } from './progress';
import type { ComparisonResults, ComparisonSettings } from './results';
import { openRunStore, StoredSetup } from './run_store';
import { measureSparseSpeed } from './sparse_speed';
import { measureSpeed } from './speed';
import type { WorkerSetup } from './worker_protocol';

/** Where a comparison keeps its work, and whether it continues an interrupted one. */
export interface ComparisonFiles {
  /** The output folder: its `runs` subfolder holds every finished run until the report is written. */
  out: string;
  /** Continue the interrupted comparison whose finished runs are in `out` (same settings). */
  resume: boolean;
}

/**
 * Runs the selected experiments: every training run of the plan in a pool
 * of `settings.jobs` worker processes (pretraining first, then the longest
 * first), recording each finished run in the output folder's `runs`
 * subfolder ({@link openRunStore}); then, in this process, the predict
 * timings of the compacted and the sparse models against their dense ones.
 * The rows come in the plan's order, whatever ran where and when, and
 * whether or not an earlier, interrupted run finished some of them. The
 * caller removes the `runs` folder once the report is written (`removeRuns`).
 *
 * ```ts
 * const {results, removeRuns} = await runComparison(settings, createProgress(process.stderr), {out: 'docs/results', resume: false});
 * ```
 */
export async function runComparison(settings: ComparisonSettings, progress: Progress, files: ComparisonFiles):
  Promise<{ results: ComparisonResults; removeRuns: () => void }> {
  const started = new Date();
  const start = performance.now();
  const tasks = planTasks(settings);
  const stored: StoredSetup = {
    backend: settings.backend as WorkerSetup['backend'], trainSize: settings.trainSize, testSize: settings.testSize, holdout: settings.holdout,
    batchSize: settings.batchSize, learningRate: settings.learningRate, fineTuneLearningRate: settings.cnnFineTuneLearningRate,
  };
  const store = openRunStore(files.out, stored, tasks, files.resume);
  const cost = (task: (typeof tasks)[number]) => taskCost(task, settings);
  // Pretraining gates the runs that start from it: first, then the longest first.
  const order = [...tasks].sort((a, b) => Number(a.kind !== 'pretrain') - Number(b.kind !== 'pretrain') || cost(b) - cost(a));
  const byTask = await runInPool(order, {
    jobs: settings.jobs,
    setup: { ...stored, deployRoot: store.deployRoot, pretrainedRoot: store.pretrainedRoot },
    progress,
    finished: store.finished,
    onFinished: store.save,
    cost,
  });
  const rows = tasks.flatMap((task) => byTask.get(task.id) ?? []);
  const speed = await measureSpeed(rows, store.deployRoot, progress, settings.quick);
  const sparseSpeed = await measureSparseSpeed(rows, store.deployRoot, progress, settings.quick);
  return {
    results: {
      settings,
      rows,
      speed,
      sparseSpeed,
      totalSeconds: (performance.now() - start) / 1000,
      reusedRuns: store.finished.size,
      startedAt: started.toISOString(),
      machine: `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    },
    removeRuns: store.remove,
  };
}
