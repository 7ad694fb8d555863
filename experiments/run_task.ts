import * as tf from '@tensorflow/tfjs';
import { runBaseline } from './baselines';
import type { ExperimentContext } from './context';
import { runGradual } from './gradual';
import { runOneShot, runReferenceOneShot } from './one_shot';
import type { RunTask } from './plan';
import { runPretrain } from './pretrain';
import type { ResultRow } from './results';

/**
 * Runs one task of the plan in `context` and returns its rows.
 *
 * ```ts
 * const rows = await runTask(context, planTasks(settings)[0]);
 * ```
 */
export async function runTask(context: ExperimentContext, task: RunTask): Promise<ResultRow[]> {
  switch (task.kind) {
    case 'reference':
      return runReferenceOneShot(context, task.run);
    case 'pretrain':
      return withTrainSize(context, task.run.trainSize, (c) => runPretrain(c, task.run, task.id));
    case 'one-shot':
      return withTrainSize(context, task.run.trainSize, (c) => runOneShot(c, task.run));
    case 'baseline':
      return withTrainSize(context, task.run.trainSize, (c) => runBaseline(c, task.run));
    case 'gradual':
      return withTrainSize(context, task.run.trainSize, async (c) => [await runGradual(c, task.run)]);
  }
}

/** Runs `work` on the first `size` training images of `context` (all of them if it has no more). */
async function withTrainSize<T>(context: ExperimentContext, size: number, work: (context: ExperimentContext) => Promise<T>): Promise<T> {
  if (size >= context.train.xs.shape[0]) return work(context);
  const train = tf.tidy(() => ({ xs: context.train.xs.slice([0, 0], [size, -1]), ys: context.train.ys.slice([0, 0], [size, -1]) }));
  try {
    return await work({ ...context, train });
  } finally {
    tf.dispose([train.xs, train.ys]);
  }
}
