/**
 * The messages between the page (main.ts) and its Web Worker (worker.ts),
 * which holds the model and does every piece of tensor work, so that the
 * page never freezes.
 */
import type { io } from '@tensorflow/tfjs-core';
import type { CompactionReport, ModelFileSummary, ModelLayerRow, PruningMethod, PruningScope, QuantizeArgs } from '../src';

/** The backends the user may choose, in the order the page offers them. */
export const BACKENDS = ['wasm', 'webgl', 'cpu'] as const;
export type Backend = typeof BACKENDS[number];

/** Where a model comes from. */
export type ModelSource =
  | { kind: 'files'; files: File[] }
  | { kind: 'url'; url: string }
  | { kind: 'sample' };

/** What the page asks of the worker. */
export type Request =
  | { type: 'backend'; backend: Backend }
  | { type: 'load'; source: ModelSource }
  /** `layers`: the layers to prune, by name; left out, pruneModel's default (output layers kept by 'unit' and 'channel'). */
  | { type: 'prune'; method: PruningMethod; sparsity?: number; scope: PruningScope; layers?: string[] }
  | { type: 'fineTune'; steps: number }
  | { type: 'cancel' }
  /** The worker's live tensors (tf.memory().numTensors): 0 between requests, as the tests check. */
  | { type: 'tensors' }
  | { type: 'deploy'; compact: boolean; quantize?: QuantizeArgs['quantize'] };

/** A request and its id, as posted. */
export type Envelope = Request & { id: number };

/** A model as the Inspect section shows it: the core's summary fields (`source` is the file, URL or 'sample'), and what the page adds. */
export interface Inspection extends Pick<ModelFileSummary, 'source' | 'model' | 'prunable' | 'parameters' | 'macs' | 'weightBytes' | 'layers'> {
  /** Channel groups of more than one producer: what unit pruning cannot shrink, channel pruning can. */
  groups: CompactionReport['groups'];
  /** The layers the Prune section offers to skip. */
  prunableLayers: string[];
  /** Those of them that compute the model's outputs (unit and channel pruning keep them). */
  outputLayers: string[];
  /** Whether this is the bundled MNIST sample (accuracy and fine-tuning apply). */
  sample: boolean;
  /** The sample's accuracy on its 1,000 test images. */
  accuracy?: number;
}

/** What a one-shot pruning did. */
export interface PruneResult {
  layers: Array<{ layer: string; className: string; sparsity: number; prunedUnits: number; units: number }>;
  sparsity: number;
  warning: string;
  /** The Inspect table's rows of the pruned model. */
  table: ModelLayerRow[];
  /** On the sample: test accuracy before and after. */
  accuracy?: { before: number; after: number };
  /** On a user's model: how far the outputs moved on drawn inputs. */
  outputChange?: { relative: number; maxAbsolute: number; samples: number };
}

/** A fine-tune's outcome. */
export interface FineTuneResult {
  steps: number;
  cancelled: boolean;
  accuracy: number;
  /** The fraction of the pruned layers' weights pruned after it, as pruning left it. */
  sparsity: number;
  /** Each pruned layer's sparsity after it, as pruning left it. */
  layers: Array<{ layer: string; sparsity: number }>;
}

/** One model's numbers in the Deploy section. */
export interface Measures {
  parameters: number;
  macs: number;
  weightBytes: number;
  gzipBytes: number;
  /** Mean predict time at batch 1 on the backend, ms. */
  predictMs: number;
}

/** What a deployment made, and the files to download. */
export interface DeployResult {
  backend: Backend;
  before: Measures;
  after: Measures;
  dtype: string;
  /** The layers compaction kept pruned units in, and why (one line each). */
  notes: string[];
  /** Sparse inference of the deployed model (toSparseModel), where it applies. */
  sparse?: { predictMs: number; layers: string[] } | { skipped: string };
  /** The deployed model's outputs (flattened, concatenated) for `inputs` (the first sample images, or drawn inputs), for checks. */
  probe: { inputs: Array<{ values: number[]; shape: number[] }>; output: number[] };
  /** The deployed model's files, for tf.io.browserDownloads. */
  artifacts: ModelArtifacts;
}

type ModelArtifacts = io.ModelArtifacts;

/** What the worker answers. */
export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { id: number; progress: { step: number; steps: number; loss: number } };
