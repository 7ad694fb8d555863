/**
 * 2-D convolutions (regular, depthwise, transposed) whose gradients are
 * built from kernels every backend has, wasm included: wasm lacks
 * `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter` and
 * `...BackpropInput` (tfjs issue #8474), so `tf.layers.conv2d` cannot train
 * there, and TF.js's own gradients refuse dilation rates above 1.
 *
 * Each gradient is a forward convolution of rearranged tensors:
 * - the kernel gradient correlates the padded input with the output
 *   gradient, batch and channels swapped (the batch becomes the summed
 *   axis), the forward stride as the dilation and the forward dilation as
 *   the stride;
 * - the input gradient correlates the output gradient, dilated by the stride
 *   and padded, with the spatially flipped kernel (inputs and outputs swapped);
 *   where that would multiply mostly zeros, it is one matMul of the output
 *   gradient by the kernel, whose columns are added back into place (col2im).
 * Measured on wasm (../../shared notes and docs/performance.md), these run
 * faster than `Conv2DBackpropInput` and `Conv3DBackpropFilterV2`, the
 * kernels wasm has. Tensors are NHWC; kernels `[kh, kw, in, out]`
 * (depthwise `[kh, kw, channels, multiplier]`).
 */

import * as tf from '@tensorflow/tfjs-core';
import { AxisGeometry, axisGeometry, ConvPadding, inputGradientPads, readInputPads } from './conv_geometry';
import { addColumnsToImage } from './col2im';
import { customOp } from './custom_op';
import { computeFloat32 } from './float32_data';

type Pair = [number, number];

/** Activations a convolution can apply in its fused kernel, as tfjs-layers fuses them. */
export type FusedActivation = 'linear' | 'relu' | 'elu';

/** Options of the convolutions, as `tf.conv2d` takes them (pairs for height and width). */
export interface ConvOptions {
  strides: Pair;
  padding: ConvPadding;
  dilations: Pair;
}

/** The geometry of the two spatial axes of a convolution of `x` ([B, H, W, C]) by a kernel of `kernel` taps. */
function geometry(inputSize: Pair, kernel: Pair, { strides, padding, dilations }: ConvOptions): [AxisGeometry, AxisGeometry] {
  return [0, 1].map((i) => axisGeometry(inputSize[i], kernel[i], strides[i], dilations[i], padding)) as [AxisGeometry, AxisGeometry];
}

/** `x` ([B, H, W, C]) with `pads` zeros added along H and W, or entries dropped where negative. */
function padOrCrop(x: tf.Tensor4D, pads: [Pair, Pair]): tf.Tensor4D {
  let result = x;
  if (pads.some(([, after]) => after < 0)) {
    const size = [-1, x.shape[1] + Math.min(0, pads[0][1]), x.shape[2] + Math.min(0, pads[1][1]), -1];
    result = tf.slice(result, [0, 0, 0, 0], size);
  }
  if (pads.some(([before, after]) => before > 0 || after > 0)) {
    const [h, w] = pads.map(([before, after]) => [before, Math.max(0, after)]);
    result = tf.pad(result, [[0, 0], h as Pair, w as Pair, [0, 0]]);
  }
  return result;
}

/**
 * `dy` ([B, Y, X, C]) with `stride - 1` zeros after each entry along H and
 * W, then padded by `pads` (counted from the last entry, so the trailing
 * zeros of the dilation count towards the padding after).
 */
function dilateAndPad(dy: tf.Tensor4D, strides: Pair, pads: [Pair, Pair]): tf.Tensor4D {
  if (strides[0] === 1 && strides[1] === 1) return padOrCrop(dy, pads);
  const [b, y, x, c] = dy.shape;
  const [sh, sw] = strides;
  const spread = tf.pad(tf.reshape(dy, [b, y, 1, x, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  const dilated = tf.reshape(spread, [b, y * sh, x * sw, c]) as tf.Tensor4D;
  return padOrCrop(dilated, [[pads[0][0], pads[0][1] - (sh - 1)], [pads[1][0], pads[1][1] - (sw - 1)]]);
}

/** `[kh, kw, in, out]` → `[kh, kw, out, in]`, spatially reversed: the kernel of the input gradient. */
function flippedKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]);
}

/**
 * The gradient of `conv2d(x, kernel)` with respect to the kernel, for the
 * output gradient `dy`. With one input channel (a grayscale image's first
 * layer), the depthwise correlation of the depthwise kernel gradient computes
 * it in one pass, faster on wasm (LeNet-5's first layer at batch 128: 12 ms
 * against 16, bench:train).
 */
function conv2dKernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, g: [AxisGeometry, AxisGeometry]): tf.Tensor4D {
  if (x.shape[3] === 1) return depthwiseKernelGradient(x, dy, g, dy.shape[3]);
  const xs = tf.transpose(padOrCrop(x, [readInputPads(g[0]), readInputPads(g[1])]), [3, 1, 2, 0]); // [in, H', W', B]
  const dys = tf.transpose(dy, [1, 2, 0, 3]); // [Y, X, B, out]
  const dk = tf.conv2d(xs, dys, [g[0].dilation, g[1].dilation], 'valid', 'NHWC', [g[0].stride, g[1].stride]);
  return tf.transpose(dk, [1, 2, 0, 3]); // [in, kh, kw, out] → [kh, kw, in, out]
}

/**
 * The gradient of `conv2d(x, kernel)` with respect to `x`, for the output
 * gradient `dy`, as the correlation of the dilated, padded `dy` with the
 * flipped kernel. It computes a product for every input position and every
 * tap, zeros included.
 */
export function correlatedInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D, g: [AxisGeometry, AxisGeometry]): tf.Tensor4D {
  const padded = dilateAndPad(dy, [g[0].stride, g[1].stride], [inputGradientPads(g[0]), inputGradientPads(g[1])]);
  return tf.conv2d(padded, flippedKernel(kernel), 1, 'valid', 'NHWC', [g[0].dilation, g[1].dilation]);
}

/**
 * The same gradient as {@link correlatedInputGradient}, as one matMul, `dy`
 * by the kernel transposed (the forward pass's multiply-accumulates, no
 * zeros), whose rows are then added into the input positions they belong
 * to, in JavaScript on the backend's memory.
 */
export function scatteredInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D, g: [AxisGeometry, AxisGeometry]): tf.Tensor4D {
  const [kh, kw, channels, filters] = kernel.shape;
  const [b, y, x] = dy.shape;
  // An explicit transpose: wasm's transposed matMul is slow (./mat_mul).
  const taps = tf.transpose(tf.reshape(kernel, [kh * kw * channels, filters]));
  const columns = tf.matMul(tf.reshape(dy, [b * y * x, filters]), taps);
  return computeFloat32([b, g[0].input, g[1].input, channels], [{ tensor: columns, name: 'columns' }], (dx, values) =>
    addColumnsToImage(values, dx, channels, g)) as tf.Tensor4D;
}

/** Backends whose tensors JavaScript reads in place (wasm's heap, cpu's arrays): the scattered gradient's. */
const SCATTER_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * The input gradient in the cheaper of the two forms. Where the correlation
 * would compute at least twice the forward pass's products, the rest on
 * zeros (a 'valid' or strided convolution: LeNet-5's second, a 'valid' 5x5
 * on 12x12, 2.25 times), and there are enough filters (16) for the matMul to
 * pay for the adding, the scattered form, on backends that allow it
 * (bench:train's "conv input gradient" case); else the correlation.
 */
function conv2dInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D, g: [AxisGeometry, AxisGeometry]): tf.Tensor4D {
  const correlated = g[0].input * g[1].input;
  const forward = g[0].output * g[1].output;
  const scatter = SCATTER_BACKENDS.has(tf.getBackend()) && correlated >= 2 * forward && kernel.shape[3] >= 16;
  return scatter ? scatteredInputGradient(dy, kernel, g) : correlatedInputGradient(dy, kernel, g);
}

/** The gradient of `depthwiseConv2d(x, kernel)` with respect to the kernel. */
function depthwiseKernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, g: [AxisGeometry, AxisGeometry],
  multiplier: number): tf.Tensor4D {
  const [b, , , c] = x.shape;
  const [, y, w] = dy.shape;
  // Each (channel, example) pair becomes a channel of one image, so that one
  // depthwise correlation with the output gradient as its kernel sums over
  // positions; the sum over examples follows.
  const xs = tf.transpose(padOrCrop(x, [readInputPads(g[0]), readInputPads(g[1])]), [1, 2, 3, 0]); // [H', W', C, B]
  const image = tf.reshape(xs, [1, xs.shape[0], xs.shape[1], c * b]) as tf.Tensor4D;
  const dys = tf.transpose(tf.reshape(dy, [b, y, w, c, multiplier]), [1, 2, 3, 0, 4]); // [Y, X, C, B, M]
  const filter = tf.reshape(dys, [y, w, c * b, multiplier]) as tf.Tensor4D;
  const dk = tf.depthwiseConv2d(image, filter, [g[0].dilation, g[1].dilation], 'valid', 'NHWC', [g[0].stride, g[1].stride]);
  return tf.sum(tf.reshape(dk, [g[0].kernel, g[1].kernel, c, b, multiplier]), 3) as tf.Tensor4D;
}

/** The gradient of `depthwiseConv2d(x, kernel)` with respect to `x`. */
function depthwiseInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D, g: [AxisGeometry, AxisGeometry]): tf.Tensor4D {
  const [kh, kw, c, multiplier] = kernel.shape;
  const padded = dilateAndPad(dy, [g[0].stride, g[1].stride], [inputGradientPads(g[0]), inputGradientPads(g[1])]);
  // Every output channel (c, m) correlates with its own flipped filter; the multiplier's outputs then sum.
  const filter = tf.reshape(tf.reverse(kernel, [0, 1]), [kh, kw, c * multiplier, 1]) as tf.Tensor4D;
  const dx = tf.depthwiseConv2d(padded, filter, 1, 'valid', 'NHWC', [g[0].dilation, g[1].dilation]);
  if (multiplier === 1) return dx;
  const [b, h, w] = dx.shape;
  return tf.sum(tf.reshape(dx, [b, h, w, c, multiplier]), 4) as tf.Tensor4D;
}

/** `dy` through the derivative of `activation`, from the activation's output `y`. */
function activationGradient(dy: tf.Tensor, y: tf.Tensor, activation: FusedActivation): tf.Tensor {
  if (activation === 'linear') return dy;
  if (activation === 'relu') return tf.mul(dy, tf.step(y));
  // elu'(z) = 1 for z > 0, else exp(z) = elu(z) + 1.
  return tf.where(tf.greater(y, 0), dy, tf.mul(dy, tf.add(y, 1)));
}

/**
 * `x` and the padding mode to give TF.js's forward convolutions so that they
 * compute `g` exactly. The wasm backend's Conv2D, FusedConv2D and
 * DepthwiseConv2dNative misplace 'same' padding where the kernel's last
 * window ends before the input does (an unclamped total padding below 0,
 * e.g. a 1x1 kernel at stride 2 on an even size): there the unread end is
 * cropped and the convolution runs 'valid', on every backend alike.
 */
function forwardInput(x: tf.Tensor4D, g: [AxisGeometry, AxisGeometry], padding: ConvPadding): { x: tf.Tensor4D; padding: ConvPadding } {
  const pads = [readInputPads(g[0]), readInputPads(g[1])];
  if (padding === 'valid' || pads.every(([, after]) => after >= 0)) return { x, padding };
  return { x: padOrCrop(x, pads as [Pair, Pair]), padding: 'valid' };
}

/** The spatial size of an NHWC tensor. */
function spatial(x: tf.Tensor4D): Pair {
  return [x.shape[1], x.shape[2]];
}

/**
 * `activation(conv2d(x, kernel) + bias)`, computed as `tf.fused.conv2d`
 * computes it (as tfjs-layers' Conv2D does), with gradients for `x`,
 * `kernel` and `bias` from forward convolutions (see the file comment).
 *
 * ```ts
 * const y = conv2dOp(x, kernel, bias, {strides: [1, 1], padding: 'valid', dilations: [1, 1]}, 'relu');
 * ```
 */
export function conv2dOp(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D | null, options: ConvOptions,
  activation: FusedActivation = 'linear'): tf.Tensor4D {
  const g = geometry(spatial(x), [kernel.shape[0], kernel.shape[1]], options);
  const inputs = bias == null ? { x, kernel } : { x, kernel, bias };
  return customOp<'x' | 'kernel' | 'bias'>({
    inputs: inputs as Record<'x' | 'kernel' | 'bias', tf.Tensor>,
    forward: (save) => {
      const input = forwardInput(x, g, options.padding);
      // The fused kernel itself: tf.fused.conv2d unfuses bias and activation while gradients are recorded.
      const y = tf.engine().runKernel('FusedConv2D', { x: input.x, filter: kernel, ...(bias == null ? {} : { bias }) }, {
        strides: options.strides, pad: input.padding, dataFormat: 'NHWC', dilations: options.dilations, activation,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      save([x, kernel, y]);
      return y;
    },
    backward: (dy, saved) => {
      const [sx, sk, sy] = saved as tf.Tensor4D[];
      // Once for all the gradients (the tape runs each in a tidy of its own, so it is made here),
      // and only when one is needed: the tape calls backward for those alone.
      const dz = activationGradient(dy, sy, activation) as tf.Tensor4D;
      return {
        x: () => conv2dInputGradient(dz, sk, g),
        kernel: () => conv2dKernelGradient(sx, dz, g),
        bias: () => tf.sum(dz, [0, 1, 2]),
      };
    },
  }) as tf.Tensor4D;
}

/**
 * `tf.depthwiseConv2d(x, kernel)` (as tfjs-layers' DepthwiseConv2D computes
 * it), with gradients for `x` and `kernel` from depthwise forward
 * correlations (see the file comment).
 *
 * ```ts
 * const y = depthwiseConv2dOp(x, kernel, {strides: [2, 2], padding: 'same', dilations: [1, 1]});
 * ```
 */
export function depthwiseConv2dOp(x: tf.Tensor4D, kernel: tf.Tensor4D, options: ConvOptions): tf.Tensor4D {
  const g = geometry(spatial(x), [kernel.shape[0], kernel.shape[1]], options);
  return customOp({
    inputs: { x, kernel },
    forward: (save) => {
      save([x, kernel]);
      const input = forwardInput(x, g, options.padding);
      return tf.depthwiseConv2d(input.x, kernel, options.strides, input.padding, 'NHWC', options.dilations);
    },
    backward: (dy, saved) => {
      const [sx, sk] = saved as tf.Tensor4D[];
      return {
        x: () => depthwiseInputGradient(dy as tf.Tensor4D, sk, g),
        kernel: () => depthwiseKernelGradient(sx, dy as tf.Tensor4D, g, sk.shape[3]),
      };
    },
  }) as tf.Tensor4D;
}

/**
 * `tf.conv2dTranspose(x, kernel, outputShape, strides, padding)` for a
 * kernel `[kh, kw, filters, in]` (tfjs-layers' Conv2DTranspose): the input
 * gradient of the convolution that maps an `outputSize` image of `filters`
 * channels to `x`, computed and differentiated through forward convolutions.
 *
 * ```ts
 * const y = conv2dTransposeOp(x, kernel, [16, 16], {strides: [2, 2], padding: 'same', dilations: [1, 1]});
 * ```
 */
export function conv2dTransposeOp(x: tf.Tensor4D, kernel: tf.Tensor4D, outputSize: Pair, options: ConvOptions): tf.Tensor4D {
  const g = geometry(outputSize, [kernel.shape[0], kernel.shape[1]], options);
  return customOp({
    inputs: { x, kernel },
    forward: (save) => {
      save([x, kernel]);
      return conv2dInputGradient(x, kernel, g);
    },
    backward: (dy, saved) => {
      const [sx, sk] = saved as tf.Tensor4D[];
      return {
        x: () => {
          const input = forwardInput(dy as tf.Tensor4D, g, options.padding);
          return tf.conv2d(input.x, sk, options.strides, input.padding, 'NHWC', options.dilations);
        },
        kernel: () => conv2dKernelGradient(dy as tf.Tensor4D, sx, g),
      };
    },
  }) as tf.Tensor4D;
}
