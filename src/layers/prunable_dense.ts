import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation } from '@tensorflow/tfjs-layers/dist/activations';
import type { InputSpecArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { DenseLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core';
import { maskedDenseDot } from '../ops/mat_mul';
import { CallWeights, PrunableKind, PrunableLayer, WeightDefinition } from './prunable_layer';

/**
 * Options of {@link PrunableDense}: exactly those of `tf.layers.dense`, with
 * the same defaults (`activation: 'linear'`, `useBias: true`,
 * `kernelInitializer: 'glorotNormal'`, `biasInitializer: 'zeros'`, no
 * regularizers or constraints). The mask needs no option: it starts as ones.
 *
 * ```js
 * const args = {units: 128, activation: 'relu', kernelInitializer: 'heNormal', inputShape: [784]};
 * const layer = prunableDense(args); // where the model had tf.layers.dense(args)
 * ```
 */
export type PrunableDenseLayerArgs = DenseLayerArgs;

/** Dense's kind: its kernel carries the mask (named `mask`, as files saved before other kinds existed have it). */
const DENSE: PrunableKind = {
  plainClassName: 'Dense',
  options: {
    plain: (args) => tfl.layers.dense(args as DenseLayerArgs),
    objects: {
      activation: { type: 'activation', default: 'linear' },
      kernelInitializer: { type: 'initializer', default: 'glorotNormal' },
      biasInitializer: { type: 'initializer', default: 'zeros' },
      kernelRegularizer: { type: 'regularizer', default: null },
      biasRegularizer: { type: 'regularizer', default: null },
      activityRegularizer: { type: 'regularizer', default: null },
      kernelConstraint: { type: 'constraint', default: null },
      biasConstraint: { type: 'constraint', default: null },
    },
    booleans: ['useBias', 'trainable'],
    extra: ['inputDim'],
  },
  maskedWeights: [{ weight: 'kernel', mask: 'mask', unitAxes: [-1], inputAxis: 0 }],
  sizes: ['units'],
  sparse: { weight: 'kernel' },
};

/**
 * A drop-in replacement for `tf.layers.dense` whose kernel is multiplied by a
 * non-trainable 0/1 `mask` weight on every call:
 * `output = activation(input · (kernel ⊙ mask) + bias)`.
 *
 * Masked kernel entries contribute nothing to the output and receive exactly
 * zero gradient; see {@link PrunableLayer}. Its units are the kernel's columns.
 * The product trains with a gradient of its own, faster than Dense's on wasm.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   prunableDense({units: 300, activation: 'relu', inputShape: [784]}),
 *   prunableDense({units: 10, activation: 'softmax'}),
 * ]});
 * ```
 */
export class PrunableDense extends PrunableLayer {
  /** The name the class is registered and saved under (`"class_name": "PrunableDense"` in model.json). @nocollapse */
  static className = 'PrunableDense';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = DENSE;

  constructor(args: PrunableDenseLayerArgs) {
    super(args, DENSE);
    // Dense's own `inputDim` shorthand for `inputShape: [inputDim]`.
    if (args.batchInputShape == null && args.inputShape == null && args.inputDim != null) {
      this.batchInputShape = [args.batchSize ?? null, args.inputDim];
    }
    this.supportsMasking = true;
    this.inputSpec = [{ minNDim: 2 }];
  }

  /** Number of output units. */
  get units(): number {
    return this.options.config.units as number;
  }

  /** Whether the layer adds a bias. */
  get useBias(): boolean {
    return this.options.config.useBias as boolean;
  }

  /** Name of the activation function, as Dense serializes it (`'linear'` when none). */
  get activation(): string {
    return this.options.config.activation as string;
  }

  /** The kernel, bias and mask variables; `bias` is null without `useBias`. */
  get weightVariables(): {
    /** The trainable kernel, `[inputDim, units]`, unmasked. */
    kernel: tfl.LayerVariable;
    /** The trainable bias, `[units]`. */
    bias: tfl.LayerVariable | null;
    /** The non-trainable 0/1 mask, of the kernel's shape. */
    mask: tfl.LayerVariable;
  } {
    const [{ weight: kernel, mask }] = this.maskedWeights;
    return { kernel, mask, bias: this.useBias ? this.weightVariable('bias') : null };
  }

  protected defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    const inputDim = inputShape[inputShape.length - 1];
    if (inputDim == null) {
      throw new Error(`PrunableDense '${this.name}': the last input dimension must be known; got input shape [${inputShape}].`);
    }
    const weights: WeightDefinition[] = [
      { name: 'kernel', shape: [inputDim, this.units], initializer: 'kernelInitializer', regularizer: 'kernelRegularizer', constraint: 'kernelConstraint' },
    ];
    if (this.useBias) {
      weights.push({ name: 'bias', shape: [this.units], initializer: 'biasInitializer', regularizer: 'biasRegularizer', constraint: 'biasConstraint' });
    }
    return { weights, inputSpec: [{ minNDim: 2, axes: { [-1]: inputDim } }] };
  }

  protected compute(input: tf.Tensor, weights: CallWeights): tf.Tensor {
    const bias = weights.has('bias') ? weights.raw('bias') : undefined;
    const activation = this.options.objects.activation as Activation;
    if (!weights.training) {
      // Inference as Dense computes it: one fused matMul, bias and activation where tf.layers fuses them.
      const fused = this.activation === 'relu' || this.activation === 'linear' || this.activation === 'elu';
      const units = this.units;
      const flat = input.rank === 2 ? input : tf.reshape(input, [-1, input.shape[input.rank - 1]]);
      let output: tf.Tensor = tf.fused.matMul({
        a: flat as tf.Tensor2D, b: weights.masked('kernel') as tf.Tensor2D, bias, activation: fused ? this.activation as 'relu' : 'linear',
      });
      if (!fused) output = activation.apply(output);
      return input.rank === 2 ? output : tf.reshape(output, [...input.shape.slice(0, -1), units]);
    }
    let output = maskedDenseDot(input, weights.raw('kernel') as tf.Tensor2D, weights.mask('kernel') as tf.Tensor2D);
    if (bias !== undefined) output = tf.add(output, bias);
    return activation.apply(output);
  }
}
tf.serialization.registerClass(PrunableDense);

/**
 * Creates a {@link PrunableDense} layer, as `tf.layers.dense` creates a Dense.
 *
 * ```js
 * const layer = prunableDense({units: 10, activation: 'softmax', inputShape: [784]});
 * ```
 */
export function prunableDense(args: PrunableDenseLayerArgs): PrunableDense {
  return new PrunableDense(args);
}
