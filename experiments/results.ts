import type { ModelMetrics } from './metrics';

/** The experiments the comparison can run: three on the MLPs, two on LeNet-5, one on the residual CNN. */
export const EXPERIMENTS = ['one-shot', 'gradual', 'baselines', 'cnn-baselines', 'cnn-gradual', 'residual'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

/** The networks of the study. */
export type NetworkName = 'reference MLP' | 'LeNet-300-100' | 'LeNet-5' | 'residual CNN';

/** How a pruned model's mask was reached: not at all, at once after training (then fine-tuned or not), or during training. */
export type Schedule = 'none' | 'one-shot' | 'one-shot + fine-tune' | 'gradual';

/**
 * One measured model: a row of the report's tables and a point of its plots.
 * Rows of several seeds are averaged in the report.
 */
export interface ResultRow extends ModelMetrics {
  experiment: ExperimentName;
  network: NetworkName;
  /** `'dense'`, `'pretrained'` (a CNN's dense model that its seed's runs start from), a pruning method of {@link ./pruning_choices}, or `'dropout 0.2'`-style names. */
  method: string;
  schedule: Schedule;
  /** Sparsity asked of the pruned layers; 0 for unpruned models. */
  targetSparsity: number;
  seed: number;
  /** Training time of the run that produced the model, in seconds (for one-shot pruning, the fine-tune's; 0 without one). */
  trainSeconds: number;
  /** Training epochs of that run (of the model it prunes, for one-shot pruning; of the fine-tune, for one-shot + fine-tune). */
  epochs: number;
  /** The machine's 1-minute load average when that run ended (`os.loadavg()[0]`): other work slows training. */
  loadAverage: number;
  /** Pretraining rows only: accuracy on the same images as `testAccuracy` after each epoch. */
  epochAccuracies?: number[];
}

/** Predict time of a compacted model beside its dense model, measured in one process, alternating. */
export interface SpeedRow {
  network: NetworkName;
  method: string;
  schedule: Schedule;
  targetSparsity: number;
  seed: number;
  batch: number;
  /** Medians per predict call, in ms, on the clock below. */
  compactedMs: number;
  denseMs: number;
  /** The median over rounds of the dense call's time over the compacted call's beside it (timing/cases' `pairedSpeedup`). */
  speedup: number;
  /** Process CPU time on the single-threaded backends (wasm, cpu), else wall time. */
  clock: 'cpu' | 'wall';
  repetitions: number;
  /** The machine's 1-minute load average after the measurement. */
  loadAverage: number;
}

/**
 * Predict time at batch 1 of a weight-pruned deployed (stripped) model run on
 * the sparse kernels (`toSparseModel`) beside the same model run dense,
 * measured in one process, alternating.
 */
export interface SparseSpeedRow {
  network: NetworkName;
  method: string;
  schedule: Schedule;
  targetSparsity: number;
  seed: number;
  /** Medians per predict call at batch 1, in ms, on the clock below. */
  sparseMs: number;
  denseMs: number;
  /** The median over rounds of the dense call's time over the sparse call's beside it (timing/cases' `pairedSpeedup`). */
  speedup: number;
  /** Layers toSparseModel converted (those with at least its default minSparsity of zeros). */
  sparseLayers: number;
  clock: 'cpu' | 'wall';
  repetitions: number;
}

/** Everything the comparison chose: enough to rerun it. */
export interface ComparisonSettings {
  experiments: ExperimentName[];
  /** Seeds of every run. */
  seeds: number[];
  /** Seeds of the LeNet-5 headline rows (dense, gradual weight 90%, gradual filter 50%). */
  headlineSeeds: number[];
  /** Epochs of every LeNet-300-100 run (baselines and gradual pruning alike). */
  epochs: number;
  /** Epochs of the reference MLP before one-shot pruning. */
  referenceEpochs: number;
  /** Epochs of the dense pretraining of each CNN (LeNet-5, residual CNN) and seed, on `trainSize` images. */
  cnnPretrainEpochs: number;
  /** Epochs of every CNN run that starts from a pretrained model (pruning runs, one-shot fine-tunes, the dense baselines), on `cnnTrainSize` images. */
  cnnEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Adam's rate of the last epoch of every CNN run (pretraining, fine-tunes, dropout). */
  cnnFineTuneLearningRate: number;
  /** Final sparsities of gradual pruning of LeNet-300-100. */
  sparsities: number[];
  /** Sparsities k of the one-shot pruning of the reference MLP. */
  oneShotSparsities: number[];
  dropoutRates: number[];
  /** Sparsities of LeNet-5's weight and random pruning, gradual and one-shot. */
  cnnSparsities: number[];
  /** Fractions of LeNet-5's filters and hidden units pruned by unit pruning, gradual and one-shot. */
  filterSparsities: number[];
  /** Fractions of the residual CNN's channels pruned by channel and by unit pruning. */
  channelSparsities: number[];
  /** Training images of the MLP runs: the first this many of MNIST's. */
  trainSize: number;
  /** Training images of the CNN runs that start from a pretrained model: the first this many (at most `trainSize`). */
  cnnTrainSize: number;
  testSize: number;
  /**
   * Training images held out (the last this many of MNIST's 60,000, which no run trains on) and measured on instead of
   * the test images: a run that chooses budgets without looking at the test set. 0 for none.
   */
  holdout: number;
  backend: string;
  /** Worker processes that ran the training runs at once. */
  jobs: number;
  quick: boolean;
  /** The command line that ran the comparison. */
  command: string;
}

/** The output of a comparison, saved as results.json beside the report. */
export interface ComparisonResults {
  settings: ComparisonSettings;
  /** Every model, in the order of the plan (not of completion). */
  rows: ResultRow[];
  speed: SpeedRow[];
  /** The weight-pruned deployed models' predict at batch 1, sparse vs dense (absent from results of older versions). */
  sparseSpeed?: SparseSpeedRow[];
  /** Wall-clock time of the whole comparison, data loading included (of its last part, when it continued an interrupted one). */
  totalSeconds: number;
  /** Runs an earlier, interrupted comparison had finished, which this one continued (`--resume`); 0 or absent otherwise. */
  reusedRuns?: number;
  startedAt: string;
  /** Node version, platform and CPU of the machine that ran it. */
  machine: string;
}

/** What names a row: the model it measures. */
export type RowIdentity = Pick<ResultRow, 'network' | 'method' | 'schedule' | 'targetSparsity' | 'seed'>;

/**
 * A row's name in progress lines and file names.
 *
 * ```ts
 * rowLabel({network: 'LeNet-5', method: 'unit', schedule: 'gradual', targetSparsity: 0.5, seed: 1}); // 'LeNet-5 gradual unit 50%, seed 1'
 * ```
 */
export function rowLabel(r: RowIdentity): string {
  const how = r.schedule === 'none' ? r.method : `${r.schedule} ${r.method} ${+(100 * r.targetSparsity).toFixed(2)}%`;
  return `${r.network} ${how}, seed ${r.seed}`;
}
