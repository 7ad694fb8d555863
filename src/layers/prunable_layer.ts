import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import type { InputSpecArgs, LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { Regularizer } from '@tensorflow/tfjs-layers/dist/regularizers';
import { checkBinaryMask, checkTensor, describeValue, toFloat32Array } from '../checks';
import { unitLayout, UnitLayout } from '../masks/unit_layout';
import { LayerOptionsSpec, resolveLayerOptions, ResolvedOptions } from './layer_options';

/** A weight of a prunable layer kind that carries a mask. */
export interface MaskedWeightSpec {
  /** The weight's name, as tf.layers names it (`'kernel'`, `'depthwise_kernel'`). */
  weight: string;
  /** The mask's weight name (`'kernel_mask'`; PrunableDense's is `'mask'`). */
  mask: string;
  /**
   * The weight's axes that index the layer's output units, consecutive
   * (negative ones count from the end); empty for a weight that carries no
   * output unit, such as SeparableConv2D's depthwise kernel.
   */
  unitAxes: readonly number[];
  /**
   * The axis that indexes the layer's input channels, along which N:M
   * pruning groups entries (negative counts from the end); null for a weight
   * that sums over no input channels, such as a depthwise kernel.
   */
  inputAxis: number | null;
}

/**
 * How a layer kind runs on the sparse kernels ({@link toSparseModel}'s
 * SparseDense): as `activation(input · W + bias)` over the input's last axis,
 * where XNNPACK's sparse inference applies too.
 */
export interface SparseKernelSpec {
  /** W: the weight `[1, ..., 1, in, out]` the kernels hold (a Dense kernel, a 1x1 convolution's, a pointwise kernel). */
  weight: string;
  /** A weight applied first as a depthwise convolution with the layer's strides, padding and dilation (SeparableConv2D's), if any. */
  depthwise?: string;
  /** Whether a plain layer of this config is such a product (a convolution: kernel size 1, stride 1, channels last). Default: every one. */
  applies?: (config: tf.serialization.ConfigDict) => boolean;
}

/**
 * What a prunable layer kind tells the rest of the library: the plain
 * tf.layers class it drops in for and strips to, how it takes that class's
 * options, and which of its weights carry masks. The registry
 * (`./registry`) lists the kinds.
 */
export interface PrunableKind {
  /** The tf.layers class name (`'Conv2D'`): its options, config and weights are the prunable layer's, masks aside. */
  plainClassName: string;
  options: LayerOptionsSpec;
  maskedWeights: readonly MaskedWeightSpec[];
  /**
   * The config fields that size the layer and must be positive integers in a
   * saved config (`'units'`, `'filters'`): checked before a load, since
   * TF.js's own message for a bad one names neither the layer nor the file.
   */
  sizes: readonly string[];
  /**
   * Why `'unit'` pruning is refused for this kind, if it is (a recurrent
   * layer's hidden unit is no set of entries its masks could remove: see
   * the guide); `'weight'` pruning works for every kind.
   */
  unitPruningRefusal?: string;
  /** How its plain layer runs on the sparse kernels, if it can. */
  sparse?: SparseKernelSpec;
}

/** An initializer, as `addWeight` takes it. */
export type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/**
 * A weight a layer creates in `build`, in tf.layers' order; initializer,
 * regularizer and constraint name object options (an initializer may be one
 * the kind makes, such as LSTM's with `unitForgetBias`).
 */
export interface WeightDefinition {
  name: string;
  shape: number[];
  initializer: string | Initializer;
  regularizer?: string;
  constraint?: string;
}

/**
 * A masked weight of a built prunable layer.
 *
 * ```js
 * for (const {name, weight, mask} of layer.maskedWeights) console.log(name, weight.shape, mask.read().sum().dataSync());
 * ```
 */
export interface MaskedWeight {
  /** The weight's name (`'kernel'`). */
  readonly name: string;
  /** The trainable weight, unmasked. */
  readonly weight: tfl.LayerVariable;
  /** The non-trainable 0/1 mask, of the weight's shape. */
  readonly mask: tfl.LayerVariable;
  /** How the weight's entries group into the layer's output units; null where it carries none. */
  readonly units: UnitLayout | null;
}

/** The weights a layer computes with during one call. */
export interface CallWeights {
  /** Whether the call records gradients (training); else it only infers. */
  readonly training: boolean;
  /** The weight as it is (a bias, or a masked weight unmasked). */
  raw(name: string): tf.Tensor;
  /**
   * `weight ⊙ mask`: computed once per call when training; when inferring,
   * kept from call to call while weight and mask stay the same, so that
   * backends that cache a kernel's packed form by tensor (wasm's matMul and
   * convolutions) reuse it, as they do for a plain layer's weight.
   */
  masked(name: string): tf.Tensor;
  /** The mask of a masked weight. */
  mask(name: string): tf.Tensor;
  /** Whether the layer has the weight (a bias only with `useBias`). */
  has(name: string): boolean;
}

/**
 * A mask given to `setMask`: a tensor, or values in row-major order (flat,
 * or nested arrays of the weight's shape; any typed array but the BigInt ones).
 *
 * ```js
 * layer.setMask(tf.ones([inputDim, units]));                 // a tensor of the kernel's shape
 * layer.setMask(new Float32Array(inputDim * units).fill(1)); // or flat values
 * ```
 */
export type MaskInput = tf.Tensor | ArrayLike<number> | readonly unknown[];

/**
 * What every prunable layer is: a drop-in for a plain tf.layers layer whose
 * masked weights are multiplied by non-trainable 0/1 masks on every call.
 * Masked entries contribute nothing and receive exactly zero gradient. The
 * raw weights are kept, as in `torch.nn.utils.prune`, so masks of ones
 * restore the layer; `stripPruning` folds the masks in for deployment.
 *
 * Each kind (PrunableDense, PrunableConv2D...) subclasses this with its
 * weights and its computation; options, masks, build, config and output
 * shapes are common. Not meant to be subclassed outside this library.
 *
 * ```js
 * const layer = model.getLayer('conv1');
 * if (layer instanceof PrunableLayer) console.log(layer.plainClassName, layer.sparsity());
 * ```
 */
export abstract class PrunableLayer extends tfl.layers.Layer {
  /** The kind, for the rest of the library. @internal */
  readonly kind: PrunableKind;
  /** The options, resolved as the plain layer resolves them. */
  protected readonly options: ResolvedOptions;
  private readonly variables = new Map<string, tfl.LayerVariable>();
  private readonly masks = new Map<string, tfl.LayerVariable>();
  /** The masked weights of the last inference, with the data of the weight and mask they were computed from. */
  private readonly inferenceProducts = new Map<string, { weight: tf.DataId; mask: tf.DataId; product: tf.Tensor }>();

  protected constructor(args: object, kind: PrunableKind) {
    super(checkedArgs(args, (new.target as unknown as { className: string }).className, kind));
    this.kind = kind;
    this.options = resolveLayerOptions(`${this.getClassName()} '${this.name}'`, args, kind.options, constructingFromConfig > 0);
    // Layer.apply refuses activity regularizers, for the plain layer and this one alike.
    const activityRegularizer = this.options.objects.activityRegularizer;
    if (activityRegularizer != null) this.activityRegularizer = activityRegularizer as Regularizer;
  }

  /** Builds a layer from its saved config (what `tf.loadLayersModel` calls), options of newer Keras versions ignored. @nocollapse */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    constructingFromConfig++;
    try {
      return new cls(config);
    } finally {
      constructingFromConfig--;
    }
  }

  /** The weights `build` creates for `inputShape` (masks aside), in tf.layers' order, and the input spec after it. */
  protected abstract defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] };

  /**
   * The layer's output for one `input`, from its weights of this call and
   * the call's keyword arguments (inside `tf.tidy`); a recurrent layer with
   * `returnState` returns its states after the output.
   */
  protected abstract compute(input: tf.Tensor, weights: CallWeights, kwargs: Kwargs): tf.Tensor | tf.Tensor[];

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(this, inputShape);
    if (this.variables.size === 0) {
      const { weights, inputSpec } = this.defineWeights(shape);
      const object = <T>(key: string | undefined) => (key === undefined ? undefined : (this.options.objects[key] as T | null) ?? undefined);
      for (const w of weights) {
        const initializer = typeof w.initializer === 'string' ? object<Initializer>(w.initializer) : w.initializer;
        this.variables.set(w.name, this.addWeight(w.name, w.shape, 'float32', initializer,
          object(w.regularizer), true, object(w.constraint)));
      }
      // Ones also when a model is loaded with fast weight initialization, so
      // a file without a mask never silently zeroes the layer.
      const ones = () => tfl.initializers.ones();
      for (const { weight, mask } of this.kind.maskedWeights) {
        const variable = this.addWeight(mask, this.weightVariable(weight).shape, 'float32', ones(), undefined, false, undefined, ones);
        // A wrapper (Bidirectional, TimeDistributed) disposes this layer's variables but never the layer:
        // the inference product goes with its mask.
        const dispose = variable.dispose.bind(variable);
        variable.dispose = () => {
          this.inferenceProducts.get(weight)?.product.dispose();
          this.inferenceProducts.delete(weight);
          dispose();
        };
        this.masks.set(weight, variable);
      }
      this.inputSpec = inputSpec;
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.options.template.computeOutputShape(singleShape(this, inputShape));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      this.checkBuilt('call');
      const training = recordsGradients();
      const masked = new Map<string, tf.Tensor>();
      const weights: CallWeights = {
        training,
        raw: (name) => this.weightVariable(name).read(),
        mask: (name) => this.maskVariable(name).read(),
        masked: (name) => {
          if (!training) return this.inferenceProduct(name);
          let product = masked.get(name);
          if (product === undefined) {
            product = tf.mul(this.weightVariable(name).read(), this.maskVariable(name).read());
            masked.set(name, product);
          }
          return product;
        },
        has: (name) => this.variables.has(name),
      };
      return this.compute(singleTensor(this, inputs), weights, kwargs);
    });
  }

  /** `weight ⊙ mask` for inference: the one of the last inference while weight and mask hold the same data. */
  private inferenceProduct(name: string): tf.Tensor {
    const weight = this.weightVariable(name).read();
    const mask = this.maskVariable(name).read();
    const last = this.inferenceProducts.get(name);
    if (last !== undefined && last.weight === weight.dataId && last.mask === mask.dataId) return last.product;
    last?.product.dispose();
    const product = tf.keep(tf.mul(weight, mask));
    this.inferenceProducts.set(name, { weight: weight.dataId, mask: mask.dataId, product });
    return product;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.options.config, ...super.getConfig() };
  }

  /** The tf.layers class this layer strips to (`'Conv2D'`). */
  get plainClassName(): string {
    return this.kind.plainClassName;
  }

  /** The masked weights, in the kind's order, with their masks and unit layouts. */
  get maskedWeights(): MaskedWeight[] {
    this.checkBuilt('maskedWeights');
    return this.kind.maskedWeights.map(({ weight, unitAxes }) => {
      const variable = this.weightVariable(weight);
      return {
        name: weight,
        weight: variable,
        mask: this.maskVariable(weight),
        units: unitAxes.length === 0 ? null : unitLayout(variable.shape as number[], unitAxes),
      };
    });
  }

  /**
   * A copy of the mask of `weight` (default: the layer's only masked
   * weight), of that weight's shape; the caller disposes it.
   */
  getMask(weight?: string): tf.Tensor {
    return tf.clone(this.maskVariable(this.maskedWeightName('getMask', weight)).read());
  }

  /**
   * Replaces the mask of `weight` (default: the layer's only masked weight).
   * `mask` must have that weight's shape (as a tensor or nested arrays, or,
   * as flat values, its size) and hold only 0 and 1; a tensor stays the
   * caller's to dispose.
   */
  setMask(mask: MaskInput, weight?: string): void {
    const name = this.maskedWeightName('setMask', weight);
    const target = this.maskVariable(name);
    const shape = target.shape as number[];
    const size = tf.util.sizeFromShape(shape);
    const what = `${this.getClassName()} '${this.name}': mask${this.kind.maskedWeights.length === 1 ? '' : ` of '${name}'`}`;
    let values: Float32Array;
    if (mask instanceof tf.Tensor) {
      checkTensor(mask, what);
      if (!tf.util.arraysEqual(mask.shape, shape)) {
        throw new Error(`${what} must have the kernel's shape [${shape}]; received shape [${mask.shape}].`);
      }
      values = Float32Array.from(mask.dataSync());
    } else {
      const flat = Array.isArray(mask) && mask.some(Array.isArray) ? flattenNested(mask, shape, what) : mask;
      values = toFloat32Array(flat, what, 'a tf.Tensor, a typed array or an array of numbers');
      if (values.length !== size) {
        throw new Error(`${what} must hold ${size} values (kernel shape [${shape}]); received ${values.length}.`);
      }
      // The layer keeps the array it writes: never the caller's.
      if (values === mask) values = values.slice();
    }
    checkBinaryMask(values, what);
    writeMaskUnchecked(this, name, values);
  }

  /** Fraction of the entries of all masks that are 0, in [0, 1]. */
  sparsity(): number {
    this.checkBuilt('sparsity');
    let [zeros, total] = [0, 0];
    for (const variable of this.masks.values()) {
      const values = variable.read().dataSync();
      for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
      total += values.length;
    }
    return total === 0 ? 0 : zeros / total;
  }

  /** The variable of a weight by name; throws for an unbuilt layer or an unknown name. */
  protected weightVariable(name: string): tfl.LayerVariable {
    const variable = this.variables.get(name);
    if (variable == null) throw new Error(`${this.getClassName()} '${this.name}' has no weight '${name}'.`);
    return variable;
  }

  private maskVariable(weight: string): tfl.LayerVariable {
    const variable = this.masks.get(weight);
    if (variable == null) throw new Error(`${this.getClassName()} '${this.name}' has no mask on '${weight}'.`);
    return variable;
  }

  /** `weight`, checked to be a masked weight of the layer, or the only one when not given. */
  private maskedWeightName(caller: string, weight: string | undefined): string {
    this.checkBuilt(caller);
    const names = this.kind.maskedWeights.map((m) => m.weight);
    if (weight === undefined && names.length === 1) return names[0];
    if (weight !== undefined && names.includes(weight)) return weight;
    const list = names.map((n) => `'${n}'`).join(', ');
    throw new Error(`${this.getClassName()} '${this.name}': ${caller} needs the name of a masked weight, ${list}; ` +
      `received ${describeValue(weight)}.`);
  }

  private checkBuilt(caller: string): void {
    if (!this.built || this.masks.size === 0) {
      throw new Error(`${this.getClassName()} '${this.name}': ${caller} needs a built layer; ` +
        'add it to a model or call build(inputShape) first.');
    }
  }
}

/**
 * Whether TF.js is recording gradients (inside `tf.grad`, `variableGrads`,
 * `fit`'s step). Where the engine lacks the check, as if it were: a layer then
 * always computes its masked weights afresh.
 */
function recordsGradients(): boolean {
  const engine = tf.engine() as Partial<Pick<ReturnType<typeof tf.engine>, 'isTapeOn'>>;
  return typeof engine.isTapeOn === 'function' ? engine.isTapeOn() : true;
}

/** How many `fromConfig` calls are constructing a layer: their configs may hold options tf.layers ignores. */
let constructingFromConfig = 0;

/** `args`, checked to be an options object before the base Layer reads it. */
function checkedArgs(args: unknown, className: string, kind: PrunableKind): LayerArgs {
  if (args == null || typeof args !== 'object' || Array.isArray(args)) {
    throw new TypeError(`${className} needs an options object, as ${kind.plainClassName} takes; received ${describeValue(args)}.`);
  }
  return args as LayerArgs;
}

/**
 * Writes `values` into the mask of `weight` as they are, without the checks
 * and the defensive copy of {@link PrunableLayer.setMask}: for masks this
 * package has just computed (0/1 and of the weight's size by construction).
 * On cpu the mask tensor keeps `values` as its data, so the caller must not
 * modify them afterwards. Not part of the public API.
 */
export function writeMaskUnchecked(layer: PrunableLayer, weight: string, values: Float32Array): void {
  const target = layer.maskedWeights.find((m) => m.name === weight)!.mask;
  // Built from Float32Array data: a mask cast from a bool tensor saves corrupt weights on cpu.
  const tensor = tf.tensor(values, target.shape as number[], 'float32');
  target.write(tensor);
  tensor.dispose();
}

/** Nested arrays of `shape` as flat values, or an error naming where they differ. */
function flattenNested(values: readonly unknown[], shape: number[], what: string): unknown[] {
  const flat: unknown[] = [];
  const visit = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new Error(`${what} must be nested arrays of shape [${shape}]; ` +
        `at ${path || 'the top'} expected ${shape[depth]} entries, received ${Array.isArray(node) ? node.length : describeValue(node)}.`);
    }
    node.forEach((child, i) => visit(child, depth + 1, `${path}[${i}]`));
  };
  visit(values, 0, '');
  return flat;
}

function singleShape(layer: tfl.layers.Layer, inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  if (Array.isArray(inputShape[0])) {
    if (inputShape.length !== 1) {
      throw new Error(`${layer.getClassName()} '${layer.name}' expects exactly one input; received ${inputShape.length}.`);
    }
    return inputShape[0] as tfl.Shape;
  }
  return inputShape as tfl.Shape;
}

function singleTensor(layer: tfl.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) {
      throw new Error(`${layer.getClassName()} '${layer.name}' expects exactly one input; received ${inputs.length}.`);
    }
    return inputs[0];
  }
  return inputs;
}
