import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation } from '@tensorflow/tfjs-layers/dist/activations';
import type { InputSpecArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {
  ConvLayerArgs, SeparableConvLayerArgs,
} from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { DepthwiseConv2DLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional_depthwise';
import { conv2dOp, conv2dTransposeOp, ConvOptions, depthwiseConv2dOp, FusedActivation } from '../ops/conv';
import { ObjectOption } from './layer_options';
import { CallWeights, MaskedWeightSpec, PrunableKind, PrunableLayer, SparseKernelSpec, WeightDefinition } from './prunable_layer';

/*
 * The convolutions: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D and
 * SeparableConv2D, with tf.layers' options, weights and configs, computing
 * through ../ops/conv, whose gradients use only kernels every backend has.
 * Where the plain tf.layers layer of TF.js 4.22 computes an option wrongly
 * or not at all, the prunable layer refuses it: a stripped model, a plain
 * layer, could not compute what the prunable one did.
 */

/**
 * Options of {@link PrunableConv2D} and {@link PrunableConv1D}: exactly those
 * of `tf.layers.conv2d` / `tf.layers.conv1d`, with the same defaults
 * (`strides: 1`, `padding: 'valid'`, `dataFormat: 'channelsLast'`,
 * `dilationRate: 1`, `activation: 'linear'`, `useBias: true`,
 * `kernelInitializer: 'glorotNormal'`, `biasInitializer: 'zeros'`, no
 * regularizers or constraints). The mask needs no option: it starts as ones.
 *
 * ```js
 * const args = {filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [32, 32, 3]};
 * const layer = prunableConv2d(args); // where the model had tf.layers.conv2d(args)
 * ```
 */
export type PrunableConvLayerArgs = ConvLayerArgs;
/**
 * Options of {@link PrunableConv2DTranspose}: exactly those of
 * `tf.layers.conv2dTranspose`, with the same defaults (those of
 * {@link PrunableConvLayerArgs}; like tf.layers' layer it has no dilation).
 *
 * ```js
 * const layer = prunableConv2dTranspose({filters: 16, kernelSize: 3, strides: 2, padding: 'same'});
 * ```
 */
export type PrunableConv2DTransposeLayerArgs = ConvLayerArgs;
/**
 * Options of {@link PrunableDepthwiseConv2D}: exactly those of
 * `tf.layers.depthwiseConv2d`, with the same defaults (`depthMultiplier: 1`,
 * `depthwiseInitializer: 'glorotNormal'`, and the convolution defaults of
 * {@link PrunableConvLayerArgs}).
 *
 * ```js
 * const layer = prunableDepthwiseConv2d({kernelSize: 3, depthMultiplier: 1, padding: 'same', useBias: false});
 * ```
 */
export type PrunableDepthwiseConv2DLayerArgs = DepthwiseConv2DLayerArgs;
/**
 * Options of {@link PrunableSeparableConv2D}: exactly those of
 * `tf.layers.separableConv2d`, with the same defaults (`depthMultiplier: 1`, the
 * only value supported, `depthwiseInitializer` and `pointwiseInitializer: 'glorotUniform'`, and the
 * convolution defaults of {@link PrunableConvLayerArgs}). `pointwiseInitializer`
 * is honoured: tf.layers 4.22 initializes the pointwise kernel with
 * `depthwiseInitializer`.
 *
 * ```js
 * const layer = prunableSeparableConv2d({filters: 64, kernelSize: 3, padding: 'same', pointwiseInitializer: 'heNormal'});
 * ```
 */
export type PrunableSeparableConv2DLayerArgs = SeparableConvLayerArgs;

type Pair = [number, number];

const activation: Record<string, ObjectOption> = { activation: { type: 'activation', default: 'linear' } };
const bias: Record<string, ObjectOption> = {
  biasInitializer: { type: 'initializer', default: 'zeros' },
  biasRegularizer: { type: 'regularizer', default: null },
  biasConstraint: { type: 'constraint', default: null },
  activityRegularizer: { type: 'regularizer', default: null },
};
/** The initializer, regularizer and constraint options of a kernel, `depthwise` → depthwiseInitializer... */
function kernelObjects(prefix: string, initializer: string): Record<string, ObjectOption> {
  return {
    [`${prefix}Initializer`]: { type: 'initializer', default: initializer },
    [`${prefix}Regularizer`]: { type: 'regularizer', default: null },
    [`${prefix}Constraint`]: { type: 'constraint', default: null },
  };
}
const BOOLEANS = ['useBias', 'trainable'];

/**
 * A convolution kind; `extra` lists the options its plain layer takes but
 * leaves out of its config; `sparse`, how it runs on the sparse kernels.
 */
function kind(plainClassName: string, plain: (args: object) => tfl.layers.Layer, objects: Record<string, ObjectOption>,
  maskedWeights: MaskedWeightSpec[], extra: string[] = [], sparse?: SparseKernelSpec): PrunableKind {
  const options = { plain, objects: { ...activation, ...objects, ...bias }, booleans: BOOLEANS, extra };
  // Every kind but DepthwiseConv2D has filters; its depth multiplier defaults to 1.
  return { plainClassName, options, maskedWeights, sizes: plainClassName === 'DepthwiseConv2D' ? [] : ['filters'], sparse };
}

const channelsLast = (config: tf.serialization.ConfigDict) => config.dataFormat == null || config.dataFormat === 'channelsLast';
const allOnes = (value: unknown) => [value].flat().every((v) => v === 1);

/** A Conv1D or Conv2D that is a product over the channels: a 1x1 kernel at stride 1, channels last ('same' and 'valid' alike). */
const POINTWISE: SparseKernelSpec = {
  weight: 'kernel',
  applies: (config) => channelsLast(config) && allOnes(config.kernelSize) && allOnes(config.strides) && config.padding !== 'causal',
};

/** The error for an option the plain layer of TF.js 4.22 computes wrongly or drops: no plain model could stand in. */
function unsupported(layer: tfl.layers.Layer, option: string, why: string): Error {
  return new Error(`${layer.getClassName()} '${layer.name}': ${option} is not supported: ${why}, so no plain model ` +
    'could compute what the pruned one does.');
}

const KERNEL_MASK: MaskedWeightSpec = { weight: 'kernel', mask: 'kernel_mask', unitAxes: [-1], inputAxis: -2 };

/**
 * What the convolutions share: options read from the config, channel
 * layout, and the channelsFirst and activation handling around each kind's
 * convolution of an NHWC input.
 */
abstract class PrunableConvolution extends PrunableLayer {
  /** The activation, fused into the convolution where tf.layers fuses it (relu, linear, elu). */
  protected get fusedActivation(): FusedActivation | null {
    const name = this.options.config.activation as string;
    return name === 'linear' || name === 'relu' || name === 'elu' ? name : null;
  }

  /** The spatial rank: 2, or 1 for Conv1D. */
  protected get rank(): number {
    return (this.options.config.kernelSize as number[]).length;
  }

  protected get channelsFirst(): boolean {
    return this.options.config.dataFormat === 'channelsFirst';
  }

  /** Kernel size, strides, padding and dilations as pairs (Conv1D's on a height of 1). */
  protected get convOptions(): ConvOptions & { kernelSize: Pair } {
    const config = this.options.config;
    const pair = (value: unknown): Pair => {
      const values = value == null ? [1] : Array.isArray(value) ? (value as number[]) : [value as number];
      if (this.rank === 1) return [1, values[0]];
      return values.length === 1 ? [values[0], values[0]] : [values[0], values[1]];
    };
    return {
      kernelSize: pair(config.kernelSize),
      strides: pair(config.strides),
      padding: config.padding as 'same' | 'valid',
      dilations: pair(config.dilationRate),
    };
  }

  /** The input's channel count, from its shape. */
  protected inputChannels(inputShape: tfl.Shape): number {
    const axis = this.channelsFirst ? 1 : inputShape.length - 1;
    const channels = inputShape[axis];
    if (channels == null) {
      throw new Error(`${this.getClassName()} '${this.name}': the channel dimension of the input must be known; ` +
        `got input shape [${inputShape}].`);
    }
    return channels;
  }

  /** The input spec after build: the rank, and the channel count. */
  protected inputSpecFor(inputShape: tfl.Shape): InputSpecArgs[] {
    const axis = this.channelsFirst ? 1 : inputShape.length - 1;
    return [{ ndim: this.rank + 2, axes: { [axis]: this.inputChannels(inputShape) } }];
  }

  /** Refuses options the plain layer computes wrongly; called by each kind's constructor. */
  protected checkOptions(): void {
    const { strides, dilations } = this.convOptions;
    if (strides.some((s) => s > 1) && dilations.some((d) => d > 1)) {
      throw new Error(`${this.getClassName()} '${this.name}': strides [${strides}] and dilationRate [${dilations}] ` +
        'cannot both exceed 1 (TF.js convolutions refuse it).');
    }
  }

  /** This kind's output for an NHWC `x`, before the activation unless `fused` is given and applied. */
  protected abstract convolve(x: tf.Tensor4D, weights: CallWeights, fused: FusedActivation | null): tf.Tensor4D;

  /** Whether `convolve` applies the activation itself when it can fuse it. */
  protected readonly fusesActivation: boolean = false;

  protected compute(input: tf.Tensor, weights: CallWeights): tf.Tensor {
    const one = this.rank === 1;
    let x = input as tf.Tensor4D;
    if (one) x = tf.expandDims(input, 1) as tf.Tensor4D;
    else if (this.channelsFirst) x = tf.transpose(input, [0, 2, 3, 1]) as tf.Tensor4D;
    const fused = this.fusesActivation ? this.fusedActivation : null;
    let y: tf.Tensor = this.convolve(x, weights, fused);
    if (fused == null) y = (this.options.objects.activation as Activation).apply(y);
    if (one) return tf.squeeze(y, [1]);
    return this.channelsFirst ? tf.transpose(y, [0, 3, 1, 2]) : y;
  }

  /** `y + bias` when the layer has one (channels last). */
  protected addBias(y: tf.Tensor4D, weights: CallWeights): tf.Tensor4D {
    return weights.has('bias') ? tf.add(y, weights.raw('bias')) : y;
  }

  /** The bias weight, `[channels]`, when the layer has one. */
  protected biasDefinition(channels: number): WeightDefinition[] {
    return this.options.config.useBias ? [{
      name: 'bias', shape: [channels], initializer: 'biasInitializer', regularizer: 'biasRegularizer', constraint: 'biasConstraint',
    }] : [];
  }

  /** The depthwise kernel `[kh, kw, in, multiplier]` of a depthwise or separable layer. */
  protected depthwiseDefinition(channels: number, multiplier: number): WeightDefinition {
    return {
      name: 'depthwise_kernel', shape: [...this.convOptions.kernelSize, channels, multiplier],
      initializer: 'depthwiseInitializer', regularizer: 'depthwiseRegularizer', constraint: 'depthwiseConstraint',
    };
  }

  /** The kernel shape of a Conv-family layer: kernel size, then `last` (Conv1D's without its height). */
  protected kernelShape(last: Pair): number[] {
    const { kernelSize } = this.convOptions;
    return [...(this.rank === 1 ? [kernelSize[1]] : kernelSize), ...last];
  }
}

/** Conv1D and Conv2D: `kernel [k..., in, filters]`, `bias [filters]`. */
abstract class PrunableConv extends PrunableConvolution {
  protected override readonly fusesActivation = true;

  protected defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    const filters = this.options.config.filters as number;
    return {
      weights: [
        { name: 'kernel', shape: this.kernelShape([this.inputChannels(inputShape), filters]), initializer: 'kernelInitializer',
          regularizer: 'kernelRegularizer', constraint: 'kernelConstraint' },
        ...this.biasDefinition(filters),
      ],
      inputSpec: this.inputSpecFor(inputShape),
    };
  }

  protected convolve(x: tf.Tensor4D, weights: CallWeights, fused: FusedActivation | null): tf.Tensor4D {
    let kernel = weights.masked('kernel') as tf.Tensor4D;
    if (this.rank === 1) kernel = tf.expandDims(kernel, 0) as tf.Tensor4D;
    const bias = weights.has('bias') ? (weights.raw('bias') as tf.Tensor1D) : null;
    return conv2dOp(x, kernel, bias, this.convOptions, fused ?? 'linear');
  }
}

const CONV2D = kind('Conv2D', (args) => tfl.layers.conv2d(args as ConvLayerArgs),
  kernelObjects('kernel', 'glorotNormal'), [KERNEL_MASK], [], POINTWISE);

/**
 * A drop-in replacement for `tf.layers.conv2d` whose kernel `[kh, kw, in,
 * filters]` is multiplied by a 0/1 mask (`kernel_mask`) on every call; a unit
 * is an output channel (a filter). Trains on every backend, wasm included,
 * and with `dilationRate` above 1.
 *
 * ```js
 * const layer = prunableConv2d({filters: 20, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1]});
 * ```
 */
export class PrunableConv2D extends PrunableConv {
  /** The name the class is registered and saved under (`"class_name": "PrunableConv2D"` in model.json). @nocollapse */
  static className = 'PrunableConv2D';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = CONV2D;

  constructor(args: PrunableConvLayerArgs) {
    super(args, CONV2D);
    this.checkOptions();
  }
}
tf.serialization.registerClass(PrunableConv2D);

const CONV1D = kind('Conv1D', (args) => tfl.layers.conv1d(args as ConvLayerArgs),
  kernelObjects('kernel', 'glorotNormal'), [KERNEL_MASK], ['dataFormat'], POINTWISE);

/**
 * A drop-in replacement for `tf.layers.conv1d` whose kernel `[k, in,
 * filters]` is multiplied by a 0/1 mask (`kernel_mask`) on every call; a unit
 * is an output channel. Refuses `padding: 'causal'` and `dataFormat:
 * 'channelsFirst'`, which `tf.layers.conv1d` of TF.js 4.22 cannot compute
 * (it throws on causal padding, and computes channels-last outputs where it
 * declares channels-first ones).
 *
 * ```js
 * const layer = prunableConv1d({filters: 16, kernelSize: 3, activation: 'relu', inputShape: [100, 8]});
 * ```
 */
export class PrunableConv1D extends PrunableConv {
  /** The name the class is registered and saved under (`"class_name": "PrunableConv1D"` in model.json). @nocollapse */
  static className = 'PrunableConv1D';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = CONV1D;

  constructor(args: PrunableConvLayerArgs) {
    super(args, CONV1D);
    const given = args as { dataFormat?: string };
    if (this.options.config.padding === 'causal') {
      throw unsupported(this, "padding 'causal'", 'tf.layers.conv1d of TF.js 4.22 throws on it');
    }
    if (given.dataFormat === 'channelsFirst') {
      throw unsupported(this, "dataFormat 'channelsFirst'",
        'tf.layers.conv1d of TF.js 4.22 computes channels-last outputs where it declares channels-first ones');
    }
    this.checkOptions();
  }
}
tf.serialization.registerClass(PrunableConv1D);

const CONV2D_TRANSPOSE = kind('Conv2DTranspose', (args) => tfl.layers.conv2dTranspose(args as ConvLayerArgs),
  kernelObjects('kernel', 'glorotNormal'), [{ weight: 'kernel', mask: 'kernel_mask', unitAxes: [-2], inputAxis: -1 }], ['dilationRate']);

/**
 * A drop-in replacement for `tf.layers.conv2dTranspose` whose kernel `[kh,
 * kw, filters, in]` is multiplied by a 0/1 mask (`kernel_mask`) on every
 * call; a unit is an output channel, the kernel's third axis. Refuses a
 * `dilationRate` other than 1, which `tf.layers.conv2dTranspose` of TF.js
 * 4.22 ignores.
 *
 * ```js
 * const layer = prunableConv2dTranspose({filters: 8, kernelSize: 3, strides: 2, padding: 'same'});
 * ```
 */
export class PrunableConv2DTranspose extends PrunableConvolution {
  /** The name the class is registered and saved under (`"class_name": "PrunableConv2DTranspose"` in model.json). @nocollapse */
  static className = 'PrunableConv2DTranspose';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = CONV2D_TRANSPOSE;

  constructor(args: PrunableConv2DTransposeLayerArgs) {
    super(args, CONV2D_TRANSPOSE);
    const dilationRate = (args as { dilationRate?: number | number[] }).dilationRate;
    if (dilationRate != null && [dilationRate].flat().some((d) => d !== 1)) {
      throw unsupported(this, `dilationRate [${dilationRate}]`, 'tf.layers.conv2dTranspose of TF.js 4.22 ignores it');
    }
  }

  protected defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    const filters = this.options.config.filters as number;
    return {
      weights: [
        { name: 'kernel', shape: this.kernelShape([filters, this.inputChannels(inputShape)]), initializer: 'kernelInitializer',
          regularizer: 'kernelRegularizer', constraint: 'kernelConstraint' },
        ...this.biasDefinition(filters),
      ],
      inputSpec: this.inputSpecFor(inputShape),
    };
  }

  protected convolve(x: tf.Tensor4D, weights: CallWeights): tf.Tensor4D {
    const { kernelSize, strides, padding } = this.convOptions;
    const [, h, w] = x.shape;
    // The output size as tf.layers' Conv2DTranspose infers it (deconvLength).
    const size = (length: number, k: number, s: number): number => (padding === 'same' ? length * s : length * s + Math.max(k - s, 0));
    const outputSize: Pair = [size(h, kernelSize[0], strides[0]), size(w, kernelSize[1], strides[1])];
    const y = conv2dTransposeOp(x, weights.masked('kernel') as tf.Tensor4D, outputSize, { strides, padding, dilations: [1, 1] });
    return this.addBias(y, weights);
  }
}
tf.serialization.registerClass(PrunableConv2DTranspose);

const DEPTHWISE_CONV2D = kind('DepthwiseConv2D', (args) => tfl.layers.depthwiseConv2d(args as DepthwiseConv2DLayerArgs),
  kernelObjects('depthwise', 'glorotNormal'), [{ weight: 'depthwise_kernel', mask: 'depthwise_kernel_mask', unitAxes: [-2, -1], inputAxis: null }]);

/**
 * A drop-in replacement for `tf.layers.depthwiseConv2d` whose kernel `[kh,
 * kw, in, multiplier]` (`depthwise_kernel`) is multiplied by a 0/1 mask
 * (`depthwise_kernel_mask`) on every call; a unit is an output channel,
 * input channel `c` times multiplier `m` giving channel `c · multiplier + m`.
 * Refuses `dilationRate` above 1, which `tf.layers.depthwiseConv2d` of TF.js
 * 4.22 ignores.
 *
 * ```js
 * const layer = prunableDepthwiseConv2d({kernelSize: 3, depthMultiplier: 2, padding: 'same'});
 * ```
 */
export class PrunableDepthwiseConv2D extends PrunableConvolution {
  /** The name the class is registered and saved under (`"class_name": "PrunableDepthwiseConv2D"` in model.json). @nocollapse */
  static className = 'PrunableDepthwiseConv2D';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = DEPTHWISE_CONV2D;

  constructor(args: PrunableDepthwiseConv2DLayerArgs) {
    super(args, DEPTHWISE_CONV2D);
    const { dilations } = this.convOptions;
    if (dilations.some((d) => d > 1)) {
      throw unsupported(this, `dilationRate [${dilations}]`, 'tf.layers.depthwiseConv2d of TF.js 4.22 ignores it');
    }
  }

  protected defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    const channels = this.inputChannels(inputShape);
    const multiplier = this.options.config.depthMultiplier as number;
    return {
      weights: [this.depthwiseDefinition(channels, multiplier), ...this.biasDefinition(channels * multiplier)],
      inputSpec: this.inputSpecFor(inputShape),
    };
  }

  protected convolve(x: tf.Tensor4D, weights: CallWeights): tf.Tensor4D {
    return this.addBias(depthwiseConv2dOp(x, weights.masked('depthwise_kernel') as tf.Tensor4D, this.convOptions), weights);
  }
}
tf.serialization.registerClass(PrunableDepthwiseConv2D);

const SEPARABLE_CONV2D = kind('SeparableConv2D', (args) => tfl.layers.separableConv2d(args as SeparableConvLayerArgs),
  { ...kernelObjects('depthwise', 'glorotUniform'), ...kernelObjects('pointwise', 'glorotUniform') }, [
    { weight: 'depthwise_kernel', mask: 'depthwise_kernel_mask', unitAxes: [], inputAxis: null },
    { weight: 'pointwise_kernel', mask: 'pointwise_kernel_mask', unitAxes: [-1], inputAxis: -2 },
  ], ['depthMultiplier'], { weight: 'pointwise_kernel', depthwise: 'depthwise_kernel', applies: channelsLast });

/**
 * A drop-in replacement for `tf.layers.separableConv2d` whose depthwise
 * kernel `[kh, kw, in, multiplier]` and pointwise kernel `[1, 1, in ·
 * multiplier, filters]` are each multiplied by a 0/1 mask
 * (`depthwise_kernel_mask`, `pointwise_kernel_mask`) on every call. A unit
 * is an output channel, a column of the pointwise kernel: `'unit'` pruning
 * leaves the depthwise kernel's mask as it is. `getMask` and `setMask` take
 * the weight's name. Refuses `dataFormat: 'channelsFirst'` with a bias,
 * which `tf.layers.separableConv2d` of TF.js 4.22 adds on the wrong axis,
 * and a `depthMultiplier` other than 1, which it leaves out of its saved
 * config (its saved models then do not load).
 *
 * ```js
 * const layer = prunableSeparableConv2d({filters: 32, kernelSize: 3, padding: 'same', activation: 'relu'});
 * layer.getMask('pointwise_kernel');
 * ```
 */
export class PrunableSeparableConv2D extends PrunableConvolution {
  /** The name the class is registered and saved under (`"class_name": "PrunableSeparableConv2D"` in model.json). @nocollapse */
  static className = 'PrunableSeparableConv2D';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = SEPARABLE_CONV2D;
  protected override readonly fusesActivation = true;

  constructor(args: PrunableSeparableConv2DLayerArgs) {
    super(args, SEPARABLE_CONV2D);
    if (this.channelsFirst && this.options.config.useBias) {
      throw unsupported(this, "dataFormat 'channelsFirst' with useBias", 'tf.layers.separableConv2d of TF.js 4.22 adds the bias on the wrong axis');
    }
    const depthMultiplier = (args as { depthMultiplier?: number }).depthMultiplier;
    if (depthMultiplier != null && depthMultiplier !== 1) {
      throw unsupported(this, `depthMultiplier ${depthMultiplier}`,
        'tf.layers.separableConv2d of TF.js 4.22 leaves it out of its saved config, so its saved models do not load');
    }
    this.checkOptions();
  }

  protected defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    const channels = this.inputChannels(inputShape);
    const filters = this.options.config.filters as number;
    return {
      weights: [
        this.depthwiseDefinition(channels, 1),
        { name: 'pointwise_kernel', shape: [1, 1, channels, filters], initializer: 'pointwiseInitializer',
          regularizer: 'pointwiseRegularizer', constraint: 'pointwiseConstraint' },
        ...this.biasDefinition(filters),
      ],
      inputSpec: this.inputSpecFor(inputShape),
    };
  }

  protected convolve(x: tf.Tensor4D, weights: CallWeights, fused: FusedActivation | null): tf.Tensor4D {
    const depthwise = depthwiseConv2dOp(x, weights.masked('depthwise_kernel') as tf.Tensor4D, this.convOptions);
    const bias = weights.has('bias') ? (weights.raw('bias') as tf.Tensor1D) : null;
    return conv2dOp(depthwise, weights.masked('pointwise_kernel') as tf.Tensor4D, bias,
      { strides: [1, 1], padding: 'valid', dilations: [1, 1] }, fused ?? 'linear');
  }
}
tf.serialization.registerClass(PrunableSeparableConv2D);

/**
 * Creates a {@link PrunableConv2D} layer, as `tf.layers.conv2d` creates a Conv2D.
 *
 * ```js
 * const layer = prunableConv2d({filters: 50, kernelSize: 5, activation: 'relu'});
 * ```
 */
export function prunableConv2d(args: PrunableConvLayerArgs): PrunableConv2D {
  return new PrunableConv2D(args);
}

/**
 * Creates a {@link PrunableConv1D} layer, as `tf.layers.conv1d` creates a Conv1D.
 *
 * ```js
 * const layer = prunableConv1d({filters: 16, kernelSize: 5, strides: 2});
 * ```
 */
export function prunableConv1d(args: PrunableConvLayerArgs): PrunableConv1D {
  return new PrunableConv1D(args);
}

/**
 * Creates a {@link PrunableConv2DTranspose} layer, as `tf.layers.conv2dTranspose` creates a Conv2DTranspose.
 *
 * ```js
 * const layer = prunableConv2dTranspose({filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'sigmoid'});
 * ```
 */
export function prunableConv2dTranspose(args: PrunableConv2DTransposeLayerArgs): PrunableConv2DTranspose {
  return new PrunableConv2DTranspose(args);
}

/**
 * Creates a {@link PrunableDepthwiseConv2D} layer, as `tf.layers.depthwiseConv2d` creates a DepthwiseConv2D.
 *
 * ```js
 * const layer = prunableDepthwiseConv2d({kernelSize: 3, strides: 2, padding: 'same', useBias: false});
 * ```
 */
export function prunableDepthwiseConv2d(args: PrunableDepthwiseConv2DLayerArgs): PrunableDepthwiseConv2D {
  return new PrunableDepthwiseConv2D(args);
}

/**
 * Creates a {@link PrunableSeparableConv2D} layer, as `tf.layers.separableConv2d` creates a SeparableConv2D.
 *
 * ```js
 * const layer = prunableSeparableConv2d({filters: 64, kernelSize: 3, depthMultiplier: 1, padding: 'same'});
 * ```
 */
export function prunableSeparableConv2d(args: PrunableSeparableConv2DLayerArgs): PrunableSeparableConv2D {
  return new PrunableSeparableConv2D(args);
}
