import type * as tf from '@tensorflow/tfjs-core';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import { findPrunableLayers } from '../model/prunable_layers';
import { pruningSummary, PruningSummary } from '../pruning/pruning_summary';
import { compactionReport } from '../transforms/compact_units';
import { layerTable, ModelLayerRow } from './layer_table';
import { makePrunable } from '../transforms/make_prunable';
import { ModelFileArgs, modelFromArtifacts, weightBytes, withModels } from './model_artifacts';
import { ModelFileError } from './model_file_error';

/**
 * Options of {@link summarizeModelFile}.
 *
 * ```js
 * const args = {compaction: true, source: 'model/model.json'};
 * ```
 */
export interface SummarizeModelFileArgs extends ModelFileArgs {
  /** Whether to add {@link compactionReport}'s view: what {@link compactUnits} would remove and keep. Default: false. */
  compaction?: boolean;
}

/**
 * What {@link summarizeModelFile} reports: data first (what a front end
 * draws, what `tfjs-prune summary --json` prints), and the text table.
 *
 * ```js
 * const {model, prunable, parameters, summary, table} = await summarizeModelFile(artifacts);
 * ```
 */
export interface ModelFileSummary {
  /** Where the model comes from (`source`). */
  source: string;
  /** The model's name. */
  model: string;
  /**
   * Whether the model has prunable layers (saved by this library). A plain
   * model is summarized as {@link makePrunable} would convert it: its
   * prunable kinds of layer, with masks of ones.
   */
  prunable: boolean;
  /** The model's parameters without its masks: what `countParams` gives once the model is stripped. */
  parameters: number;
  /** Multiply-accumulates per example of its layers with kernels (those {@link compactionReport} counts). */
  macs: number;
  /** Bytes of its weight data. */
  weightBytes: number;
  /** A row per top-level layer: kind, output shape, parameters, multiply-accumulates, sparsity and pruned units. */
  layers: ModelLayerRow[];
  /** {@link pruningSummary}'s rows and totals (and `compaction` when asked). */
  summary: PruningSummary;
  /** The summary as {@link pruningSummary} prints it, one line per entry. */
  table: string[];
}

/**
 * Summarizes a saved model's pruning state: {@link pruningSummary} of the
 * model `artifacts` hold (per prunable layer its kind, masked weights,
 * sparsity and pruned units; with `compaction`, what {@link compactUnits}
 * would do). Works on in-memory artifacts, in browsers and Node alike: the
 * command line (`tfjs-prune summary`) and a page call it the same way.
 *
 * ```js
 * const report = await summarizeModelFile(await tf.io.browserFiles([json, weights]).load(), {source: json.name});
 * report.table.forEach((line) => console.log(line));
 * ```
 */
export async function summarizeModelFile(artifacts: tf.io.ModelArtifacts, args: SummarizeModelFileArgs = {}): Promise<ModelFileSummary> {
  checkOptions(args, 'summarizeModelFile: options must be an object {compaction?, source?}');
  checkOptionNames(args, 'summarizeModelFile', ['compaction', 'source']);
  const { compaction = false, source = 'the model' } = args;
  if (typeof compaction !== 'boolean') {
    throw new ModelFileError(`compaction must be true or false; received ${describeValue(compaction)}.`, 'compaction');
  }
  return withModels(async (own) => {
    const model = own(await modelFromArtifacts(artifacts, source));
    const prunable = findPrunableLayers(model).length > 0;
    const view = prunable ? model : own(makePrunable(model));
    const table: string[] = [];
    const summary = pruningSummary(view, { compaction, printFn: (line) => table.push(line) });
    const plan = summary.compaction ?? compactionReport(view);
    const layers = layerTable(model, summary, plan);
    return {
      source, model: model.name, prunable, parameters: layers.reduce((n, l) => n + l.parameters, 0), macs: plan.total.macs.before,
      weightBytes: weightBytes(artifacts), layers, summary, table,
    };
  });
}
