// A worker process of the study's pool (workerpool): runs one task at a time
// on its own TF.js backend and copy of MNIST, and sends progress events.
import * as workerpool from 'workerpool';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './backend';
import type { ExperimentContext } from './context';
import { loadMnist, mnistTensors } from './data/mnist';
import type { RunTask } from './plan';
import type { Progress } from './progress';
import type { ResultRow } from './results';
import { runTask } from './run_task';
import { RUN_METHOD, WorkerEvent, WorkerMessage, WorkerSetup } from './worker_protocol';

/** Steps between two progress updates sent to the main process (epoch ends are always sent). */
const UPDATE_EVERY = 10;

let loaded: { key: string; context: Omit<ExperimentContext, 'progress'> } | null = null;

async function contextFor(setup: WorkerSetup): Promise<Omit<ExperimentContext, 'progress'>> {
  const key = JSON.stringify(setup);
  if (loaded?.key === key) return loaded.context;
  if (loaded != null) tf.dispose([loaded.context.train.xs, loaded.context.train.ys, loaded.context.test.xs]);
  await useBackend(setup.backend);
  const data = loadMnist({ trainSize: setup.trainSize, testSize: setup.testSize });
  const test = mnistTensors(data.test);
  test.ys.dispose();
  const { backend, trainSize, testSize, ...budget } = setup;
  loaded = { key, context: { ...budget, train: mnistTensors(data.train), test: { xs: test.xs, labels: data.test.labels } } };
  return loaded.context;
}

const emit = (message: WorkerMessage) => workerpool.workerEmit({ ...message, pid: process.pid } satisfies WorkerEvent);

const progress: Progress = {
  startRun: (label, size) => {
    emit({ type: 'start', label, size });
    return {
      update: (state) => {
        if (state.step % UPDATE_EVERY === 0 || state.step % size.stepsPerEpoch === 0) emit({ type: 'update', label, state });
      },
      finish: (summary) => emit({ type: 'finish', label, summary }),
    };
  },
  log: (line) => emit({ type: 'log', line }),
};

async function run(task: RunTask, setup: WorkerSetup): Promise<ResultRow[]> {
  return runTask({ ...await contextFor(setup), progress }, task);
}

workerpool.worker({ [RUN_METHOD]: run });
