import type * as tf from '@tensorflow/tfjs-core';
import { findPrunableLayers } from '../model/prunable_layers';
import { stripPruning } from '../transforms/strip_pruning';
import type { BeforeAfter } from '../transforms/compaction/plan';
import {
  artifactsFromModel, ModelFileArgs, modelFromArtifacts, ModelFileResult, QuantizeArgs, resolveQuantizeArgs, weightBytes, withModels,
} from './model_artifacts';

/**
 * Options of {@link stripModelFile}.
 *
 * ```js
 * const args = {quantize: 'float16', source: 'checkpoint/model.json'};
 * ```
 */
export interface StripModelFileArgs extends ModelFileArgs, QuantizeArgs {}

/**
 * What {@link stripModelFile} did.
 *
 * ```js
 * const {stripped, weightBytes} = (await stripModelFile(artifacts)).report;
 * ```
 */
export interface StripReport {
  /** Where the model comes from (`source`). */
  source: string;
  /** The model's name. */
  model: string;
  /** The prunable layers that became their plain classes, with `weight ⊙ mask` as their weights. */
  stripped: string[];
  /** How the weights are stored: `'float32'` or the `quantize` dtype. */
  dtype: string;
  /** The model's parameters. */
  parameters: number;
  /** Bytes of the weight data, before and after. */
  weightBytes: BeforeAfter;
}

/**
 * The plain TF.js model of a saved prunable model, as {@link stripPruning}
 * makes it (each prunable layer its plain class, weights `weight ⊙ mask`),
 * optionally quantized: artifacts that plain `tf.loadLayersModel` loads
 * without this library, and a report. A model without prunable layers comes
 * back as it is (quantized if asked). Browser-safe: `tfjs-prune strip` and
 * a page call it alike.
 *
 * ```js
 * const {artifacts: plain, report} = await stripModelFile(artifacts, {quantize: 'float16'});
 * await tf.io.browserDownloads('model').save(plain);
 * ```
 */
export async function stripModelFile(artifacts: tf.io.ModelArtifacts, args: StripModelFileArgs = {}): Promise<ModelFileResult<StripReport>> {
  const { quantize, source } = resolveQuantizeArgs(args, 'stripModelFile');
  return withModels(async (own) => {
    const model = own(await modelFromArtifacts(artifacts, source));
    const stripped = findPrunableLayers(model).map((layer) => layer.name);
    const plain = stripped.length === 0 ? model : own(stripPruning(model));
    const out = await artifactsFromModel(plain, quantize);
    return {
      artifacts: out,
      report: {
        source, model: model.name, stripped, dtype: quantize ?? 'float32', parameters: plain.countParams(),
        weightBytes: { before: weightBytes(artifacts), after: weightBytes(out) },
      },
    };
  });
}
