import * as path from 'node:path';
import * as workerpool from 'workerpool';
import type { RunTask } from './plan';
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
}

/**
 * Runs `tasks` in a pool of `jobs` worker processes (workerpool), starting
 * them in the given order, and returns each task's rows by task id. Each
 * worker's runs show on `progress`, named `worker N` (N in order of first
 * report). Child processes rather than threads: each has its own wasm
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
  let failed = false;
  try {
    const done = await Promise.all(tasks.map(async (task) => {
      const rows = await pool.exec(RUN_METHOD, [task, options.setup], { on: relay }) as ResultRow[];
      return [task.id, rows] as const;
    }));
    return new Map(done);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await pool.terminate(failed);
  }
}
