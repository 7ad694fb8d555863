import type { RunState } from './progress';

// What the main process and a worker process tell each other, as plain data.

/** What a worker needs besides its task: the backend, the data and the budget every run shares. */
export interface WorkerSetup {
  /** A backend name `useBackend` accepts, as the main process resolved it. */
  backend: 'tensorflow' | 'wasm' | 'cpu';
  trainSize: number;
  testSize: number;
  /** Images held out of the end of the training set to measure on instead of the test set; 0 for none. */
  holdout: number;
  batchSize: number;
  learningRate: number;
  fineTuneLearningRate: number;
  deployRoot: string;
  pretrainedRoot: string;
}

/** A progress event of the task a worker runs. */
export type WorkerMessage =
  | { type: 'start'; label: string; size: { epochs: number; stepsPerEpoch: number } }
  | { type: 'update'; label: string; state: RunState }
  | { type: 'finish'; label: string; summary: string }
  | { type: 'log'; line: string };

/** A {@link WorkerMessage} as it arrives, with the worker's process id. */
export type WorkerEvent = WorkerMessage & { pid: number };

/** The name under which the worker exposes its one method. */
export const RUN_METHOD = 'run';
