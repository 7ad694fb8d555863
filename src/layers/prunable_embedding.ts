import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { InputSpecArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { EmbeddingLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/embeddings';
import { gatherRows } from '../ops/gather_rows';
import { CallWeights, PrunableKind, PrunableLayer, WeightDefinition } from './prunable_layer';

/**
 * Options of {@link PrunableEmbedding}: exactly those of `tf.layers.embedding`,
 * with the same defaults (`embeddingsInitializer: 'randomUniform'`, no
 * regularizers or constraints, `maskZero: false`). The mask needs no option:
 * it starts as ones.
 *
 * ```js
 * const args = {inputDim: 10000, outputDim: 64, maskZero: true};
 * const layer = prunableEmbedding(args); // where the model had tf.layers.embedding(args)
 * ```
 */
export type PrunableEmbeddingLayerArgs = EmbeddingLayerArgs;

/** Embedding's kind: its table carries the mask; a unit is an output dimension, a column of the table. */
const EMBEDDING: PrunableKind = {
  plainClassName: 'Embedding',
  options: {
    plain: (args) => tfl.layers.embedding(args as EmbeddingLayerArgs),
    objects: {
      embeddingsInitializer: { type: 'initializer', default: 'randomUniform' },
      embeddingsRegularizer: { type: 'regularizer', default: null },
      activityRegularizer: { type: 'regularizer', default: null },
      embeddingsConstraint: { type: 'constraint', default: null },
    },
    booleans: ['maskZero', 'trainable'],
  },
  maskedWeights: [{ weight: 'embeddings', mask: 'embeddings_mask', unitAxes: [-1], inputAxis: null }],
  sizes: ['inputDim', 'outputDim'],
};

/**
 * A drop-in replacement for `tf.layers.embedding` whose table `embeddings`
 * `[inputDim, outputDim]` is multiplied by a non-trainable 0/1 mask
 * (`embeddings_mask`) on every call: each token looks up its row of
 * `embeddings ⊙ mask`. Pruned entries read as 0 and receive exactly zero
 * gradient; see {@link PrunableLayer}. A unit is an output dimension, a
 * column of the table: `'unit'` pruning removes dimensions for every token.
 *
 * It trains on every backend, wasm included, where `tf.layers.embedding`
 * cannot: its gradient scatters the output gradient into the table's rows
 * (`tf.scatterND`) instead of TF.js's `UnsortedSegmentSum`, which wasm lacks
 * and which is slow on cpu.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   prunableEmbedding({inputDim: 1000, outputDim: 16, inputLength: 20}),
 *   prunableLSTM({units: 32}),
 *   tf.layers.dense({units: 1, activation: 'sigmoid'}),
 * ]});
 * ```
 */
export class PrunableEmbedding extends PrunableLayer {
  /** The name the class is registered and saved under (`"class_name": "PrunableEmbedding"` in model.json). @nocollapse */
  static className = 'PrunableEmbedding';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = EMBEDDING;

  constructor(args: PrunableEmbeddingLayerArgs) {
    super(args, EMBEDDING);
    // As tf.layers' Embedding: without an input shape, a sequence of inputLength tokens (any length without one).
    if (args.batchInputShape == null && args.inputShape == null) {
      const length = args.inputLength == null ? [null] : [args.inputLength].flat();
      this.batchInputShape = [args.batchSize ?? null, ...length];
    }
    this.supportsMasking = this.maskZero;
  }

  /** Size of the vocabulary: the table's rows. */
  get inputDim(): number {
    return this.options.config.inputDim as number;
  }

  /** Size of each token's vector: the table's columns, the layer's units. */
  get outputDim(): number {
    return this.options.config.outputDim as number;
  }

  /** Whether token 0 is padding, masked out for the layers that follow (as `tf.layers.embedding` masks it). */
  get maskZero(): boolean {
    return this.options.config.maskZero === true;
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    // No mask: TF.js reads null so, though its types leave null out.
    if (!this.maskZero) return null as unknown as tf.Tensor;
    return tf.tidy(() => {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.notEqual(input, tf.zerosLike(input));
    });
  }

  // Inputs of any rank are tokens: no warning for a shape other than batchInputShape's, as tf.layers' Embedding.
  protected override warnOnIncompatibleInputShape(): void {}

  protected defineWeights(): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    return {
      weights: [{
        name: 'embeddings', shape: [this.inputDim, this.outputDim], initializer: 'embeddingsInitializer',
        regularizer: 'embeddingsRegularizer', constraint: 'embeddingsConstraint',
      }],
      inputSpec: [],
    };
  }

  protected compute(input: tf.Tensor, weights: CallWeights): tf.Tensor {
    const tokens = input.dtype === 'int32' ? input : tf.cast(input, 'int32');
    const rows = gatherRows(weights.masked('embeddings') as tf.Tensor2D, tf.reshape(tokens, [tokens.size]) as tf.Tensor1D);
    return tf.reshape(rows, this.computeOutputShape(input.shape) as number[]);
  }
}
tf.serialization.registerClass(PrunableEmbedding);

/**
 * Creates a {@link PrunableEmbedding} layer, as `tf.layers.embedding` creates an Embedding.
 *
 * ```js
 * const layer = prunableEmbedding({inputDim: 5000, outputDim: 32, maskZero: true});
 * ```
 */
export function prunableEmbedding(args: PrunableEmbeddingLayerArgs): PrunableEmbedding {
  return new PrunableEmbedding(args);
}
