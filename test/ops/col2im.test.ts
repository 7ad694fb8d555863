import { expect } from 'chai';
import { addColumnsToImage } from '../../src/ops/col2im';
import { AxisGeometry, axisGeometry } from '../../src/ops/conv_geometry';
import { randomWeights } from '../support/random';

/** The input position an output position's tap reads along one axis, or -1 in the padding. */
function read(g: AxisGeometry, output: number, tap: number): number {
  const at = output * g.stride - g.padBefore + tap * g.dilation;
  return at >= 0 && at < g.input ? at : -1;
}

/** col2im by its definition: every (output position, tap, channel) value added where that tap read. */
function naive(columns: Float32Array, batch: number, channels: number, [rows, cols]: [AxisGeometry, AxisGeometry]): number[] {
  const image = new Float64Array(batch * rows.input * cols.input * channels);
  let from = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows.output; r++) {
      for (let c = 0; c < cols.output; c++) {
        for (let i = 0; i < rows.kernel; i++) {
          for (let j = 0; j < cols.kernel; j++) {
            for (let d = 0; d < channels; d++, from++) {
              const [y, x] = [read(rows, r, i), read(cols, c, j)];
              if (y >= 0 && x >= 0) image[((b * rows.input + y) * cols.input + x) * channels + d] += columns[from];
            }
          }
        }
      }
    }
  }
  return Array.from(image);
}

describe('addColumnsToImage', () => {
  const geometries: Array<[string, [AxisGeometry, AxisGeometry]]> = [
    ["5x5 'valid' on 12x12", [axisGeometry(12, 5, 1, 1, 'valid'), axisGeometry(12, 5, 1, 1, 'valid')]],
    ["3x2 'same', stride 2, on 7x9", [axisGeometry(7, 3, 2, 1, 'same'), axisGeometry(9, 2, 2, 1, 'same')]],
    ["3x3 'same', dilation 2, on 9x7", [axisGeometry(9, 3, 1, 2, 'same'), axisGeometry(7, 3, 1, 2, 'same')]],
    ["4x2 'valid', stride 3, on 11x5 (unread positions)", [axisGeometry(11, 4, 3, 1, 'valid'), axisGeometry(5, 2, 3, 1, 'valid')]],
    ["1x1, stride 2, 'same', on 6x6", [axisGeometry(6, 1, 2, 1, 'same'), axisGeometry(6, 1, 2, 1, 'same')]],
  ];
  for (const [name, g] of geometries) {
    it(`adds each tap where it read: ${name}`, () => {
      const [batch, channels] = [2, 3];
      const columns = randomWeights(batch * g[0].output * g[1].output * g[0].kernel * g[1].kernel * channels, 7, 'normal');
      const image = new Float32Array(batch * g[0].input * g[1].input * channels).fill(Number.NaN);
      addColumnsToImage(columns, image, channels, g);
      const expected = naive(columns, batch, channels, g);
      image.forEach((v, i) => expect(v).to.be.closeTo(expected[i], 1e-5, `image[${i}]`));
    });
  }
});
