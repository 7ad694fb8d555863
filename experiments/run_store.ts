import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunTask } from './plan';
import type { ResultRow } from './results';
import type { WorkerSetup } from './worker_protocol';

/** What every task's rows depend on besides the task itself (the workers' setup but its folders): a finished run is reused only with the same. */
export type StoredSetup = Omit<WorkerSetup, 'deployRoot' | 'pretrainedRoot'>;

/** One finished task on disk. */
interface StoredRun {
  task: RunTask;
  setup: StoredSetup;
  rows: ResultRow[];
}

/**
 * The working folder of a comparison, inside its output folder: the rows
 * of every finished task (`results/`), the pretrained models
 * (`pretrained/`) and the deployed files of every measured model
 * (`deployed/`), so that an interrupted comparison can continue.
 */
export interface RunStore {
  dir: string;
  deployRoot: string;
  pretrainedRoot: string;
  /** The rows of the planned tasks an earlier, interrupted run finished, by task id (empty unless resuming). */
  finished: Map<string, ResultRow[]>;
  /** Records a finished task (written whole, then renamed: a file on disk is never half written). */
  save(task: RunTask, rows: ResultRow[]): void;
  /** Removes the folder, once the report is written. */
  remove(): void;
}

/** Name of the working folder in the output folder. */
export const RUNS_FOLDER = 'runs';

/**
 * Opens the working folder of a comparison in `out`. A new comparison
 * (`resume` false) refuses a folder that holds finished runs of an earlier
 * one, which `--resume` would continue; a resumed one reuses each finished
 * run of the plan whose task and `setup` are those of this comparison, and
 * refuses to mix in one that differs, naming the run and the setting.
 *
 * ```ts
 * const store = openRunStore('docs/results', setup, planTasks(settings), false);
 * ```
 */
export function openRunStore(out: string, setup: StoredSetup, tasks: RunTask[], resume: boolean): RunStore {
  const dir = path.join(out, RUNS_FOLDER);
  const resultsDir = path.join(dir, 'results');
  const files = fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json')) : [];
  const finished = new Map<string, ResultRow[]>();
  if (!resume) {
    if (files.length > 0) {
      throw new Error(`${dir} holds ${files.length} finished run${files.length > 1 ? 's' : ''} of an earlier comparison that did not end: ` +
        'add --resume to continue it, or remove that folder to start over.');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  } else {
    if (files.length === 0) throw new Error(`--resume: ${dir} holds no finished run of an interrupted comparison to continue.`);
    const planned = new Map(tasks.map((task) => [task.id, task]));
    for (const file of files) {
      const stored = JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8')) as StoredRun;
      const task = planned.get(stored.task.id);
      if (task == null) continue;
      const difference = firstDifference({ task: stored.task, setup: stored.setup }, { task, setup }, '');
      if (difference != null) {
        throw new Error(`--resume: the finished run '${task.id}' in ${dir} was made with other settings (${difference}): ` +
          'run with the settings of the interrupted comparison, or remove that folder to start over.');
      }
      finished.set(task.id, stored.rows);
    }
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  const fileOf = (id: string) => path.join(resultsDir, `${id.toLowerCase().replace(/[^a-z0-9.]+/g, '-')}.json`);
  return {
    dir,
    deployRoot: path.join(dir, 'deployed'),
    pretrainedRoot: path.join(dir, 'pretrained'),
    finished,
    save: (task, rows) => {
      const file = fileOf(task.id);
      fs.writeFileSync(`${file}.partial`, JSON.stringify({ task, setup, rows } satisfies StoredRun));
      fs.renameSync(`${file}.partial`, file);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Where two plain-data values first differ: `'task.run.epochs: 2, now 3'`, or null when equal. */
function firstDifference(was: unknown, now: unknown, at: string): string | null {
  if (typeof was === 'object' && was != null && typeof now === 'object' && now != null) {
    for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
      const d = firstDifference((was as Record<string, unknown>)[key], (now as Record<string, unknown>)[key], at === '' ? key : `${at}.${key}`);
      if (d != null) return d;
    }
    return null;
  }
  return was === now ? null : `${at}: ${JSON.stringify(was)}, now ${JSON.stringify(now)}`;
}
