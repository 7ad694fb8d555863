import * as path from 'node:path';
import * as workerpool from 'workerpool';
import { pretrainOf, RunTask } from './plan';
import type { Progress, RunProgress } from './progress';
import type { ResultRow } from './results';
import { RUN_METHOD, WorkerEvent, WorkerSetup } from './worker_protocol';

/** The worker script beside this file (TypeScript under ts-node). */
const WORKER_SCRIPT = path.join(__dirname, `worker${path.extname(__filename)}`);

/** How {@link runInPool} runs: worker processes, what they share, and where progress goes. */
export interface PoolOptions {
  jobs: number;
  setup: WorkerSetup;
  progress: Progress;
  /** Rows of tasks finished earlier, by task id: not run again. Default: none. */
  finished?: Map<string, ResultRow[]>;
  /** Called with each task the pool finishes, as it finishes (to record it). */
  onFinished?: (task: RunTask, rows: ResultRow[]) => void;
  /** A task's rough cost, in any unit: the estimate of the time left assumes time proportional to it. Default: 1 per task. */
  cost?: (task: RunTask) => number;
}

/**
 * Runs `tasks` in a pool of `jobs` worker processes (workerpool), starting
 * them in the given order (a task that starts from a pretrained model once
 * its pretraining task has finished), and returns each task's rows by task
 * id. Each worker's runs show on `progress`, named `worker N` (N in order
 * of first report), and each finished task logs the runs done, those left
 * and an estimate of the time left. Child processes rather than threads: each has its own wasm
 * backend and its own process CPU clock. A failed task stops the pool and
 * rejects with its error.
 *
 * ```ts
 * const rows = await runInPool(planTasks(settings), {jobs: 2, setup, progress});
 * ```
 */
export async function runInPool(tasks: RunTask[], options: PoolOptions): Promise<Map<string, ResultRow[]>> {
  const pool = workerpool.pool(WORKER_SCRIPT, {
    workerType: 'process',
    maxWorkers: options.jobs,
    forkOpts: {
      execArgv: ['--require', require.resolve('ts-node/register/transpile-only')],
      serialization: 'advanced',
    },
  });
  const workers = new Map<number, string>();
  const workerName = (pid: number) => {
    if (!workers.has(pid)) workers.set(pid, `worker ${workers.size + 1}`);
    return workers.get(pid)!;
  };
  const runs = new Map<string, RunProgress>();
  const relay = (event: WorkerEvent) => {
    const who = workerName(event.pid);
    if (event.type === 'log') {
      options.progress.log(`[${who}] ${event.line}`);
      return;
    }
    const key = `${event.pid}|${event.label}`;
    if (event.type === 'start') runs.set(key, options.progress.startRun(`[${who}] ${event.label}`, event.size));
    else if (event.type === 'update') runs.get(key)?.update(event.state);
    else {
      runs.get(key)?.finish(event.summary);
      runs.delete(key);
    }
  };
  const finished = options.finished ?? new Map<string, ResultRow[]>();
  const cost = options.cost ?? (() => 1);
  const toRun = tasks.filter((task) => !finished.has(task.id));
  const start = performance.now();
  let costDone = 0;
  let costLeft = toRun.reduce((sum, task) => sum + cost(task), 0);
  let remaining = toRun.length;
  const report = () => {
    const minutes = costDone === 0 ? null : (performance.now() - start) / 60000 * costLeft / costDone;
    options.progress.log(`${tasks.length - remaining} of ${tasks.length} runs done${finished.size > 0 ? ` (${finished.size} by an earlier, interrupted run)` : ''}, ` +
      `${remaining} left${minutes == null || remaining === 0 ? '' : `, about ${Math.ceil(minutes)} min to go`}`);
  };
  if (finished.size > 0) report();
  const promises = new Map<string, Promise<ResultRow[]>>();
  const runTask = async (task: RunTask): Promise<ResultRow[]> => {
    const after = pretrainOf(task);
    if (after != null && !finished.has(after)) {
      const pretraining = promises.get(after);
      if (pretraining == null) throw new Error(`The run '${task.id}' starts from '${after}', which the plan does not hold`);
      await pretraining;
    }
    const rows = await pool.exec(RUN_METHOD, [task, options.setup], { on: relay }) as ResultRow[];
    options.onFinished?.(task, rows);
    costDone += cost(task);
    costLeft -= cost(task);
    remaining--;
    report();
    return rows;
  };
  let failed = false;
  try {
    // Pretraining first, so that the runs waiting for it find its promise; those wait, the others queue in the given order.
    for (const task of [...toRun.filter((t) => pretrainOf(t) == null), ...toRun.filter((t) => pretrainOf(t) != null)]) {
      promises.set(task.id, runTask(task));
    }
    const done = await Promise.all(tasks.map(async (task) => [task.id, finished.get(task.id) ?? await promises.get(task.id)!] as const));
    return new Map(done);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await pool.terminate(failed);
  }
}
