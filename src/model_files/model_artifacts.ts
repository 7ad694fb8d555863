import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GRAPH_MODEL_ADVICE, recordArtifactsSource } from '../io/check_prunable_artifacts';
import { loadPrunableModel } from '../io/load_prunable_model';
import { quantizeArtifacts } from '../io/quantize_artifacts';
import { QuantizationDtype, QUANTIZATION_DTYPES } from '../io/weight_quantization';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import { aboutSubject, ModelFileError } from './model_file_error';

/**
 * The option every operation on a model's files takes.
 *
 * ```js
 * await summarizeModelFile(artifacts, {source: 'model/model.json'});
 * ```
 */
export interface ModelFileArgs {
  /** Names the artifacts in messages and reports (a path, a file name). Default: `'the model'`. */
  source?: string;
}

/**
 * The option of the operations that write a plain model: {@link stripModelFile}, {@link compactModelFile}.
 *
 * ```js
 * await stripModelFile(artifacts, {quantize: 'float16'});
 * ```
 */
export interface QuantizeArgs {
  /**
   * Stores the float32 weights of the result as `'float16'`, `'uint8'` or
   * `'uint16'`, as tensorflowjs_converter's `--quantize_*` options do
   * (`tfjs-prune/node`'s `fileSystem` takes the same `quantization`). Default: float32, bit for bit.
   */
  quantize?: QuantizationDtype;
}

/**
 * What an operation that writes a model returns: the model's artifacts,
 * which a front end saves (`fileSystem`, `tf.io.browserDownloads`), and its report.
 *
 * ```js
 * const {artifacts: plain, report} = await stripModelFile(artifacts);
 * ```
 */
export interface ModelFileResult<R> {
  /** The model written, as `model.save` hands it to an IOHandler. */
  artifacts: tf.io.ModelArtifacts;
  /** What the operation did, as data. */
  report: R;
}

/**
 * Builds the layers model of `artifacts`: saved by TF.js, by this library,
 * or converted from Keras by tensorflowjs_converter. A graph model, a
 * malformed topology, weights that do not fit it, an unknown layer class:
 * a {@link ModelFileError} naming `source`, and nothing built.
 */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, source: string): Promise<tfl.LayersModel> {
  if (artifacts == null || typeof artifacts !== 'object') {
    throw new ModelFileError(`${source} must be model artifacts {modelTopology, weightSpecs, weightData}; received ${describeValue(artifacts)}.`, source);
  }
  if (artifacts.format === 'graph-model') {
    throw new ModelFileError(`${source} is a graph model (tensorflowjs_converter's "graph-model" format), not a layers model: ` +
      GRAPH_MODEL_ADVICE, source);
  }
  recordArtifactsSource(artifacts, source);
  return aboutSubject(source, () => loadPrunableModel(tf.io.fromMemory(artifacts)));
}

/**
 * `model`'s artifacts, as `model.save` hands them to a handler, with the
 * float32 weights quantized to `quantize`; with `includeOptimizer`, its
 * training config and optimizer state too (TF.js writes them only then).
 */
export async function artifactsFromModel(model: tfl.LayersModel, quantize?: QuantizationDtype,
  includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }), { includeOptimizer });
  return quantize === undefined ? saved! : quantizeArtifacts(saved!, { dtype: quantize });
}

/** The options of `caller`, an operation that takes {@link QuantizeArgs} and `source`, checked; `source` defaulted. */
export function resolveQuantizeArgs(args: QuantizeArgs & ModelFileArgs, caller: string): { quantize?: QuantizationDtype; source: string } {
  checkOptions(args, `${caller}: options must be an object {quantize?, source?}`);
  checkOptionNames(args, caller, ['quantize', 'source']);
  const { quantize, source = 'the model' } = args;
  checkQuantize(quantize, 'quantize');
  return { quantize, source };
}

/** Throws a {@link ModelFileError} about `subject` unless `quantize` is undefined or a quantization dtype. */
function checkQuantize(quantize: unknown, subject: string): asserts quantize is QuantizationDtype | undefined {
  if (quantize !== undefined && !(QUANTIZATION_DTYPES as readonly unknown[]).includes(quantize)) {
    throw new ModelFileError(`${subject} must be one of ${QUANTIZATION_DTYPES.join(', ')}; received ${describeValue(quantize)}.`, subject);
  }
}

/** The bytes of `artifacts`' weight data. */
export function weightBytes(artifacts: tf.io.ModelArtifacts): number {
  const data = artifacts.weightData;
  if (data == null) return 0;
  return (Array.isArray(data) ? data : [data]).reduce((n, buffer) => n + buffer.byteLength, 0);
}

/**
 * Runs `task`, which registers each model it builds with `own`, then
 * disposes them all, also when it throws: an operation leaves no tensor.
 */
export async function withModels<T>(task: (own: <M extends tfl.LayersModel>(model: M) => M) => Promise<T>): Promise<T> {
  const models = new Set<tfl.LayersModel>();
  try {
    return await task((model) => {
      models.add(model);
      return model;
    });
  } finally {
    for (const model of models) model.dispose();
  }
}
