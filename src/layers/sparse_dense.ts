import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { checkOptions, describeValue } from '../checks';
import { FUSED_ACTIVATIONS, FusedActivation, SparseMatrix } from '../kernels/sparse/sparse_matrix';
import { computeFloat32 } from '../ops/float32_data';
import { SparseKernelSpec } from './prunable_layer';
import { sparseClassNames, sparseKernelSpecFor } from './registry';

/** Backends whose tensors live in CPU memory, where the sparse kernels read and write them. */
export const SPARSE_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * The classes {@link SparseDense} stands in for: those whose kinds in the
 * layer registry declare how they run on the sparse kernels.
 *
 * ```js
 * const source = sparseLayer.sourceClassName; // 'Conv2D' for a converted 1x1 convolution
 * ```
 */
export type SparseSourceClass = 'Dense' | 'Conv1D' | 'Conv2D' | 'SeparableConv2D';

/**
 * Options of {@link SparseDense}: the config of the layer it replaces (a
 * `Dense`'s, a `Conv1D`'s or `Conv2D`'s with kernel size 1 and stride 1, a
 * `SeparableConv2D`'s), as `getConfig` gives it, and that layer's class.
 * {@link toSparseModel} makes them; the weights come from `setWeights`.
 *
 * ```js
 * const args = {...dense.getConfig(), sourceClassName: 'Dense'};
 * ```
 */
export interface SparseDenseLayerArgs extends LayerArgs {
  /** The class of the replaced layer. */
  sourceClassName: SparseSourceClass;
  /** Output units of a Dense (or `filters` of a convolution): a positive integer, one of the two. */
  units?: number;
  /** Output channels of a convolution (or `units` of a Dense): a positive integer, one of the two. */
  filters?: number;
  /** The replaced layer's activation, by name. Default: 'linear'. */
  activation?: string;
  /** Whether the replaced layer adds a bias. Default: true. */
  useBias?: boolean;
  /** A SeparableConv2D's depthwise kernel size. */
  kernelSize?: number | number[];
  /** A SeparableConv2D's depthwise strides. Default: 1. */
  strides?: number | number[];
  /** A SeparableConv2D's padding. Default: 'valid'. */
  padding?: 'valid' | 'same';
  /** A SeparableConv2D's depthwise dilation. Default: 1. */
  dilationRate?: number | number[];
  // The rest of the replaced layer's config (initializers, constraints...) is kept for getConfig.
  [key: string]: unknown;
}

const pair = (value: number | number[] | undefined, fallback: number): [number, number] =>
  value == null ? [fallback, fallback] : typeof value === 'number' ? [value, value] : [value[0], value[value.length - 1]];

const isPositiveInteger = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * Checks {@link SparseDenseLayerArgs} where they enter (the options
 * SparseDense reads; the rest is the replaced layer's config, kept as it is);
 * returns the spec of the replaced class, the output size, the activation
 * and, when the kernels do not apply it, the activation as a TF.js layer.
 */
function checkSparseDenseArgs(args: SparseDenseLayerArgs):
  { spec: SparseKernelSpec; units: number; activation: string; unfused?: tfl.layers.Layer } {
  checkOptions(args, 'SparseDense: args must be an object {sourceClassName, units or filters, activation?, useBias?, ...}');
  const layer = `SparseDense${typeof args.name === 'string' ? ` '${args.name}'` : ''}`;
  const fail = (option: string, allowed: string, value: unknown) =>
    new Error(`${layer}: ${option} must be ${allowed}; received ${describeValue(value)}.`);
  const spec = typeof args.sourceClassName === 'string' ? sparseKernelSpecFor(args.sourceClassName) : undefined;
  if (spec === undefined) {
    throw fail('sourceClassName', `one of ${sparseClassNames().map((c) => `'${c}'`).join(', ')}`, args.sourceClassName);
  }
  const units = args.units ?? args.filters;
  if (!isPositiveInteger(units) || (args.units != null && args.filters != null)) {
    throw fail(args.units != null && args.filters != null ? 'units and filters (only one of them)' : 'units (or filters)',
      'a positive integer', units);
  }
  const { activation = 'linear' } = args;
  let unfused: tfl.layers.Layer | undefined;
  if (typeof activation !== 'string' || !(FUSED_ACTIVATIONS as readonly string[]).includes(activation)) {
    try {
      unfused = tfl.layers.activation({ activation: activation as 'linear' });
    } catch {
      throw fail('activation', "the name of a TF.js activation ('linear', 'relu', 'relu6', 'tanh', ...)", activation);
    }
  }
  if (args.useBias !== undefined && typeof args.useBias !== 'boolean') throw fail('useBias', 'true or false', args.useBias);
  if (spec.depthwise !== undefined) {
    for (const option of ['kernelSize', 'strides', 'dilationRate'] as const) {
      const value = args[option];
      if (value !== undefined && !(isPositiveInteger(value) || (Array.isArray(value) && value.length >= 1 &&
        value.length <= 2 && value.every(isPositiveInteger)))) {
        throw fail(option, 'a positive integer or a list of one or two', value);
      }
    }
    if (args.kernelSize === undefined) throw fail('kernelSize', 'a positive integer or a list of one or two', undefined);
    if (args.padding !== undefined && args.padding !== 'valid' && args.padding !== 'same') {
      throw fail('padding', "'valid' or 'same'", args.padding);
    }
  }
  return { spec, units: units as number, activation, unfused };
}

/**
 * An inference layer that computes what a pruned `Dense` (or 1x1
 * convolution, or a SeparableConv2D's pointwise half) computes, on sparse
 * WebAssembly SIMD kernels: `activation(input · W + bias)` over the input's
 * last axis, reading only W's nonzeros. W, the bias and the fused activation
 * (linear, relu, relu6; others follow as TF.js ops) live in the kernels'
 * memory, allocated once by `setWeights` and freed by `dispose()`; the layer
 * has no TF.js weights but a SeparableConv2D's depthwise kernel. It runs on
 * the cpu and wasm backends, and refuses others
 * (webgl, webgpu), whose tensors would have to be copied off the GPU at every
 * call. It does not train. {@link toSparseModel} builds these; a model made
 * of them is for `predict`: save the dense model, and convert after loading.
 *
 * ```js
 * const sparse = await toSparseModel(stripped);
 * sparse.layers.filter((layer) => layer instanceof SparseDense).map((layer) => layer.name); // the converted layers
 * ```
 */
export class SparseDense extends tfl.layers.Layer {
  /** The name the class is registered under. @nocollapse */
  static className = 'SparseDense';
  /** The replaced layer's class. */
  readonly sourceClassName: SparseSourceClass;
  /** How the replaced class runs on the kernels (the registry's). */
  private readonly spec: SparseKernelSpec;
  private readonly units: number;
  private readonly activation: string;
  private readonly useBias: boolean;
  private readonly sourceConfig: tf.serialization.ConfigDict;
  /** The activation as a TF.js layer, when the kernels do not apply it. */
  private readonly unfused?: tfl.layers.Layer;
  private matrix?: SparseMatrix;
  private depthwise?: tf.Tensor4D;

  /** Throws, naming the option and its allowed values, on args that {@link toSparseModel} would not make. */
  constructor(args: SparseDenseLayerArgs) {
    const { spec, units, activation, unfused } = checkSparseDenseArgs(args);
    super(args);
    this.spec = spec;
    this.sourceClassName = args.sourceClassName;
    this.units = units;
    this.activation = activation;
    this.unfused = unfused;
    this.useBias = args.useBias ?? true;
    this.sourceConfig = { ...args } as tf.serialization.ConfigDict;
    this.trainable = false;
  }

  /** Nonzero weights of W (0 before `setWeights`). */
  get nonzeros(): number {
    return this.matrix?.nonzeros ?? 0;
  }

  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (this.spec.depthwise === undefined) return [...shape.slice(0, -1), this.units];
    const [kh, kw] = pair(this.sourceConfig.kernelSize as number[], 1);
    const [sh, sw] = pair(this.sourceConfig.strides as number[], 1);
    const [dh, dw] = pair(this.sourceConfig.dilationRate as number[], 1);
    const padding = (this.sourceConfig.padding ?? 'valid') as 'valid' | 'same';
    // tf.layers' convOutputLength.
    const length = (n: number | null, k: number, s: number, d: number) =>
      n == null ? null : Math.floor(((padding === 'same' ? n : n - (k + (k - 1) * (d - 1)) + 1) + s - 1) / s);
    return [shape[0], length(shape[1], kh, sh, dh), length(shape[2], kw, sw, dw), this.units];
  }

  /**
   * Takes the replaced layer's weights, in its order: `[kernel, bias?]` (a
   * Dense's [in, units], a convolution's [1, (1,) in, filters]), or a
   * SeparableConv2D's `[depthwiseKernel, pointwiseKernel, bias?]`, and stores
   * W's nonzeros (and the depthwise kernel) for the kernels; the tensors stay
   * the caller's. Replaces what an earlier call stored.
   */
  setWeights(weights: tf.Tensor[]): void {
    const separable = this.spec.depthwise !== undefined;
    const expected = (separable ? 2 : 1) + (this.useBias ? 1 : 0);
    if (weights.length !== expected) {
      throw new Error(`SparseDense '${this.name}' (${this.sourceClassName}): expected ${expected} weights ` +
        `(${separable ? 'depthwise kernel, pointwise kernel' : 'kernel'}${this.useBias ? ', bias' : ''}); received ${weights.length}.`);
    }
    const kernel = weights[separable ? 1 : 0];
    const nOut = kernel.shape[kernel.rank - 1];
    const nIn = kernel.size / nOut;
    if (nOut !== this.units || kernel.shape.slice(0, -2).some((d) => d !== 1)) {
      throw new Error(`SparseDense '${this.name}': the kernel must have shape [${separable ? '1, 1, ' : ''}in, ${this.units}]; ` +
        `received [${kernel.shape.join(', ')}].`);
    }
    const bias = this.useBias ? weights[weights.length - 1] : undefined;
    if (bias !== undefined && (bias.rank !== 1 || bias.size !== nOut)) {
      throw new Error(`SparseDense '${this.name}': the bias must have shape [${nOut}]; received [${bias.shape.join(', ')}].`);
    }
    const fused = this.unfused === undefined ? this.activation as FusedActivation : 'linear';
    // The cpu backend may hold another array type behind a float32 tensor (a cast from bool).
    const values = (t: tf.Tensor) => {
      const data = t.dataSync();
      return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    };
    const matrix = SparseMatrix.create(values(kernel), nIn, nOut, bias === undefined ? null : values(bias), fused,
      `SparseDense '${this.name}'`);
    this.releaseWeights();
    this.matrix = matrix;
    if (separable) this.depthwise = tf.keep(tf.clone(weights[0] as tf.Tensor4D));
  }

  call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const matrix = this.matrix;
    if (matrix === undefined || matrix.freed) {
      throw new Error(`SparseDense '${this.name}': no weights (build it with toSparseModel; disposed layers keep none).`);
    }
    const backend = tf.getBackend();
    if (!SPARSE_BACKENDS.includes(backend)) {
      throw new Error(`SparseDense '${this.name}': the sparse kernels run on the ${SPARSE_BACKENDS.join(' and ')} backends, ` +
        `not on '${backend}', whose tensors live off the CPU; predict with the dense model there ` +
        '(toSparseModel converts no layer on such a backend).');
    }
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    // Without a depthwise kernel or an unfused activation the product is the only tensor made: no tidy scope
    // (its cost is a measurable share of a small layer's predict at batch 1).
    if (this.depthwise === undefined && this.unfused === undefined) return this.multiply(matrix, input);
    return tf.tidy(() => {
      let x = input;
      if (this.depthwise !== undefined) {
        x = tf.depthwiseConv2d(x as tf.Tensor4D, this.depthwise, pair(this.sourceConfig.strides as number[], 1),
          (this.sourceConfig.padding ?? 'valid') as 'valid' | 'same', 'NHWC', pair(this.sourceConfig.dilationRate as number[], 1));
      }
      const y = this.multiply(matrix, x);
      return this.unfused === undefined ? y : this.unfused.apply(y) as tf.Tensor;
    });
  }

  /** act(x W + bias) over x's last axis, a new tensor. */
  private multiply(matrix: SparseMatrix, x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== matrix.nIn) {
      throw new Error(`SparseDense '${this.name}': the input's last axis must be ${matrix.nIn}; received shape [${x.shape.join(', ')}].`);
    }
    const batch = x.size / matrix.nIn;
    return computeFloat32([...x.shape.slice(0, -1), matrix.nOut], [{ tensor: x, name: `input of '${this.name}'` }],
      (out, values) => matrix.multiply(values, batch, out));
  }

  /**
   * Refuses: a sparse model is not saved or copied, since its weights live
   * in the kernels' memory, not in TF.js variables a file or a copy would carry.
   */
  getConfig(): tf.serialization.ConfigDict {
    throw new Error(`SparseDense '${this.name}': a sparse model is not saved or copied (its weights live in the sparse ` +
      "kernels' memory); save the dense model (stripPruning's output) and call toSparseModel after loading it.");
  }

  protected disposeWeights(): number {
    this.releaseWeights();
    return super.disposeWeights();
  }

  /**
   * Frees the kernels' memory of W and the depthwise kernel; the layer then
   * predicts no more. What `dispose` does, also for a layer that TF.js never
   * disposes (inside a wrapper, or applied more than once). @internal
   */
  releaseWeights(): void {
    this.matrix?.free();
    this.matrix = undefined;
    this.depthwise?.dispose();
    this.depthwise = undefined;
  }
}
tf.serialization.registerClass(SparseDense);
