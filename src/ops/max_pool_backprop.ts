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
 * -Infinity) passes no gradient, as on cpu. Each window's positions are
 * listed once, then scanned channel by channel with the running maximum in
 * local variables; a window of four positions (2x2, the usual pooling) is
 * scanned unrolled, which V8 runs markedly faster (bench:profile's LeNet-5
 * training step).
 *
 * ```ts
 * maxPoolBackprop(x, dy, dx, tf.backend_util.computePool2DInfo(xShape, 2, 2, 1, 'valid'));
 * ```
 */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, windows: PoolWindows): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = windows;
  const offsets = new Int32Array(windows.effectiveFilterHeight * windows.effectiveFilterWidth);
  dx.fill(0);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      const top = r * windows.strideHeight - windows.padInfo.top;
      const rowEnd = Math.min(inHeight, top + windows.effectiveFilterHeight);
      for (let c = 0; c < outWidth; c++, out += channels) {
        const left = c * windows.strideWidth - windows.padInfo.left;
        const columnEnd = Math.min(inWidth, left + windows.effectiveFilterWidth);
        // Where the window's positions start, rows then columns: the order in which the first maximum wins.
        let n = 0;
        for (let i = Math.max(0, top); i < rowEnd; i++) {
          for (let j = Math.max(0, left); j < columnEnd; j++) offsets[n++] = ((b * inHeight + i) * inWidth + j) * channels;
        }
        if (n === 4) {
          const [p0, p1, p2, p3] = offsets;
          for (let d = 0; d < channels; d++) {
            let best = -Infinity;
            let at = -1;
            const v0 = x[p0 + d];
            if (v0 > best) [best, at] = [v0, p0 + d];
            const v1 = x[p1 + d];
            if (v1 > best) [best, at] = [v1, p1 + d];
            const v2 = x[p2 + d];
            if (v2 > best) [best, at] = [v2, p2 + d];
            if (x[p3 + d] > best) at = p3 + d;
            if (at >= 0) dx[at] += dy[out + d];
          }
          continue;
        }
        for (let d = 0; d < channels; d++) {
          let best = -Infinity;
          let at = -1;
          for (let k = 0; k < n; k++) {
            const value = x[offsets[k] + d];
            if (value > best) [best, at] = [value, offsets[k] + d];
          }
          if (at >= 0) dx[at] += dy[out + d];
        }
      }
    }
  }
}
