/**
 * Where a convolution's kernel meets its input along one spatial axis, as
 * TensorFlow computes it for 'same' and 'valid' padding: the numbers the
 * gradient formulations of `./conv` need explicitly.
 */
export interface AxisGeometry {
  /** Input length. */
  input: number;
  /** Output length. */
  output: number;
  /** Kernel length (taps). */
  kernel: number;
  stride: number;
  dilation: number;
  /** Zeros added before the input ('same' puts the odd one after, as TensorFlow does). */
  padBefore: number;
}

/** The padding modes TF.js convolutions compute. */
export type ConvPadding = 'same' | 'valid';

/**
 * The geometry of one axis of a convolution of an input of length `input`.
 * 'valid': no padding, `ceil((input - (kernel - 1)·dilation) / stride)` outputs;
 * 'same': `ceil(input / stride)` outputs and just enough zeros, half before
 * (rounded down), half after.
 *
 * ```ts
 * axisGeometry(28, 5, 1, 1, 'valid'); // {input: 28, output: 24, kernel: 5, stride: 1, dilation: 1, padBefore: 0}
 * axisGeometry(8, 3, 2, 1, 'same');   // output 4, padBefore 0 (one zero after)
 * ```
 */
export function axisGeometry(input: number, kernel: number, stride: number, dilation: number,
  padding: ConvPadding): AxisGeometry {
  const span = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    return { input, output: Math.max(0, Math.ceil((input - span + 1) / stride)), kernel, stride, dilation, padBefore: 0 };
  }
  const output = Math.ceil(input / stride);
  const total = Math.max(0, (output - 1) * stride + span - input);
  return { input, output, kernel, stride, dilation, padBefore: Math.floor(total / 2) };
}

/** The input span of the kernel: `(kernel - 1) · dilation + 1`. */
export function kernelSpan(g: AxisGeometry): number {
  return (g.kernel - 1) * g.dilation + 1;
}

/**
 * Input positions `[-padBefore, end)` that the outputs read, as zeros to add
 * before and after the input (negative: entries to drop at the end, which
 * 'valid' leaves unread when the stride does not divide the length).
 */
export function readInputPads(g: AxisGeometry): [number, number] {
  const length = (g.output - 1) * g.stride + kernelSpan(g);
  return [g.padBefore, length - g.padBefore - g.input];
}

/**
 * The zeros to add around the output gradient, dilated by the stride (length
 * `(output - 1) · stride + 1`), so that a stride-1 correlation with the
 * flipped kernel gives the input gradient, one value per input position.
 */
export function inputGradientPads(g: AxisGeometry): [number, number] {
  const dilated = (g.output - 1) * g.stride + 1;
  return [kernelSpan(g) - 1 - g.padBefore, g.input + g.padBefore - dilated];
}
