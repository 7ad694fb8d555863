import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation } from '@tensorflow/tfjs-layers/dist/activations';
import type { DenseLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { checkBinaryMask, toFloat32Array } from '../checks';
import { maskedDenseDot } from '../ops/mat_mul';
import { DenseOptions, resolveDenseOptions } from './dense_options';

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

/**
 * A mask given to {@link PrunableDense.setMask}: a tensor, or flat values in
 * row-major order (any typed array but the BigInt ones, or an array of numbers).
 *
 * ```js
 * layer.setMask(tf.ones([inputDim, units]));            // a tensor of the kernel's shape
 * layer.setMask(new Float32Array(inputDim * units).fill(1)); // or flat values
 * ```
 */
export type MaskInput = tf.Tensor | ArrayLike<number>;

/**
 * A drop-in replacement for `tf.layers.dense` whose kernel is multiplied by a
 * non-trainable 0/1 `mask` weight on every call:
 * `output = activation(input · (kernel ⊙ mask) + bias)`.
 *
 * Masked kernel entries contribute nothing to the output and receive exactly
 * zero gradient. The raw kernel is kept, as in `torch.nn.utils.prune`, so a
 * mask of ones restores the layer; `stripPruning` folds the mask in for
 * deployment. The mask is saved and loaded with the model like any weight.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   prunableDense({units: 300, activation: 'relu', inputShape: [784]}),
 *   prunableDense({units: 10, activation: 'softmax'}),
 * ]});
 * ```
 */
export class PrunableDense extends tfl.layers.Layer {
  /** The name the class is registered and saved under (`"class_name": "PrunableDense"` in model.json). @nocollapse */
  static className = 'PrunableDense';

  private readonly options: DenseOptions;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private mask: tfl.LayerVariable | null = null;

  constructor(args: PrunableDenseLayerArgs) {
    super(args);
    this.options = resolveDenseOptions(args);
    // Dense's own `inputDim` shorthand for `inputShape: [inputDim]`.
    if (args.batchInputShape == null && args.inputShape == null && args.inputDim != null) {
      this.batchInputShape = [args.batchSize ?? null, args.inputDim];
    }
    // Layer.apply refuses activity regularizers, for Dense and this layer alike.
    if (this.options.activityRegularizer != null) this.activityRegularizer = this.options.activityRegularizer;
    this.supportsMasking = true;
    this.inputSpec = [{ minNDim: 2 }];
  }

  /** Number of output units. */
  get units(): number {
    return this.options.units;
  }

  /** Whether the layer adds a bias. */
  get useBias(): boolean {
    return this.options.useBias;
  }

  /** Name of the activation function, as Dense serializes it (`'linear'` when none). */
  get activation(): string {
    return this.options.config.activation as string;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) {
      throw new Error(`PrunableDense '${this.name}': the last input dimension must be known; got input shape [${shape}].`);
    }
    const o = this.options;
    if (this.kernel == null) {
      this.kernel = this.addWeight('kernel', [inputDim, o.units], undefined, o.kernelInitializer,
        o.kernelRegularizer ?? undefined, true, o.kernelConstraint ?? undefined);
      if (o.useBias) {
        this.bias = this.addWeight('bias', [o.units], undefined, o.biasInitializer,
          o.biasRegularizer ?? undefined, true, o.biasConstraint ?? undefined);
      }
      // Ones also when a model is loaded with fast weight initialization, so a
      // file without a mask never silently zeroes the layer.
      const ones = () => tfl.initializers.ones();
      this.mask = this.addWeight('mask', [inputDim, o.units], 'float32', ones(), undefined, false,
        undefined, ones);
    }
    this.inputSpec = [{ minNDim: 2, axes: { [-1]: inputDim } }];
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = singleShape(inputShape).slice();
    shape[shape.length - 1] = this.options.units;
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const input = singleTensor(inputs);
      const { kernel, mask } = this.builtWeights('call');
      let output = maskedDenseDot(input, kernel.read() as tf.Tensor2D, mask.read() as tf.Tensor2D);
      if (this.bias != null) output = tf.add(output, this.bias.read());
      return (this.options.activation as Activation).apply(output);
    });
  }

  /** A copy of the mask, of the kernel's shape `[inputDim, units]`; the caller disposes it. */
  getMask(): tf.Tensor2D {
    return tf.clone(this.builtWeights('getMask').mask.read()) as tf.Tensor2D;
  }

  /**
   * Replaces the mask. `mask` must have the kernel's shape (or, as flat
   * values, its size) and hold only 0 and 1; a tensor argument stays the
   * caller's to dispose.
   */
  setMask(mask: MaskInput): void {
    const target = this.builtWeights('setMask').mask;
    const shape = target.shape;
    const size = shape[0]! * shape[1]!;
    let values: Float32Array;
    if (mask instanceof tf.Tensor) {
      if (!tf.util.arraysEqual(mask.shape, shape as number[])) {
        throw new Error(`PrunableDense '${this.name}': mask must have the kernel's shape [${shape}]; received shape [${mask.shape}].`);
      }
      values = Float32Array.from(mask.dataSync());
    } else {
      values = toFloat32Array(mask, `PrunableDense '${this.name}': mask`, 'a tf.Tensor, a typed array or an array of numbers');
      if (values.length !== size) {
        throw new Error(`PrunableDense '${this.name}': mask must hold ${size} values (kernel shape [${shape}]); received ${values.length}.`);
      }
      // The layer keeps the array it writes: never the caller's.
      if (values === mask) values = values.slice();
    }
    checkBinaryMask(values, `PrunableDense '${this.name}': mask`);
    writeMaskUnchecked(this, values);
  }

  /** Fraction of the mask's entries that are 0, in [0, 1]. */
  sparsity(): number {
    const values = this.builtWeights('sparsity').mask.read().dataSync();
    let zeros = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
    return values.length === 0 ? 0 : zeros / values.length;
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
    return { ...this.builtWeights('weightVariables'), bias: this.bias };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.options.config, ...super.getConfig() };
  }

  private builtWeights(caller: string): { kernel: tfl.LayerVariable; mask: tfl.LayerVariable } {
    if (this.kernel == null || this.mask == null) {
      throw new Error(`PrunableDense '${this.name}': ${caller} needs a built layer; ` +
        'add it to a model or call build(inputShape) first.');
    }
    return { kernel: this.kernel, mask: this.mask };
  }
}
tf.serialization.registerClass(PrunableDense);

/**
 * Writes `values` into `layer`'s mask as they are, without the checks and the
 * defensive copy of {@link PrunableDense.setMask}: for masks this package has
 * just computed (0/1 and of the kernel's size by construction). On cpu the
 * mask tensor keeps `values` as its data, so the caller must not modify them
 * afterwards. Not part of the public API.
 *
 * ```ts
 * writeMaskUnchecked(layer, selectMagnitudeMask(weights, 0.9));
 * ```
 */
export function writeMaskUnchecked(layer: PrunableDense, values: Float32Array): void {
  const target = layer.weightVariables.mask;
  // Built from Float32Array data: a mask cast from a bool tensor saves corrupt weights on cpu.
  const tensor = tf.tensor(values, target.shape as number[], 'float32');
  target.write(tensor);
  tensor.dispose();
}

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

function singleShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  if (Array.isArray(inputShape[0])) {
    if (inputShape.length !== 1) {
      throw new Error(`PrunableDense expects exactly one input; received ${inputShape.length}.`);
    }
    return inputShape[0] as tfl.Shape;
  }
  return inputShape as tfl.Shape;
}

function singleTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) {
      throw new Error(`PrunableDense expects exactly one input; received ${inputs.length}.`);
    }
    return inputs[0];
  }
  return inputs;
}
