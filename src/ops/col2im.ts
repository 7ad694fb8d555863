import { AxisGeometry } from './conv_geometry';

/**
 * Writes into `image` ([batch, H, W, channels], NHWC) the sum, at each input
 * position, of the columns that a convolution's output positions read from
 * it ("col2im"): `columns` holds, for each output position of each example
 * ([batch, Y, X] in order), one row of `kh · kw · channels` values, the taps
 * in kernel order. With `columns = dy · kernelᵀ` that sum is the input
 * gradient of the convolution. Taps that fall in the padding are dropped.
 *
 * ```ts
 * addColumnsToImage(columns, dx, channels, [axisGeometry(12, 5, 1, 1, 'valid'), axisGeometry(12, 5, 1, 1, 'valid')]);
 * ```
 */
export function addColumnsToImage(columns: Float32Array, image: Float32Array, channels: number,
  [rows, cols]: [AxisGeometry, AxisGeometry]): void {
  const batch = image.length / (rows.input * cols.input * channels);
  const tapRow = cols.kernel * channels;
  image.fill(0);
  let from = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows.output; r++) {
      for (let c = 0; c < cols.output; c++) {
        const left = c * cols.stride - cols.padBefore;
        for (let i = 0; i < rows.kernel; i++, from += tapRow) {
          const y = r * rows.stride - rows.padBefore + i * rows.dilation;
          if (y < 0 || y >= rows.input) continue;
          const rowStart = (b * rows.input + y) * cols.input;
          if (cols.dilation === 1) {
            // The taps of a kernel row cover adjacent input positions: one run of values.
            const first = Math.max(0, -left);
            const end = Math.min(cols.kernel, cols.input - left) * channels;
            const to = (rowStart + left) * channels;
            let t = first * channels;
            // Unrolled by four: V8 runs it markedly faster (bench:profile's LeNet-5 training step).
            for (; t + 4 <= end; t += 4) {
              image[to + t] += columns[from + t];
              image[to + t + 1] += columns[from + t + 1];
              image[to + t + 2] += columns[from + t + 2];
              image[to + t + 3] += columns[from + t + 3];
            }
            for (; t < end; t++) image[to + t] += columns[from + t];
          } else {
            for (let j = 0; j < cols.kernel; j++) {
              const x = left + j * cols.dilation;
              if (x < 0 || x >= cols.input) continue;
              const to = (rowStart + x) * channels;
              const tap = from + j * channels;
              for (let d = 0; d < channels; d++) image[to + d] += columns[tap + d];
            }
          }
        }
      }
    }
  }
}
