/**
 * How each layer type passes channels on, as keras-surgeon's one branch per
 * layer type: which output channel follows which input channel, the
 * constant a removed channel holds after the layer, which input channels the
 * layer cannot drop exactly (it vetoes their groups), and how the layer's
 * weights and config change when channels go.
 */

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nonzeroPerUnit, unitLayout } from '../../masks/unit_layout';
import { axisGeometry, readInputPads } from '../../ops/conv_geometry';
import { ChannelGroups, channelAxisOf, channelCount, CouplingRole, freshChannels, TensorChannels } from './channels';

type Shape = ReadonlyArray<number | null>;
type ConfigDict = tf.serialization.ConfigDict;

/** One application of a layer, as a rule sees it. */
export interface LayerUse {
  layer: tfl.layers.Layer;
  /** The layer's class as compaction treats it (a prunable layer's plain class). */
  className: string;
  config: ConfigDict;
  /** The channels of each input. */
  inputs: TensorChannels[];
  /** The output's shape, batch axis first. */
  outputShape: Shape;
  groups: ChannelGroups;
  /** The layer's weights as it computes with them (masks folded), in its plain class's order. */
  weights: Float32Array[];
  weightShapes: number[][];
  /**
   * Records that entry `i` on `axis` of weight `weight` follows channel id
   * `channels[i]`; `scored`: its slices count toward their channel's
   * importance (default: for producers and readers, not followers).
   */
  couple(weight: number, axis: number, role: CouplingRole, channels: Int32Array, scored?: boolean): void;
}

/** How a layer changes: config entries that differ, and its new weights from its effective ones. */
export interface Rewrite {
  config: ConfigDict;
  /** Called inside `tf.tidy`, with the layer's effective weights in its plain class's order. */
  weights(current: tf.Tensor[]): tf.Tensor[];
}

/** A layer type's rule. */
export interface ChannelRule {
  /** Whether the layer computes from its weights and so reads them (`LayerUse.weights`). */
  readsWeights?: boolean;
  /** The output's channels; vetoes the input groups the layer cannot drop exactly. */
  forward(use: LayerUse): TensorChannels;
  /** The layer's change once the groups are decided, or null when it stays as it is. */
  rewrite?(use: LayerUse, output: TensorChannels): Rewrite | null;
}

/** The name of a layer in reasons: `'conv2', a Conv2D`. */
function named(use: LayerUse): string {
  return `'${use.layer.name}', a ${use.className}`;
}

/** The channels of `t` that stay. */
export function keptChannels(t: TensorChannels, groups: ChannelGroups): number[] {
  const kept: number[] = [];
  for (let c = 0; c < channelCount(t); c++) if (!groups.removed(t.groups[c])) kept.push(c);
  return kept;
}

/** The channels of `t` that go, with their constants. */
function removedChannels(t: TensorChannels, groups: ChannelGroups): Array<{ channel: number; constant: number }> {
  const removed: Array<{ channel: number; constant: number }> = [];
  for (let c = 0; c < channelCount(t); c++) if (groups.removed(t.groups[c])) removed.push({ channel: c, constant: t.constants[c] });
  return removed;
}

/** Keeps every channel of `t`, for `reason` of the model's structure. */
function vetoAll(t: TensorChannels, groups: ChannelGroups, reason: string): void {
  for (let c = 0; c < channelCount(t); c++) groups.veto(t.groups[c], reason, true);
}

/** An output whose channels (on its last axis) are new groups that stay whatever the weights, for `why`. */
function opaqueOutput(use: LayerUse, why: string): TensorChannels {
  const shape = use.outputShape;
  return freshChannels(shape, shape.length - 1, use.groups, () => ({ pruned: false, constant: NaN, why, fixed: true }));
}

/** The rule of layers compaction cannot follow: what reaches them stays. */
export const BLOCKER: ChannelRule = {
  forward: (use) => {
    const reason = `it reaches ${named(use)}, which compaction cannot follow`;
    use.inputs.forEach((t) => vetoAll(t, use.groups, reason));
    return opaqueOutput(use, `it is made by ${named(use)}, which compaction cannot follow`);
  },
};

/**
 * The values, per output channel, of `use.layer` applied to an input whose
 * channels are their constants (0 where not constant): a channel's value
 * where the output is uniform over every other axis, NaN where it is not or
 * its input channel is not constant (`sourceOf(c)` is the input channel of
 * output channel `c`). Layers apply at inference (noise and dropout as the
 * identity, BatchNormalization with its moving statistics).
 */
function probe(use: LayerUse, outputAxis: number, sourceOf: (c: number) => number): Float64Array {
  const input = use.inputs[0];
  const outputShape = use.outputShape;
  const count = outputShape[outputAxis] ?? 0;
  const result = new Float64Array(count).fill(NaN);
  if (input.shape.slice(1).some((d) => d == null) || outputShape.slice(1).some((d) => d == null)) return result;
  const shape = [1, ...(input.shape.slice(1) as number[])];
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  const strides = tf.util.computeStrides(shape);
  const channelStride = input.axis === shape.length - 1 ? 1 : strides[input.axis];
  const channels = channelCount(input);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / channelStride) % channels;
    values[i] = Number.isFinite(input.constants[c]) ? input.constants[c] : 0;
  }
  // Read inside the tidy: it would walk a returned typed array element by element.
  let output!: Float32Array;
  tf.tidy(() => {
    output = (use.layer.apply(tf.tensor(values, shape)) as tf.Tensor).dataSync().slice() as Float32Array;
  });
  const outShape = [1, ...(outputShape.slice(1) as number[])];
  const outStride = outputAxis === outShape.length - 1 ? 1 : tf.util.computeStrides(outShape)[outputAxis];
  const first = new Float64Array(count).fill(NaN);
  const uniform = new Uint8Array(count).fill(1);
  for (let i = 0; i < output.length; i++) {
    const c = Math.floor(i / outStride) % count;
    if (Number.isNaN(first[c])) first[c] = output[i];
    else if (output[i] !== first[c]) uniform[c] = 0;
  }
  for (let c = 0; c < count; c++) {
    if (uniform[c] === 1 && Number.isFinite(input.constants[sourceOf(c)])) result[c] = first[c];
  }
  return result;
}

/**
 * A layer that computes each channel from the same channel of its input (at
 * inference): dropout and noise, activations, BatchNormalization, pooling,
 * padding, cropping, upsampling. `axisOf` gives the channel axis the layer
 * works on, in its output of rank `rank` (its dataFormat's); a layer on
 * another axis than its input's channels is followed only if `otherAxisOk`.
 * `perChannel` names the weights indexed by the channel, to shrink.
 */
function channelwise(options: {
  axisOf?: (use: LayerUse, rank: number) => number | null;
  perChannel?: (use: LayerUse) => Array<{ weight: number; axis: number }>;
} = {}): ChannelRule {
  return {
    readsWeights: options.perChannel !== undefined,
    forward: (use) => {
      const input = use.inputs[0];
      const rank = use.outputShape.length;
      const axis = options.axisOf?.(use, rank) ?? input.axis;
      if (axis !== input.axis || use.inputs.length !== 1) return BLOCKER.forward(use);
      const constants = probe(use, axis, (c) => c);
      options.perChannel?.(use).forEach(({ weight, axis: weightAxis }) => use.couple(weight, weightAxis, 'follower', input.groups));
      return { shape: use.outputShape, axis, groups: input.groups, constants };
    },
    rewrite: options.perChannel === undefined ? undefined : (use) => {
      const kept = keptChannels(use.inputs[0], use.groups);
      if (kept.length === channelCount(use.inputs[0])) return null;
      const gathered = options.perChannel!(use);
      return {
        config: {},
        weights: (current) => current.map((w, i) => {
          const g = gathered.find((x) => x.weight === i);
          return g === undefined ? w : tf.gather(w, kept, g.axis);
        }),
      };
    },
  };
}

/** A layer's dataFormat channel axis in a tensor of `rank`. */
const dataFormatAxis = (use: LayerUse, rank: number) => channelAxisOf(use.config.dataFormat, rank);

/** BatchNormalization's axis, as a non-negative index: Keras writes it as a list (`[3]`), TF.js as a number. */
function normalizationAxis(use: LayerUse, rank: number): number {
  const raw = Array.isArray(use.config.axis) ? (use.config.axis as number[])[0] : (use.config.axis as number);
  return raw < 0 ? rank + raw : raw;
}

const BATCH_NORMALIZATION: ChannelRule = {
  readsWeights: true,
  forward: (use) => {
    const input = use.inputs[0];
    const constants = probe(use, input.axis, (c) => c);
    // On another axis than the channels, it scales each channel by position: still channel by channel.
    if (normalizationAxis(use, use.outputShape.length) === input.axis) {
      // gamma, first where the layer scales, weighs its channels (network slimming); beta and the statistics do not.
      use.weights.forEach((_, w) => use.couple(w, 0, 'follower', input.groups, w === 0 && use.config.scale !== false));
    }
    return { shape: use.outputShape, axis: input.axis, groups: input.groups, constants };
  },
  rewrite: (use) => {
    const input = use.inputs[0];
    const kept = keptChannels(input, use.groups);
    if (kept.length === channelCount(input) || normalizationAxis(use, use.outputShape.length) !== input.axis) return null;
    // Its weights (gamma, beta, moving mean and variance) hold one value per channel.
    return { config: {}, weights: (current) => current.map((w) => tf.gather(w, kept, 0)) };
  },
};

/** The activation names that combine the units they apply to. */
const MIXING_ACTIVATIONS = new Set(['softmax', 'logSoftmax']);

/** `activation` applied to each of `values` (NaN stays NaN), as the layer computes it. */
function activate(activation: unknown, values: Float64Array): Float64Array {
  if (activation == null || activation === 'linear') return values;
  const finite = Float32Array.from(values, (v) => (Number.isFinite(v) ? v : 0));
  let out!: Float32Array;
  tf.tidy(() => {
    out = (tfl.layers.activation({ activation: activation as 'relu' }).apply(tf.tensor2d(finite, [1, finite.length])) as tf.Tensor)
      .dataSync().slice() as Float32Array;
  });
  return Float64Array.from(out, (v, i) => (Number.isFinite(values[i]) ? v : NaN));
}

/**
 * The output channels of a layer with a kernel: each unit (in the kernel's
 * layout on `unitAxes`) a new group, pruned when its kernel entries are all
 * zero, then emitting `activation(bias)`. A mixing activation (softmax) or a
 * layer applied twice keeps them all.
 */
function producedChannels(use: LayerUse, kernel: number, unitAxes: number[], axis: number): TensorChannels {
  const shape = use.weightShapes[kernel];
  const layout = unitLayout(shape, unitAxes);
  const nonzero = nonzeroPerUnit(use.weights[kernel], layout);
  const bias = use.config.useBias === true ? use.weights[use.weights.length - 1] : null;
  const activation = use.config.activation;
  const mixing = MIXING_ACTIVATIONS.has(String(activation));
  const constants = activate(activation, Float64Array.from({ length: layout.units }, (_, u) => (bias === null ? 0 : bias[u])));
  const output = freshChannels(use.outputShape, axis, use.groups, (u) => ({
    pruned: nonzero[u] === 0 && !mixing,
    constant: mixing ? NaN : constants[u],
    why: mixing ? `its activation '${activation}' combines its units` : 'it is not pruned',
    fixed: mixing,
  }));
  output.pruned = Uint8Array.from(nonzero, (n) => (n === 0 ? 1 : 0));
  if (unitAxes.length === 1) use.couple(kernel, unitAxes[0] < 0 ? shape.length + unitAxes[0] : unitAxes[0], 'producer', output.groups);
  if (bias !== null) use.couple(use.weights.length - 1, 0, 'follower', output.groups);
  return output;
}

/** Whether a convolution of `use` pads its input (its output of a constant input is then not constant). */
function pads(use: LayerUse, kernelSize: number[]): boolean {
  if (use.config.padding !== 'same') return false;
  const input = use.inputs[0].shape;
  const spatialAxes = input.map((_, i) => i).filter((i) => i > 0 && i !== use.inputs[0].axis);
  const strides = [use.config.strides ?? 1].flat() as number[];
  const dilations = [use.config.dilationRate ?? 1].flat() as number[];
  return spatialAxes.some((axis, i) => {
    const size = input[axis];
    if (size == null) return kernelSize[i] > 1;
    const [before, after] = readInputPads(axisGeometry(size, kernelSize[i], strides[i] ?? strides[0], dilations[i] ?? dilations[0], 'same'));
    return before > 0 || after > 0;
  });
}

/** Where a layer with a kernel reads its input channels: its kernel `weight`'s `axis`. */
interface InputSlices {
  weight: number;
  axis: number;
}

/** {@link ignoredInputs} of each layer use: the walk and the rewrite both ask, for the same slices. */
const ignoredByUse = new WeakMap<LayerUse, Uint8Array>();

/**
 * Per input channel, 1 where the layer ignores it: its slice of the kernel
 * is all zero (as channel pruning leaves it), so the channel can go whatever
 * it holds. A rule reads one `slices` per layer, so a use's answer is kept.
 */
function ignoredInputs(use: LayerUse, { weight, axis }: InputSlices): Uint8Array {
  let ignored = ignoredByUse.get(use);
  if (ignored === undefined) {
    const nonzero = nonzeroPerUnit(use.weights[weight], unitLayout(use.weightShapes[weight], [axis]));
    ignored = Uint8Array.from(nonzero, (n) => (n === 0 ? 1 : 0));
    ignoredByUse.set(use, ignored);
  }
  return ignored;
}

/**
 * Vetoes the input channels a layer with a kernel cannot drop exactly:
 * those it does not ignore that have no constant, or whose constant
 * `exact(c)` refuses.
 */
function checkFoldable(use: LayerUse, slices: InputSlices, exact: (constant: number) => string | null): void {
  const input = use.inputs[0];
  const ignored = ignoredInputs(use, slices);
  for (let c = 0; c < channelCount(input); c++) {
    if (ignored[c] === 1) continue;
    const constant = input.constants[c];
    const refusal = Number.isFinite(constant) ? exact(constant) : `it reaches ${named(use)} without a constant value`;
    if (refusal !== null) use.groups.veto(input.groups[c], refusal);
  }
}

/** `bias` (or zeros) plus `carried`, where the removed input channels' constants feed the outputs. */
function foldedBias(bias: tf.Tensor | null, carried: tf.Tensor | null): tf.Tensor | null {
  if (carried === null) return bias;
  return bias === null ? carried : tf.add(bias, carried);
}

/**
 * `current` of a layer with a kernel: `kernel` (index) without the removed
 * inputs (`inAxis`) and outputs (`outAxis`), and its bias (last) plus the
 * removed inputs' constant contribution `carry(kernel)` (a [outputs]
 * tensor, or null), without the removed outputs. A layer without bias gains
 * one when the contribution is not zero.
 */
function kernelRewrite(use: LayerUse, output: TensorChannels, options: {
  kernels: Array<{ index: number; inAxis: number | null; outAxis: number | null }>;
  carry: (current: tf.Tensor[]) => tf.Tensor | null;
  sizeKey: string | null;
  carriesNonzero: boolean;
}): Rewrite | null {
  const { groups } = use;
  const keptIn = keptChannels(use.inputs[0], groups);
  const keptOut = keptChannels(output, groups);
  const inChanged = keptIn.length !== channelCount(use.inputs[0]);
  const outChanged = keptOut.length !== channelCount(output);
  if (!inChanged && !outChanged) return null;
  const useBias = use.config.useBias === true;
  const addsBias = !useBias && options.carriesNonzero;
  const config: ConfigDict = {};
  if (outChanged && options.sizeKey !== null) config[options.sizeKey] = keptOut.length;
  if (addsBias) config.useBias = true;
  return {
    config,
    weights: (current) => {
      const carried = inChanged ? options.carry(current) : null;
      const kernels = current.slice();
      for (const { index, inAxis, outAxis } of options.kernels) {
        let k = kernels[index];
        if (inChanged && inAxis !== null) k = tf.gather(k, keptIn, inAxis);
        if (outChanged && outAxis !== null) k = tf.gather(k, keptOut, outAxis);
        kernels[index] = k;
      }
      let bias = foldedBias(useBias ? kernels[kernels.length - 1] : null, useBias || addsBias ? carried : null);
      if (bias !== null && outChanged) bias = tf.gather(bias, keptOut);
      const withoutBias = useBias ? kernels.slice(0, -1) : kernels;
      return bias === null ? withoutBias : [...withoutBias, bias];
    },
  };
}

/**
 * The removed input channels' constants as a [1, removed] tensor and their
 * indices, or null when none; an ignored channel adds nothing, whatever it holds.
 */
function removedConstants(use: LayerUse, slices: InputSlices): { values: tf.Tensor2D; channels: number[] } | null {
  const removed = removedChannels(use.inputs[0], use.groups);
  if (removed.length === 0) return null;
  const ignored = ignoredInputs(use, slices);
  return {
    values: tf.tensor2d(removed.map((r) => (ignored[r.channel] === 1 ? 0 : r.constant)), [1, removed.length]),
    channels: removed.map((r) => r.channel),
  };
}

/** Whether any removed input channel that the layer reads holds a constant that is not zero. */
function carriesNonzero(use: LayerUse, slices: InputSlices): boolean {
  const ignored = ignoredInputs(use, slices);
  return removedChannels(use.inputs[0], use.groups).some((r) => r.constant !== 0 && ignored[r.channel] === 0);
}

/** A Dense layer reads its input features through its kernel's rows. */
const DENSE_INPUTS: InputSlices = { weight: 0, axis: 0 };

const DENSE: ChannelRule = {
  readsWeights: true,
  forward: (use) => {
    const input = use.inputs[0];
    if (input.axis !== input.shape.length - 1) {
      vetoAll(input, use.groups, `it reaches ${named(use)}, which reads another axis than its channels`);
    } else {
      use.couple(0, 0, 'consumer', input.groups);
      checkFoldable(use, DENSE_INPUTS, () => null); // A constant input feature adds its constant times its kernel row: always exact.
    }
    return producedChannels(use, 0, [-1], use.outputShape.length - 1);
  },
  rewrite: (use, output) => kernelRewrite(use, output, {
    kernels: [{ index: 0, inAxis: 0, outAxis: 1 }],
    sizeKey: 'units',
    carriesNonzero: carriesNonzero(use, DENSE_INPUTS),
    carry: (current) => {
      const removed = removedConstants(use, DENSE_INPUTS);
      return removed === null ? null : tf.reshape(tf.matMul(removed.values, tf.gather(current[0], removed.channels, 0)), [-1]);
    },
  }),
};

/** The kernel size of a convolution's config, one entry per spatial axis. */
function kernelSize(use: LayerUse): number[] {
  return [use.config.kernelSize].flat() as number[];
}

/**
 * A convolution's channels: its input channels (on its data format's axis,
 * read by each of `reads`, the last of which sums them) dropped where it
 * ignores them or `refusal(constant)` allows, and its own units, those of
 * kernel `kernel` on `unitAxes`.
 */
function convolutionForward(use: LayerUse, kernel: number, unitAxes: number[], reads: InputSlices[],
  refusal: (constant: number) => string | null): TensorChannels {
  const axis = dataFormatAxis(use, use.outputShape.length);
  const input = use.inputs[0];
  if (input.axis !== axis) {
    vetoAll(input, use.groups, `it reaches ${named(use)}, whose channels are on another axis`);
  } else {
    reads.forEach((r) => use.couple(r.weight, r.axis, 'consumer', input.groups));
    checkFoldable(use, reads[reads.length - 1], refusal);
  }
  return producedChannels(use, kernel, unitAxes, axis);
}

/** A convolution that pads its input refuses a nonzero constant: the zeros at the borders would make it vary. */
function paddingRefusal(use: LayerUse): (constant: number) => string | null {
  const padded = pads(use, kernelSize(use));
  return (constant) => (padded && constant !== 0
    ? `it reaches ${named(use)} with 'same' padding, holding the constant ${constant}: its zero padding would make it vary at the borders`
    : null);
}

/** Conv1D and Conv2D read their input channels through the kernel's axis before last. */
const convInputs = (use: LayerUse): InputSlices => ({ weight: 0, axis: use.weightShapes[0].length - 2 });

/** Conv1D and Conv2D: kernel [k..., in, out]. */
const CONV: ChannelRule = {
  readsWeights: true,
  forward: (use) => convolutionForward(use, 0, [-1], [convInputs(use)], paddingRefusal(use)),
  rewrite: (use, output) => {
    const rank = use.weightShapes[0].length;
    return kernelRewrite(use, output, {
      kernels: [{ index: 0, inAxis: rank - 2, outAxis: rank - 1 }],
      sizeKey: 'filters',
      carriesNonzero: carriesNonzero(use, convInputs(use)),
      carry: (current) => {
        const removed = removedConstants(use, convInputs(use));
        if (removed === null) return null;
        // A constant input channel adds, at every position, its constant times the sum of its kernel taps.
        const taps = tf.sum(tf.reshape(current[0], [-1, use.weightShapes[0][rank - 2], use.weightShapes[0][rank - 1]]), 0);
        return tf.reshape(tf.matMul(removed.values, tf.gather(taps, removed.channels, 0)), [-1]);
      },
    });
  },
};

/** Conv2DTranspose: kernel [kh, kw, out, in]; only zero input channels can go (a constant would vary at the borders). */
const CONV_TRANSPOSE: ChannelRule = {
  readsWeights: true,
  forward: (use) => convolutionForward(use, 0, [-2], [{ weight: 0, axis: 3 }], (constant) => (constant !== 0
    ? `it reaches ${named(use)} holding the constant ${constant}: a transposed convolution of a constant varies at the borders`
    : null)),
  rewrite: (use, output) => kernelRewrite(use, output, {
    kernels: [{ index: 0, inAxis: 3, outAxis: 2 }],
    sizeKey: 'filters',
    carriesNonzero: false,
    carry: () => null,
  }),
};

/** DepthwiseConv2D: output channel c · multiplier + m follows input channel c. */
const DEPTHWISE: ChannelRule = {
  readsWeights: true,
  forward: (use) => {
    const input = use.inputs[0];
    const rank = use.outputShape.length;
    const axis = dataFormatAxis(use, rank);
    if (input.axis !== axis) return BLOCKER.forward(use);
    const multiplier = use.weightShapes[0][3];
    const count = channelCount(input) * multiplier;
    const groups = Int32Array.from({ length: count }, (_, c) => input.groups[Math.floor(c / multiplier)]);
    use.couple(0, 2, 'follower', input.groups, true);
    if (use.config.useBias === true) use.couple(1, 0, 'follower', groups);
    // Its own pruned units, for the report: they go only with their input channel.
    const nonzero = nonzeroPerUnit(use.weights[0], unitLayout(use.weightShapes[0], [-2, -1]));
    const pruned = Uint8Array.from(nonzero, (n) => (n === 0 ? 1 : 0));
    return { shape: use.outputShape, axis, groups, constants: probe(use, axis, (c) => Math.floor(c / multiplier)), pruned };
  },
  rewrite: (use) => {
    const input = use.inputs[0];
    const kept = keptChannels(input, use.groups);
    if (kept.length === channelCount(input)) return null;
    const multiplier = use.weightShapes[0][3];
    const keptOutputs = kept.flatMap((c) => Array.from({ length: multiplier }, (_, m) => c * multiplier + m));
    return {
      config: {},
      weights: (current) => current.map((w, i) => (i === 0 ? tf.gather(w, kept, 2) : tf.gather(w, keptOutputs))),
    };
  },
};

/** SeparableConv2D reads each input channel through its depthwise kernel, then sums them through its pointwise kernel. */
const SEPARABLE_INPUTS: InputSlices[] = [{ weight: 0, axis: 2 }, { weight: 1, axis: 2 }];

/** SeparableConv2D: a depthwise kernel [kh, kw, in, 1] (each input channel's own), then a pointwise [1, 1, in, out]. */
const SEPARABLE: ChannelRule = {
  readsWeights: true,
  // With a depth multiplier, the pointwise kernel's rows are no longer one per input channel.
  forward: (use) => (use.weightShapes[0][3] !== 1 ? BLOCKER.forward(use)
    : convolutionForward(use, 1, [-1], SEPARABLE_INPUTS, paddingRefusal(use))),
  rewrite: (use, output) => kernelRewrite(use, output, {
    kernels: [{ index: 0, inAxis: 2, outAxis: null }, { index: 1, inAxis: 2, outAxis: 3 }],
    sizeKey: 'filters',
    carriesNonzero: carriesNonzero(use, SEPARABLE_INPUTS[1]),
    carry: (current) => {
      const removed = removedConstants(use, SEPARABLE_INPUTS[1]);
      if (removed === null) return null;
      // Its depthwise output of a constant channel is that constant times the sum of its taps, then pointwise.
      const [kh, kw, channels] = use.weightShapes[0];
      const taps = tf.gather(tf.sum(tf.reshape(current[0], [kh * kw, channels]), 0), removed.channels);
      const through = tf.mul(removed.values, tf.reshape(taps, [1, -1]));
      const pointwise = tf.reshape(current[1], [channels, -1]);
      return tf.reshape(tf.matMul(through, tf.gather(pointwise, removed.channels, 0)), [-1]);
    },
  }),
};

/** Global pooling: [B, spatial..., C] (or channels first) to [B, C]: each channel to one feature. */
const GLOBAL_POOLING: ChannelRule = {
  forward: (use) => {
    const input = use.inputs[0];
    if (input.axis !== dataFormatAxis(use, input.shape.length)) return BLOCKER.forward(use);
    return { shape: use.outputShape, axis: 1, groups: input.groups, constants: input.constants };
  },
};

/** Flatten: each channel to its positions in the flat features. */
const FLATTEN: ChannelRule = {
  forward: (use) => {
    const input = use.inputs[0];
    const dims = input.shape.slice(1);
    if (dims.some((d) => d == null)) return BLOCKER.forward(use);
    // Flatten with dataFormat 'channelsFirst' moves the channels last first.
    const order = use.config.dataFormat === 'channelsFirst' && dims.length > 1 ? [...dims.slice(1), dims[0]] as number[] : dims as number[];
    const moved = use.config.dataFormat === 'channelsFirst' && dims.length > 1;
    // After the move, axis 1 of the input is last and every later axis one earlier.
    const channelAt = !moved ? input.axis - 1 : input.axis === 1 ? order.length - 1 : input.axis - 2;
    const size = tf.util.sizeFromShape(order);
    const inner = tf.util.sizeFromShape(order.slice(channelAt + 1));
    const channels = order[channelAt];
    const groups = new Int32Array(size);
    const constants = new Float64Array(size);
    for (let f = 0; f < size; f++) {
      const c = Math.floor(f / inner) % channels;
      groups[f] = input.groups[c];
      constants[f] = input.constants[c];
    }
    return { shape: use.outputShape, axis: 1, groups, constants };
  },
};

/**
 * Whether `t`'s channels line up with the output's channel axis `axis` of
 * a merge: same shape and axis, or (as TF.js broadcasts a lower rank input
 * by inserting axes after the batch) channels last in both, where `t` has
 * no other axis longer than 1 (a squeeze-and-excitation scale `[B, C]`
 * against `[B, H, W, C]`).
 */
function alignsWith(t: TensorChannels, output: Shape, axis: number): boolean {
  if (t.shape.length === output.length) return t.axis === axis && t.shape.every((d, i) => d === output[i] || d === 1);
  return t.axis === t.shape.length - 1 && axis === output.length - 1 && t.shape.slice(1, -1).every((d) => d === 1);
}

/** Add, Multiply, Average, Maximum, Minimum: channel c of every input is one group. */
function merge(combine: (values: number[]) => number): ChannelRule {
  return {
    forward: (use) => {
      const widest = use.inputs.reduce((a, t) => (t.shape.length > a.shape.length ? t : a));
      const count = channelCount(widest);
      if (!use.inputs.every((t) => channelCount(t) === count && alignsWith(t, use.outputShape, widest.axis))) return BLOCKER.forward(use);
      const [first, ...rest] = use.inputs;
      const groups = Int32Array.from(first.groups, (g, c) => rest.reduce((id, t) => use.groups.union(id, t.groups[c]), g));
      const constants = Float64Array.from(first.constants, (_, c) => combine(use.inputs.map((t) => t.constants[c])));
      return { shape: use.outputShape, axis: widest.axis, groups, constants };
    },
  };
}

/**
 * Reshape that only adds or drops axes of length 1 around the channels (a
 * squeeze-and-excitation's `[B, C]` to `[B, 1, 1, C]`): the channels pass
 * as they are. Any other reshape mixes positions and channels.
 */
const RESHAPE: ChannelRule = {
  forward: (use) => {
    const input = use.inputs[0];
    const long = (shape: Shape) => shape.slice(1).map((d, i) => ({ d, i: i + 1 })).filter(({ d }) => d !== 1);
    const [from, to] = [long(input.shape), long(use.outputShape)];
    if (from.length !== 1 || to.length !== 1 || from[0].i !== input.axis || from[0].d !== to[0].d) return BLOCKER.forward(use);
    return { shape: use.outputShape, axis: to[0].i, groups: input.groups, constants: input.constants };
  },
  rewrite: (use, output) => {
    const kept = keptChannels(output, use.groups).length;
    if (kept === channelCount(output)) return null;
    // targetShape leaves the batch axis out.
    const targetShape = (use.config.targetShape as number[]).map((d, i) => (i + 1 === output.axis ? kept : d));
    return { config: { targetShape }, weights: (current) => current };
  },
};

/** Concatenate on the channel axis: each input's channels at their offset. */
const CONCATENATE: ChannelRule = {
  forward: (use) => {
    const rank = use.outputShape.length;
    const raw = use.config.axis as number;
    const axis = raw < 0 ? rank + raw : raw;
    if (!use.inputs.every((t) => t.axis === axis)) return BLOCKER.forward(use);
    return {
      shape: use.outputShape,
      axis,
      groups: Int32Array.from(use.inputs.flatMap((t) => Array.from(t.groups))),
      constants: Float64Array.from(use.inputs.flatMap((t) => Array.from(t.constants))),
    };
  },
};

/** A model input: its channels stay. */
export const INPUT: ChannelRule = {
  forward: (use) => opaqueOutput(use, 'it is a model input'),
};

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * THE table of compaction: a rule per layer class (a prunable layer goes by
 * its plain class). A class not here stops compaction at its inputs.
 */
export const CHANNEL_RULES: Readonly<Record<string, ChannelRule>> = {
  InputLayer: INPUT,
  Dense: DENSE,
  Conv1D: CONV,
  Conv2D: CONV,
  Conv2DTranspose: CONV_TRANSPOSE,
  DepthwiseConv2D: DEPTHWISE,
  SeparableConv2D: SEPARABLE,
  BatchNormalization: BATCH_NORMALIZATION,
  Activation: {
    forward: (use) => (MIXING_ACTIVATIONS.has(String(use.config.activation)) ? BLOCKER.forward(use) : channelwise().forward(use)),
  },
  ReLU: channelwise(),
  LeakyReLU: channelwise(),
  ELU: channelwise(),
  ThresholdedReLU: channelwise(),
  // Its alpha has the input's shape (batch aside), its channel axis one before the tensor's.
  PReLU: channelwise({ perChannel: (use) => [{ weight: 0, axis: use.inputs[0].axis - 1 }] }),
  Dropout: channelwise(),
  SpatialDropout1D: channelwise(),
  AlphaDropout: channelwise(),
  GaussianDropout: channelwise(),
  GaussianNoise: channelwise(),
  MaxPooling1D: channelwise(),
  AveragePooling1D: channelwise(),
  MaxPooling2D: channelwise({ axisOf: dataFormatAxis }),
  AveragePooling2D: channelwise({ axisOf: dataFormatAxis }),
  ZeroPadding2D: channelwise({ axisOf: dataFormatAxis }),
  Cropping2D: channelwise({ axisOf: dataFormatAxis }),
  UpSampling2D: channelwise({ axisOf: dataFormatAxis }),
  GlobalAveragePooling1D: GLOBAL_POOLING,
  GlobalMaxPooling1D: GLOBAL_POOLING,
  GlobalAveragePooling2D: GLOBAL_POOLING,
  GlobalMaxPooling2D: GLOBAL_POOLING,
  Flatten: FLATTEN,
  Reshape: RESHAPE,
  Add: merge(sum),
  Average: merge((values) => sum(values) / values.length),
  Multiply: merge((values) => values.reduce((a, b) => a * b, 1)),
  Maximum: merge((values) => Math.max(...values)),
  Minimum: merge((values) => Math.min(...values)),
  Concatenate: CONCATENATE,
};

/** The layer classes compaction follows, for the docs and messages. */
export function followedClassNames(): string[] {
  return Object.keys(CHANNEL_RULES).filter((name) => name !== 'InputLayer');
}
