/**
 * Models shaped like the Keras applications people convert to TF.js (the
 * same layer sequences, names and padding habits; small by default, full
 * size with the paper's settings), with seeded random weights and
 * BatchNormalization statistics: speed and structure do not depend on
 * trained values. The tests and bench:infer use them.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from './random';

type T = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x) as T;

/** Conv → BatchNormalization → activation, as Keras applications build it. */
function convBn(x: T, filters: number, kernelSize: number, name: string,
  { strides = 1, padding = 'same', activation = 'relu', useBias = false, scale = true, channelsFirst = false, batchNorm = true } = {}): T {
  const dataFormat = channelsFirst ? 'channelsFirst' : 'channelsLast';
  x = apply(tf.layers.conv2d({ filters, kernelSize, strides, padding: padding as 'same', useBias: useBias || !batchNorm, dataFormat, name: `${name}_conv` }), x);
  if (batchNorm) x = apply(tf.layers.batchNormalization({ scale, name: `${name}_bn` }), x);
  if (activation === 'relu6') return apply(tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }), x);
  return activation === 'linear' ? x : apply(tf.layers.activation({ activation: activation as 'relu', name: `${name}_${activation}` }), x);
}

/**
 * A MobileNetV2 (Sandler et al. 2018, Keras's `MobileNetV2`): a stride-2
 * stem, inverted residual blocks (1x1 expansion, ZeroPadding2D before a
 * stride-2 depthwise, ReLU6, a linear 1x1 projection, an Add where shapes
 * allow), a 1x1 head, global pooling and a softmax. `blocks` are
 * [expansion, channels, repeats, stride] as in the paper's table.
 */
export function mobileNetV2({ size = 32, alpha = 0.25, classes = 10,
  blocks = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2]] as number[][], head = 64 } = {}): tf.LayersModel {
  const width = (c: number) => Math.max(8, Math.round((c * alpha) / 8) * 8);
  const input = tf.input({ shape: [size, size, 3] });
  let x = apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'Conv1_pad' }), input);
  x = convBn(x, width(32), 3, 'Conv1', { strides: 2, padding: 'valid', activation: 'relu6' });
  let channels = width(32);
  let id = 0;
  for (const [t, c, n, s] of blocks) {
    for (let r = 0; r < n; r++, id++) {
      const stride = r === 0 ? s : 1;
      const name = `block_${id}`;
      const out = width(c);
      let y = t === 1 ? x : convBn(x, channels * t, 1, `${name}_expand`, { activation: 'relu6' });
      if (stride === 2) y = apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${name}_pad` }), y);
      y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false, name: `${name}_depthwise` }), y);
      y = apply(tf.layers.batchNormalization({ name: `${name}_depthwise_bn` }), y);
      y = apply(tf.layers.reLU({ maxValue: 6, name: `${name}_depthwise_relu` }), y);
      y = convBn(y, out, 1, `${name}_project`, { activation: 'linear' });
      x = stride === 1 && out === channels ? apply(tf.layers.add({ name: `${name}_add` }), [x, y]) : y;
      channels = out;
    }
  }
  x = convBn(x, head, 1, 'Conv_1', { activation: 'relu6' });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
  const output = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return randomized(tf.model({ inputs: input, outputs: output, name: 'mobilenetv2' }));
}

/**
 * A ResNet v1 (He et al. 2016, Keras's `ResNet50` blocks): a 7x7 stride-2
 * stem with max pooling, then per stage a block with a projection shortcut
 * (1x1 conv + BatchNormalization, stride 2 after the first stage) and
 * identity blocks, each conv biased and followed by BatchNormalization;
 * `bottleneck` blocks are 1x1 → 3x3 → 1x1 (x4), else two 3x3. TF.js's
 * BatchNormalization is wrong on channelsFirst 4-D inputs, so
 * `batchNorm: false` leaves it out (the convs keep their biases).
 */
export function resNet({ size = 32, widths = [8, 16], blocks = 2, bottleneck = false, classes = 10, channelsFirst = false, batchNorm = true } = {}): tf.LayersModel {
  const input = tf.input({ shape: channelsFirst ? [3, size, size] : [size, size, 3] });
  const dataFormat = channelsFirst ? 'channelsFirst' : 'channelsLast';
  const bn = { useBias: true, channelsFirst, batchNorm };
  let x = convBn(input, widths[0], 7, 'conv1', { strides: 2, ...bn });
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', dataFormat, name: 'pool1_pool' }), x);
  widths.forEach((w, stage) => {
    for (let b = 0; b < blocks; b++) {
      const name = `conv${stage + 2}_block${b + 1}`;
      const strides = b === 0 && stage > 0 ? 2 : 1;
      const out = bottleneck ? 4 * w : w;
      const shortcut = b === 0 ? convBn(x, out, 1, `${name}_0`, { strides, activation: 'linear', ...bn }) : x;
      let y: T;
      if (bottleneck) {
        y = convBn(x, w, 1, `${name}_1`, { strides, ...bn });
        y = convBn(y, w, 3, `${name}_2`, bn);
        y = convBn(y, out, 1, `${name}_3`, { activation: 'linear', ...bn });
      } else {
        y = convBn(x, w, 3, `${name}_1`, { strides, ...bn });
        y = convBn(y, out, 3, `${name}_2`, { activation: 'linear', ...bn });
      }
      x = apply(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
      x = apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), x);
    }
  });
  x = apply(tf.layers.globalAveragePooling2d({ dataFormat, name: 'avg_pool' }), x);
  const output = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return randomized(tf.model({ inputs: input, outputs: output, name: 'resnet' }));
}

/**
 * An Inception v3 module (Szegedy et al. 2016, Keras's `InceptionV3`
 * `mixed` blocks): 1x1, 1x1 → 5x5, 1x1 → 3x3 → 3x3 and average pooling →
 * 1x1 branches, each conv unbiased with BatchNormalization without scale,
 * concatenated on the channels; two modules, then pooling and a softmax.
 */
export function inception({ size = 16, width = 8, classes = 10 } = {}): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const cb = (x: T, f: number, k: number, name: string) => convBn(x, f, k, name, { scale: false });
  let x = cb(input, 2 * width, 3, 'conv2d_stem');
  for (const m of [0, 1]) {
    const n = `mixed${m}`;
    const b1 = cb(x, width, 1, `${n}_b1`);
    const b5 = cb(cb(x, width, 1, `${n}_b5a`), width, 5, `${n}_b5b`);
    const b3 = cb(cb(cb(x, width, 1, `${n}_b3a`), width, 3, `${n}_b3b`), width, 3, `${n}_b3c`);
    const pool = apply(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${n}_pool` }), x);
    const bp = cb(pool, width, 1, `${n}_bp`);
    x = apply(tf.layers.concatenate({ axis: -1, name: n }), [b1, b5, b3, bp]);
  }
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const output = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return randomized(tf.model({ inputs: input, outputs: output, name: 'inception' }));
}

/**
 * Xception's entry-flow blocks (Chollet 2017, Keras's `Xception`): a stem of
 * two convs, then per block two SeparableConv2D → BatchNormalization (ReLU
 * between), a stride-2 max pooling, and an Add with a 1x1 stride-2
 * projection of the block's input.
 */
export function xception({ size = 32, widths = [16, 32], classes = 10 } = {}): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  let x = convBn(input, widths[0] / 2, 3, 'block1_conv1', { strides: 2 });
  x = convBn(x, widths[0], 3, 'block1_conv2');
  widths.forEach((w, b) => {
    const name = `block${b + 2}`;
    const residual = convBn(x, w, 1, `${name}_res`, { strides: 2, activation: 'linear' });
    let y = apply(tf.layers.separableConv2d({ filters: w, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_sepconv1` }), x);
    y = apply(tf.layers.reLU({ name: `${name}_sepconv1_act` }), apply(tf.layers.batchNormalization({ name: `${name}_sepconv1_bn` }), y));
    y = apply(tf.layers.separableConv2d({ filters: w, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_sepconv2` }), y);
    y = apply(tf.layers.batchNormalization({ name: `${name}_sepconv2_bn` }), y);
    y = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${name}_pool` }), y);
    x = apply(tf.layers.add({ name: `${name}_add` }), [y, residual]);
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const output = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return randomized(tf.model({ inputs: input, outputs: output, name: 'xception' }));
}

/**
 * EfficientNet MBConv blocks (Tan & Le 2019, Keras's `EfficientNetB0`): 1x1
 * expansion, depthwise, swish, squeeze-and-excitation (global pooling, then
 * either Keras's Reshape and two 1x1 convs, or two Dense layers), a
 * `Multiply` scaling the channels, a linear 1x1 projection and an Add.
 */
export function efficientNet({ size = 16, width = 16, classes = 10, se = 'conv' as 'conv' | 'dense' } = {}): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  let x = convBn(input, width, 3, 'stem', { strides: 2, activation: 'swish' });
  for (const b of [0, 1]) {
    const name = `block${b + 1}a`;
    const expanded = 4 * width;
    let y = convBn(x, expanded, 1, `${name}_expand`, { activation: 'swish' });
    y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: `${name}_dwconv` }), y);
    y = apply(tf.layers.batchNormalization({ name: `${name}_bn` }), y);
    y = apply(tf.layers.activation({ activation: 'swish', name: `${name}_activation` }), y);
    let s = apply(tf.layers.globalAveragePooling2d({ name: `${name}_se_squeeze` }), y);
    if (se === 'conv') {
      s = apply(tf.layers.reshape({ targetShape: [1, 1, expanded], name: `${name}_se_reshape` }), s);
      s = apply(tf.layers.conv2d({ filters: width / 4, kernelSize: 1, activation: 'swish', name: `${name}_se_reduce` }), s);
      s = apply(tf.layers.conv2d({ filters: expanded, kernelSize: 1, activation: 'sigmoid', name: `${name}_se_expand` }), s);
    } else {
      s = apply(tf.layers.dense({ units: width / 4, activation: 'swish', name: `${name}_se_reduce` }), s);
      s = apply(tf.layers.dense({ units: expanded, activation: 'sigmoid', name: `${name}_se_expand` }), s);
    }
    y = apply(tf.layers.multiply({ name: `${name}_se_excite` }), [y, s]);
    y = convBn(y, width, 1, `${name}_project`, { activation: 'linear' });
    x = apply(tf.layers.add({ name: `${name}_add` }), [x, y]);
  }
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const output = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return randomized(tf.model({ inputs: input, outputs: output, name: 'efficientnet' }));
}

/** The full MobileNetV2 of the paper (alpha 1.0): its blocks as [expansion, channels, repeats, stride]. */
export const MOBILENET_V2_BLOCKS: readonly number[][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/**
 * `model` with seeded weights uniform in ±sqrt(6 / fan-in) (He-uniform;
 * BatchNormalization's gamma in ±1), moving variances in [0.5, 1.5), and
 * nonzero biases.
 */
function randomized(model: tf.LayersModel, seed = 7): tf.LayersModel {
  model.weights.forEach((variable, i) => {
    const shape = variable.shape as number[];
    const n = tf.util.sizeFromShape(shape);
    const random = mulberry32(seed + i);
    const values = Float32Array.from({ length: n }, () => random() * 2 - 1);
    const name = variable.originalName;
    if (name.endsWith('moving_variance')) values.forEach((v, j) => (values[j] = 1 + v / 2));
    else if (!name.endsWith('gamma')) values.forEach((v, j) => (values[j] = v * Math.sqrt(6 / Math.max(1, n / shape[shape.length - 1]))));
    const tensor = tf.tensor(values, shape);
    variable.write(tensor);
    tensor.dispose();
  });
  return model;
}

