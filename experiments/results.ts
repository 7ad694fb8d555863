import type { ModelMetrics } from './metrics';

/** The experiments the comparison can run. */
export const EXPERIMENTS = ['one-shot', 'gradual', 'baselines'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

/**
 * One measured model: a row of the report's tables and a point of its plots.
 * Rows of several seeds are averaged in the report.
 */
export interface ResultRow extends ModelMetrics {
  experiment: ExperimentName;
  network: 'reference MLP' | 'LeNet-300-100';
  /** `'dense'`, `'weight'`, `'unit'`, or `'dropout 0.2'`-style names. */
  method: string;
  /** How the mask was reached: not at all, at once after training, or during training. */
  schedule: 'none' | 'one-shot' | 'gradual';
  /** Sparsity asked of the pruned (hidden) layers; 0 for unpruned models. */
  targetSparsity: number;
  seed: number;
  /** Training time of the run that produced the model, in seconds (0 for one-shot pruning, which reuses it). */
  trainSeconds: number;
  /** Training epochs of that run. */
  epochs: number;
  /** The machine's 1-minute load average when that run ended (`os.loadavg()[0]`): other work slows training. */
  loadAverage: number;
}

/** Everything the comparison chose: enough to rerun it. */
export interface ComparisonSettings {
  experiments: ExperimentName[];
  seeds: number[];
  /** Epochs of every LeNet-300-100 run (baselines and gradual pruning alike). */
  epochs: number;
  /** Epochs of the reference MLP before one-shot pruning. */
  referenceEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Final sparsities of gradual pruning. */
  sparsities: number[];
  /** Sparsities k of the one-shot pruning of the reference MLP. */
  oneShotSparsities: number[];
  dropoutRates: number[];
  trainSize: number;
  testSize: number;
  backend: string;
  quick: boolean;
  /** The command line that ran the comparison. */
  command: string;
}

/** The output of a comparison, saved as results.json beside the report. */
export interface ComparisonResults {
  settings: ComparisonSettings;
  rows: ResultRow[];
  /** Wall-clock time of the whole comparison, data loading included. */
  totalSeconds: number;
  startedAt: string;
  /** Node version, platform and CPU of the machine that ran it. */
  machine: string;
}
