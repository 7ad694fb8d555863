import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { maxPoolBackprop } from '../../src/ops/max_pool_backprop';
import { describeOnBackend } from '../support/backends';
import { randomWeights } from '../support/random';

type Shape = [number, number, number, number];
type Pool = { filter: [number, number]; strides: [number, number]; pad: 'valid' | 'same' };

/** maxPoolBackprop's gradient of maxPool over `x`. */
function backprop(x: Float32Array, shape: Shape, dy: Float32Array, { filter, strides, pad }: Pool): number[] {
  const dx = new Float32Array(x.length).fill(Number.NaN);
  maxPoolBackprop(x, dy, dx, tf.backend_util.computePool2DInfo(shape, filter, strides, 1, pad));
  return Array.from(dx);
}

/** The cpu backend's gradient (TF.js's reference) of `sum(maxPool(x) ⊙ dy)`. */
function cpuGradient(x: Float32Array, shape: Shape, dy: tf.Tensor, { filter, strides, pad }: Pool): number[] {
  return tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) =>
    tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, filter, strides, pad), dy)))(tf.tensor4d(x, shape)).dataSync()));
}

describeOnBackend('maxPoolBackprop', 'cpu', () => {
  const pools: Array<[Shape, Pool]> = [
    [[2, 6, 6, 3], { filter: [2, 2], strides: [2, 2], pad: 'valid' }],
    [[1, 7, 5, 2], { filter: [3, 3], strides: [2, 2], pad: 'same' }], // overlapping windows, padding
    [[2, 5, 8, 4], { filter: [2, 3], strides: [1, 2], pad: 'same' }],
    [[1, 9, 9, 1], { filter: [2, 2], strides: [3, 3], pad: 'valid' }], // unread positions
    [[3, 4, 4, 5], { filter: [4, 4], strides: [1, 1], pad: 'valid' }],
  ];
  for (const [shape, pool] of pools) {
    for (const kind of ['normal', 'coarse'] as const) {
      it(`equals cpu's gradient: ${JSON.stringify(shape)} by ${JSON.stringify(pool)}, ${kind} values (coarse: ties, all-negative windows)`, () => {
        const x = randomWeights(tf.util.sizeFromShape(shape), 3, kind).map((v) => v - 0.5);
        const out = tf.backend_util.computePool2DInfo(shape, pool.filter, pool.strides, 1, pool.pad).outShape;
        const dyValues = randomWeights(tf.util.sizeFromShape(out), 4, 'normal');
        const dy = tf.tensor(dyValues, out);
        const [mine, cpu] = [backprop(x, shape, dyValues, pool), cpuGradient(x, shape, dy, pool)];
        // The same entries get gradient; overlapping windows' sums may round differently (cpu adds in doubles).
        expect(mine.map((v) => v !== 0)).to.deep.equal(cpu.map((v) => v !== 0));
        mine.forEach((v, i) => expect(v).to.be.closeTo(cpu[i], 1e-6, `dx[${i}]`));
        dy.dispose();
      });
    }
  }

  it('sends a window\'s gradient to its first maximum, for all-negative windows too', () => {
    // One row of two 2x2 windows: [-3, -1 | -1, -5] over [-1, -2 | -4, -1].
    const x = Float32Array.from([-3, -1, -1, -5, -1, -2, -4, -1]);
    const dx = backprop(x, [1, 2, 4, 1], Float32Array.from([10, 20]), { filter: [2, 2], strides: [2, 2], pad: 'valid' });
    expect(dx).to.deep.equal([0, 10, 20, 0, 0, 0, 0, 0]);
  });

  it('passes no gradient from a window without a value above -Infinity', () => {
    const x = Float32Array.from([Number.NaN, -Infinity, 2, 1]);
    const dx = backprop(x, [1, 1, 4, 1], Float32Array.from([7, 8]), { filter: [1, 2], strides: [1, 2], pad: 'valid' });
    expect(dx).to.deep.equal([0, 0, 8, 0]);
  });
});
