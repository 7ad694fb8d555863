/**
 * The input gradient of 2-D max pooling over typed arrays: each window's
 * output gradient goes to the window's first maximum (rows, then columns),
 * as TensorFlow and TF.js's cpu backend send it.
 */

/** Where the windows of a max pooling of an NHWC input lie (the fields of TF.js's `computePool2DInfo`). */
export interface PoolWindows {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** Window size; pooling has no dilation here, as TF.js's MaxPoolGrad has none. */
  effectiveFilterHeight: number;
  effectiveFilterWidth: number;
  /** Positions before the input that windows start from ('same' padding); pooling ignores them. */
  padInfo: { top: number; left: number };
}

/**
 * Writes into `dx` (the input's shape) the gradient of `maxPool(x)` for the
 * output gradient `dy`. A window with no value above -Infinity (all NaN or
 * -Infinity) passes no gradient, as on cpu. Channels are scanned together,
 * one window position at a time, so that reads run along memory.
 *
 * ```ts
 * maxPoolBackprop(x, dy, dx, tf.backend_util.computePool2DInfo(xShape, 2, 2, 1, 'valid'));
 * ```
 */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, windows: PoolWindows): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = windows;
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  dx.fill(0);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      const top = r * windows.strideHeight - windows.padInfo.top;
      const rowEnd = Math.min(inHeight, top + windows.effectiveFilterHeight);
      for (let c = 0; c < outWidth; c++, out += channels) {
        const left = c * windows.strideWidth - windows.padInfo.left;
        const columnEnd = Math.min(inWidth, left + windows.effectiveFilterWidth);
        best.fill(-Infinity);
        at.fill(-1);
        for (let i = Math.max(0, top); i < rowEnd; i++) {
          for (let j = Math.max(0, left); j < columnEnd; j++) {
            const start = ((b * inHeight + i) * inWidth + j) * channels;
            for (let d = 0; d < channels; d++) {
              const value = x[start + d];
              if (value > best[d]) {
                best[d] = value;
                at[d] = start + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++) if (at[d] >= 0) dx[at[d]] += dy[out + d];
      }
    }
  }
}
