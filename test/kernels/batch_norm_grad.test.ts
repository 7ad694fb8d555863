import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { registerBatchNormGrad } from '../../src/kernels/batch_norm_grad';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomWeights } from '../support/random';

/** Gradients of `sum(batchNorm(x, mean, variance, offset, scale) ⊙ dy)` with respect to all five inputs. */
function batchNormGradients(shape: number[], seed: number): number[][] {
  const channels = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor(randomWeights(size, seed, 'normal'), shape);
    const dy = tf.tensor(randomWeights(size, seed + 1, 'normal'), shape);
    const [mean, offset, scale] = [2, 3, 4].map((k) => tf.tensor1d(randomWeights(channels, seed + k, 'normal')));
    const variance = tf.tensor1d(randomWeights(channels, seed + 5, 'normal').map((v) => Math.abs(v) + 0.1));
    const grads = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), dy)))([x, mean, variance, offset, scale]);
    return grads.map((g) => Array.from(g.dataSync()));
  });
}

describeOnBackends('registerBatchNormGrad', () => {
  for (const shape of [[2, 5, 4, 3], [6, 7]]) {
    it(`gives TF.js's gradients of every input of a ${shape.length}-D batch normalization`, () => {
      const stock = batchNormGradients(shape, 11);
      const restore = registerBatchNormGrad();
      let replaced: number[][];
      try {
        replaced = batchNormGradients(shape, 11);
      } finally {
        restore();
      }
      expect(replaced.map((g) => g.length)).to.deep.equal(stock.map((g) => g.length));
      replaced.forEach((g, input) => g.forEach((v, i) => expect(v).to.be.closeTo(stock[input][i], 1e-5, `input ${input}, entry ${i}`)));
    });
  }

  it('trains a BatchNormalization layer without leaking, and its restore brings TF.js\'s gradient back', async () => {
    const stock = tf.getGradient('FusedBatchNorm');
    const restore = registerBatchNormGrad();
    try {
      expect(tf.getGradient('FusedBatchNorm')).to.not.equal(stock);
      const model = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [4, 4, 2] }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const [x, y] = [tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 1), tf.zeros([3, 2])];
      await model.trainOnBatch(x, y);
      await expectNoTensorLeak(async () => {
        await model.trainOnBatch(x, y);
      });
      model.dispose();
      tf.dispose([x, y]);
    } finally {
      restore();
      restore();
    }
    expect(tf.getGradient('FusedBatchNorm')).to.equal(stock);
  });
});
