import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import { modelFromArtifacts, withModels } from './model_artifacts';
import { ModelFileError } from './model_file_error';

/**
 * Options of {@link outputChange}.
 *
 * ```js
 * const args = {samples: 64, seed: 7};
 * ```
 */
export interface OutputChangeArgs {
  /** Inputs to draw, a positive integer. Default: 32. */
  samples?: number;
  /** The seed of the draw, an integer: the same seed draws the same inputs. Default: 1. */
  seed?: number;
}

/**
 * How far a changed model's outputs moved, as {@link outputChange} measures it.
 *
 * ```js
 * const {relative} = await outputChange(original, pruned); // e.g. 0.12
 * ```
 */
export interface OutputChange {
  /** `‖after − before‖ / ‖before‖` over every output value of every input drawn (L2 norms). */
  relative: number;
  /** The largest change of one output value. */
  maxAbsolute: number;
  /** Inputs drawn. */
  samples: number;
}

/**
 * How far the outputs of the model `after` holds moved from those of the
 * model `before` holds (the model before and after pruning, say), on inputs
 * drawn uniformly in [0, 1) with each model input's shape (a dimension left
 * open other than the batch's taken as 1); integers in [0, inputDim) for an
 * input an Embedding reads, and an error naming an input of another dtype.
 * What a front end shows when it has no data of the user's: a measure of how
 * much one-shot pruning changed, not an accuracy. Browser-safe; the models are built, measured, disposed.
 *
 * ```js
 * const {artifacts: pruned} = await pruneModelFile(artifacts, {sparsity: 0.8});
 * const {relative} = await outputChange(artifacts, pruned);
 * ```
 */
export async function outputChange(before: tf.io.ModelArtifacts, after: tf.io.ModelArtifacts, args: OutputChangeArgs = {}): Promise<OutputChange> {
  checkOptions(args, 'outputChange: options must be an object {samples?, seed?}');
  checkOptionNames(args, 'outputChange', ['samples', 'seed']);
  const { samples = 32, seed = 1 } = args;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new ModelFileError(`samples must be a positive integer; received ${describeValue(samples)}.`, 'samples');
  }
  if (!Number.isInteger(seed)) throw new ModelFileError(`seed must be an integer; received ${describeValue(seed)}.`, 'seed');
  return withModels(async (own) => {
    const original = own(await modelFromArtifacts(before, 'the model before'));
    const changed = own(await modelFromArtifacts(after, 'the model after'));
    const [relative, maxAbsolute] = tf.tidy(() => {
      const inputs = drawInputs(original, samples, seed);
      const flat = (model: tfl.LayersModel) => tf.concat([model.predict(inputs)].flat().map((y) => tf.reshape(y, [-1])));
      const [y0, y1] = [flat(original), flat(changed)];
      const difference = tf.sub(y1, y0);
      return [tf.div(tf.norm(difference), tf.norm(y0)).dataSync()[0], tf.max(tf.abs(difference)).dataSync()[0]];
    });
    return { relative, maxAbsolute, samples };
  });
}

/**
 * `samples` inputs of each of `model`'s input shapes, seeded: uniform in
 * [0, 1), but integers in [0, inputDim) (in the input's dtype) for an input
 * that Embedding layers read (the smallest of their `inputDim`). An error
 * naming the input for one of another dtype (an int32 input without an
 * Embedding): there is no range to draw it from.
 */
export function drawInputs(model: tfl.LayersModel, samples: number, seed: number): tf.Tensor[] {
  return model.inputs.map((input, i) => {
    const shape = [samples, ...input.shape.slice(1).map((d) => d ?? 1)];
    const inputDim = embeddingInputDim(input);
    if (inputDim !== undefined) return tf.tidy(() => tf.cast(tf.floor(tf.randomUniform(shape, 0, inputDim, 'float32', seed + i)), input.dtype));
    if (input.dtype !== 'float32') {
      const name = input.sourceLayer.name;
      throw new ModelFileError(`Cannot draw inputs for the model's input '${name}': it is ${input.dtype} and no Embedding ` +
        'reads it, so its range is unknown; inputs are drawn for float32 inputs and those of Embedding layers.', name);
    }
    return tf.randomUniform(shape, 0, 1, 'float32', seed + i);
  });
}

/** The smallest `inputDim` of the Embedding layers (any layer with an `inputDim`) that read `input` directly, if any. */
function embeddingInputDim(input: tfl.SymbolicTensor): number | undefined {
  const dims = input.sourceLayer.outboundNodes
    .map((node) => (node.outboundLayer.getConfig() as { inputDim?: unknown }).inputDim)
    .filter((dim): dim is number => typeof dim === 'number');
  return dims.length === 0 ? undefined : Math.min(...dims);
}
