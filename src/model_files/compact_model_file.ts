import type * as tf from '@tensorflow/tfjs-core';
import { findPrunableLayers } from '../model/prunable_layers';
import { printCompaction } from '../pruning/pruning_summary';
import { compactionReport, CompactionReport, compactUnits } from '../transforms/compact_units';
import type { BeforeAfter } from '../transforms/compaction/plan';
import {
  artifactsFromModel, ModelFileArgs, modelFromArtifacts, ModelFileResult, QuantizeArgs, resolveQuantizeArgs, weightBytes, withModels,
} from './model_artifacts';
import { ModelFileError } from './model_file_error';

/**
 * Options of {@link compactModelFile}.
 *
 * ```js
 * const args = {quantize: 'uint8', source: 'pruned/model.json'};
 * ```
 */
export interface CompactModelFileArgs extends ModelFileArgs, QuantizeArgs {}

/**
 * What {@link compactModelFile} did.
 *
 * ```js
 * const {compaction, weightBytes} = (await compactModelFile(artifacts)).report;
 * console.log(compaction.total.parameters); // {before, after}
 * ```
 */
export interface CompactReport {
  /** Where the model comes from (`source`). */
  source: string;
  /** The model's name. */
  model: string;
  /** Per layer, channels, parameters and multiply-accumulates before and after, and the pruned units kept with the reason. */
  compaction: CompactionReport;
  /** The compaction table, as {@link pruningSummary} prints it with `compaction: true`. */
  table: string[];
  /** How the weights are stored: `'float32'` or the `quantize` dtype. */
  dtype: string;
  /** Bytes of the weight data, before and after. */
  weightBytes: BeforeAfter;
}

/**
 * The compacted plain model of a saved unit-pruned model, as
 * {@link compactUnits} makes it (pruned units removed, with what follows
 * them), optionally quantized, and a report of what went and what stayed
 * and why. A model without prunable layers is an error: nothing marks
 * units as pruned. Browser-safe: `tfjs-prune compact` and a page call it alike.
 *
 * ```js
 * const {artifacts: compact, report} = await compactModelFile(artifacts);
 * report.table.forEach((line) => console.log(line));
 * ```
 */
export async function compactModelFile(artifacts: tf.io.ModelArtifacts, args: CompactModelFileArgs = {}): Promise<ModelFileResult<CompactReport>> {
  const { quantize, source } = resolveQuantizeArgs(args, 'compactModelFile');
  return withModels(async (own) => {
    const model = own(await modelFromArtifacts(artifacts, source));
    if (findPrunableLayers(model).length === 0) {
      throw new ModelFileError(`${source} has no prunable layer, so no unit is marked as pruned and there is nothing to compact: ` +
        'prune it by unit first (tfjs-prune prune --method unit, or pruneModel).', source);
    }
    const compaction = compactionReport(model);
    const table: string[] = [];
    printCompaction(compaction, (line) => table.push(line));
    const out = await artifactsFromModel(own(compactUnits(model)), quantize);
    return {
      artifacts: out,
      report: { source, model: model.name, compaction, table, dtype: quantize ?? 'float32', weightBytes: { before: weightBytes(artifacts), after: weightBytes(out) } },
    };
  });
}
