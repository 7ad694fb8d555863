// A worker process of the study's pool (workerpool): runs one task at a time
// on its own TF.js backend and copy of MNIST, and sends progress events.
import * as workerpool from 'workerpool';
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGrad, registerWasmMaxPoolGrad } from '../src';
import { useBackend } from './backend';
import type { ExperimentContext } from './context';
import { loadMnist, mnistTensors, sliceSplit } from './data/mnist';
import type { RunTask } from './plan';
import type { Progress } from './progress';
import type { ResultRow } from './results';
import { runTask } from './run_task';
import { RUN_METHOD, WorkerEvent, WorkerMessage, WorkerSetup } from './worker_protocol';

/** Steps between two progress updates sent to the main process (epoch ends are always sent). */
const UPDATE_EVERY = 10;

let loaded: { key: string; context: Omit<ExperimentContext, 'progress'> } | null = null;
/** Whether this process replaced wasm's gradients (once: a second registration would wrap the first). */
let registered = false;

async function contextFor(setup: WorkerSetup): Promise<Omit<ExperimentContext, 'progress'>> {
  const key = JSON.stringify(setup);
  if (loaded?.key === key) return loaded.context;
  if (loaded != null) tf.dispose([loaded.context.train.xs, loaded.context.train.ys, loaded.context.test.xs]);
  if ((await useBackend(setup.backend)) === 'wasm' && !registered) {
    // LeNet-5's max-pooling gradient computed right and faster, and the residual CNN's BatchNormalization gradient without a Tile.
    registerWasmMaxPoolGrad();
    registerBatchNormGrad();
    registered = true;
  }
  const { backend, trainSize, testSize, holdout, ...budget } = setup;
  // A held-out run measures on the last training images, which no run trains on: the test images stay unseen.
  const data = holdout > 0 ? loadMnist({ testSize: 1 }) : loadMnist({ trainSize, testSize });
  const evaluation = holdout > 0 ? sliceSplit(data.train, data.train.count - holdout, holdout) : data.test;
  const test = mnistTensors(evaluation);
  test.ys.dispose();
  loaded = { key, context: { ...budget, train: mnistTensors(sliceSplit(data.train, 0, trainSize)), test: { xs: test.xs, labels: evaluation.labels } } };
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
