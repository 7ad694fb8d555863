import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { registerWasmMaxPoolGrad } from '../../src/kernels/wasm_max_pool_grad';
import { describeOnBackend } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomWeights } from '../support/random';

/** The gradient of `sum(maxPool(x) ⊙ dy)` on `backend`, for the values of `x` and `dy`. */
async function poolGradient(backend: string, x: tf.Tensor4D, dy: Float32Array, pad: 'valid' | 'same'): Promise<number[]> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  const values = tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => {
    const y = tf.maxPool(t as tf.Tensor4D, 3, 2, pad);
    return tf.sum(tf.mul(y, tf.tensor(dy.subarray(0, y.size), y.shape)));
  })(tf.tensor(x.dataSync(), x.shape)).dataSync()));
  await tf.setBackend(previous);
  return values;
}

describeOnBackend('registerWasmMaxPoolGrad', 'wasm', () => {
  // Coarse values shifted down: ties, and windows with no positive value.
  const dy = randomWeights(2 * 4 * 4 * 3, 6, 'normal');
  let x: tf.Tensor4D;
  before(() => {
    x = tf.tensor4d(randomWeights(2 * 7 * 7 * 3, 5, 'coarse').map((v) => v - 0.5), [2, 7, 7, 3]);
  });
  after(() => x.dispose());

  it('makes wasm\'s max-pooling gradient cpu\'s, on negative windows and ties too, and leaks nothing', async () => {
    const restore = registerWasmMaxPoolGrad();
    try {
      for (const pad of ['same', 'valid'] as const) {
        const [wasm, cpu] = [await poolGradient('wasm', x, dy, pad), await poolGradient('cpu', x, dy, pad)];
        expect(wasm.map((v) => v !== 0), pad).to.deep.equal(cpu.map((v) => v !== 0));
        wasm.forEach((v, i) => expect(v).to.be.closeTo(cpu[i], 1e-6, `${pad} dx[${i}]`));
      }
      await expectNoTensorLeak(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x)));
    } finally {
      restore();
    }
  });

  it('trains a model of BatchNormalization then max pooling on wasm as on cpu', async () => {
    const restore = registerWasmMaxPoolGrad();
    const weightsAfterStep = async (backend: string): Promise<number[]> => {
      await tf.setBackend(backend);
      const model = tf.sequential({
        layers: [
          tf.layers.batchNormalization({ inputShape: [7, 7, 3] }), tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(), tf.layers.dense({ units: 2, kernelInitializer: 'ones' }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      const xs = tf.tensor(x.dataSync(), x.shape);
      const ys = tf.tensor2d([[1, -1], [-1, 1]]);
      await model.fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0 });
      const values = Array.from(model.layers[0].getWeights()[0].dataSync()); // BN gamma: its gradient crossed the pool
      tf.dispose([xs, ys]);
      model.dispose();
      return values;
    };
    try {
      const cpu = await weightsAfterStep('cpu');
      const wasm = await weightsAfterStep('wasm');
      wasm.forEach((v, i) => expect(v).to.be.closeTo(cpu[i], 1e-5 * Math.abs(cpu[i]), `gamma[${i}]`));
      expect(cpu.some((v) => v !== 1), 'the step moved gamma').to.equal(true);
    } finally {
      await tf.setBackend('wasm');
      restore();
    }
  });

  it('returns a function that registers TF.js\'s kernel again, once', () => {
    const stock = tf.getKernel('MaxPoolGrad', 'wasm');
    const restore = registerWasmMaxPoolGrad();
    expect(tf.getKernel('MaxPoolGrad', 'wasm').kernelFunc).to.not.equal(stock.kernelFunc);
    restore();
    expect(tf.getKernel('MaxPoolGrad', 'wasm').kernelFunc).to.equal(stock.kernelFunc);
    restore();
    expect(tf.getKernel('MaxPoolGrad', 'wasm').kernelFunc).to.equal(stock.kernelFunc);
  });

  it('refuses, changing nothing, where no wasm MaxPoolGrad is registered', () => {
    const stock = tf.getKernel('MaxPoolGrad', 'wasm');
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    try {
      expect(() => registerWasmMaxPoolGrad()).to.throw(
        "registerWasmMaxPoolGrad: no 'MaxPoolGrad' kernel is registered for the 'wasm' backend; import '@tensorflow/tfjs-backend-wasm' first");
      expect(tf.getKernel('MaxPoolGrad', 'wasm')).to.equal(undefined);
    } finally {
      tf.registerKernel(stock);
    }
  });
});
