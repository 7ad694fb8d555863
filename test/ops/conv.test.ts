import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { AxisGeometry, axisGeometry } from '../../src/ops/conv_geometry';
import {
  conv2dOp, conv2dTransposeOp, ConvOptions, correlatedInputGradient, depthwiseConv2dOp, FusedActivation, scatteredInputGradient,
} from '../../src/ops/conv';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomWeights } from '../support/random';

type Pair = [number, number];

/** A convolution's geometry: input [2, h, w, c], kernel kh x kw, `filters` outputs. */
interface Case {
  h: number; w: number; c: number; filters: number; kh: number; kw: number;
  stride: number; dilation: number; padding: 'same' | 'valid';
}

const CASES: Case[] = [
  { h: 7, w: 9, c: 3, filters: 4, kh: 3, kw: 3, stride: 1, dilation: 1, padding: 'valid' },
  { h: 7, w: 9, c: 3, filters: 4, kh: 3, kw: 2, stride: 2, dilation: 1, padding: 'same' },
  { h: 8, w: 8, c: 2, filters: 3, kh: 3, kw: 3, stride: 2, dilation: 1, padding: 'valid' },
  { h: 9, w: 7, c: 2, filters: 3, kh: 3, kw: 3, stride: 1, dilation: 2, padding: 'same' },
  { h: 10, w: 10, c: 2, filters: 2, kh: 3, kw: 3, stride: 1, dilation: 3, padding: 'valid' },
  { h: 6, w: 6, c: 1, filters: 2, kh: 5, kw: 5, stride: 1, dilation: 1, padding: 'same' },
  // A kernel shorter than its stride: the last window ends before the input does.
  { h: 11, w: 5, c: 2, filters: 3, kh: 4, kw: 2, stride: 3, dilation: 1, padding: 'same' },
  { h: 11, w: 5, c: 2, filters: 3, kh: 4, kw: 2, stride: 3, dilation: 1, padding: 'valid' },
  { h: 6, w: 6, c: 2, filters: 2, kh: 1, kw: 1, stride: 2, dilation: 1, padding: 'same' },
  // Enough filters, and mostly zeros in the correlation: the input gradient is scattered (on wasm and cpu).
  { h: 6, w: 7, c: 3, filters: 16, kh: 3, kw: 3, stride: 1, dilation: 1, padding: 'valid' },
  { h: 7, w: 9, c: 2, filters: 16, kh: 3, kw: 2, stride: 2, dilation: 1, padding: 'same' },
  { h: 9, w: 9, c: 2, filters: 16, kh: 3, kw: 3, stride: 1, dilation: 2, padding: 'valid' },
];

function describeCase(k: Case): string {
  return `[2,${k.h},${k.w},${k.c}] * ${k.kh}x${k.kw}, stride ${k.stride}, dilation ${k.dilation}, ${k.padding}`;
}

function tensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomWeights(tf.util.sizeFromShape(shape), seed, 'normal'), shape);
}

function options(k: Case): ConvOptions {
  return { strides: [k.stride, k.stride], padding: k.padding, dilations: [k.dilation, k.dilation] };
}

/**
 * `kernel` with `dilation - 1` zeros between its taps: a convolution with
 * it at dilation 1 is the convolution with `kernel` at `dilation`, and TF.js
 * differentiates it (its own gradients refuse dilations above 1).
 */
function dilatedKernel(kernel: tf.Tensor4D, dilation: number): tf.Tensor4D {
  if (dilation === 1) return kernel;
  const [kh, kw, i, o] = kernel.shape;
  const spread = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, i, o]), [[0, 0], [0, dilation - 1], [0, 0], [0, dilation - 1], [0, 0], [0, 0]]);
  const full = tf.reshape(spread, [kh * dilation, kw * dilation, i, o]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dilation + 1, (kw - 1) * dilation + 1, i, o]) as tf.Tensor4D;
}

/** sum(y · weights) for fixed pseudo-random weights: a scalar whose gradient is those weights. */
function loss(y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
}

function applyActivation(y: tf.Tensor, activation: FusedActivation): tf.Tensor {
  return activation === 'relu' ? tf.relu(y) : activation === 'elu' ? tf.elu(y) : y;
}

/** The value and gradients of `f` with respect to `inputs`, computed on the cpu backend with TF.js's own ops. */
async function onCpu(f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[]): Promise<{ value: number; grads: Float32Array[] }> {
  const backend = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => f(...xs))(inputs);
      return { value: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array) };
    });
  } finally {
    await tf.setBackend(backend);
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).to.equal(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst, what).to.be.below(1e-4);
}

/** Checks `ours` against `reference` (run on cpu): value and every input's gradient. */
async function expectSameAsReference(ours: (...xs: tf.Tensor[]) => tf.Scalar, reference: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[], what: string): Promise<void> {
  const expected = await onCpu(reference, inputs);
  tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => ours(...xs))(inputs);
    expectClose([value.dataSync()[0]], [expected.value], `${what}: value`);
    grads.forEach((g, i) => expectClose(g.dataSync(), expected.grads[i], `${what}: gradient of input ${i}`));
  });
}

describeOnBackends('conv2dOp', () => {
  for (const k of CASES) {
    for (const activation of ['linear', 'relu', 'elu'] as const) {
      it(`equals TF.js's conv2d + bias + ${activation}, value and gradients: ${describeCase(k)}`, async () => {
        const x = tensor([2, k.h, k.w, k.c], 1);
        const kernel = tensor([k.kh, k.kw, k.c, k.filters], 2);
        const bias = tensor([k.filters], 3);
        // The reference convolves with the explicitly dilated kernel, whose gradient TF.js computes.
        const reference = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          const dilated = dilatedKernel(b as tf.Tensor4D, k.dilation);
          return loss(applyActivation(tf.add(tf.conv2d(a as tf.Tensor4D, dilated, k.stride, k.padding), c), activation));
        };
        const ours = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          loss(conv2dOp(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor1D, options(k), activation));
        await expectSameAsReference(ours, reference, [x, kernel, bias], describeCase(k));
        tf.dispose([x, kernel, bias]);
      });
    }
  }

  it('differentiates a dilated convolution, which TF.js refuses', () => {
    const x = tensor([2, 9, 7, 2], 4) as tf.Tensor4D;
    const kernel = tensor([3, 3, 2, 3], 5) as tf.Tensor4D;
    expect(() => tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x, b as tf.Tensor4D, 1, 'same', 'NHWC', 2)))(kernel))
      .to.throw(/dilation rates greater than 1 are not yet supported in gradients/);
    // The value and gradients of our op at dilation 2 are checked against the dilated kernel above.
    const g = tf.grad((b: tf.Tensor) => loss(conv2dOp(x, b as tf.Tensor4D, null, { strides: [1, 1], padding: 'same', dilations: [2, 2] })))(kernel);
    expect(g.shape).to.deep.equal(kernel.shape);
    tf.dispose([x, kernel, g]);
  });

  it("computes 'same' padding right where the wasm backend's own convolution does not", async () => {
    // A 1x1 kernel at stride 2 on an even size: the last row and column are read by no window.
    const x = tensor([1, 6, 6, 2], 6) as tf.Tensor4D;
    const kernel = tensor([1, 1, 2, 3], 7) as tf.Tensor4D;
    const expected = await onCpu((a, b) => loss(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')), [x, kernel]);
    const value = tf.tidy(() => loss(conv2dOp(x, kernel, null, { strides: [2, 2], padding: 'same', dilations: [1, 1] })).dataSync()[0]);
    expectClose([value], [expected.value], 'value');
    tf.dispose([x, kernel]);
  });

  it('computes only the gradients the tape needs, and leaks no tensor', async () => {
    const x = tensor([2, 8, 8, 3], 8) as tf.Tensor4D;
    const kernel = tensor([3, 3, 3, 4], 9) as tf.Tensor4D;
    const convolutions = async (work: () => tf.Tensor | tf.Tensor[]) => {
      const profile = await tf.profile(() => tf.dispose(work()));
      return profile.kernels.filter((kernelRun) => kernelRun.name === 'Conv2D').length;
    };
    const o: ConvOptions = { strides: [1, 1], padding: 'same', dilations: [1, 1] };
    // The kernel's gradient alone is one convolution; with the input's, two.
    expect(await convolutions(() => tf.grad((b: tf.Tensor) => loss(conv2dOp(x, b as tf.Tensor4D, null, o)))(kernel))).to.equal(1);
    expect(await convolutions(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      loss(conv2dOp(a as tf.Tensor4D, b as tf.Tensor4D, null, o)))([x, kernel]))).to.equal(2);
    await expectNoTensorLeak(() => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      loss(conv2dOp(a as tf.Tensor4D, b as tf.Tensor4D, null, o, 'relu')))([x, kernel])));
    tf.dispose([x, kernel]);
  });
});

describeOnBackends('the input gradient of a convolution, correlated and scattered', (backend) => {
  for (const k of CASES) {
    it(`both forms equal TF.js's input gradient: ${describeCase(k)}`, async () => {
      const x = tensor([2, k.h, k.w, k.c], 16);
      const kernel = tensor([k.kh, k.kw, k.c, k.filters], 17);
      const expected = await onCpu((a) => loss(tf.conv2d(a as tf.Tensor4D, dilatedKernel(kernel as tf.Tensor4D, k.dilation), k.stride, k.padding)), [x]);
      const g = [k.h, k.w].map((n, i) => axisGeometry(n, [k.kh, k.kw][i], k.stride, k.dilation, k.padding)) as [AxisGeometry, AxisGeometry];
      tf.tidy(() => {
        // dy of `loss`: its weights.
        const dy = tf.sin(tf.reshape(tf.range(0, 2 * g[0].output * g[1].output * k.filters), [2, g[0].output, g[1].output, k.filters])) as tf.Tensor4D;
        for (const form of [correlatedInputGradient, scatteredInputGradient]) {
          expectClose(form(dy, kernel as tf.Tensor4D, g).dataSync(), expected.grads[0], `${form.name}, ${describeCase(k)}`);
        }
      });
      tf.dispose([x, kernel]);
    });
  }

  it(`scatters the gradient (one matMul, no convolution) where the correlation would mostly multiply zeros, on ${backend}`, async () => {
    const x = tensor([2, 12, 12, 4], 18) as tf.Tensor4D;
    const kernel = tensor([5, 5, 4, 16], 19) as tf.Tensor4D;
    const o: ConvOptions = { strides: [1, 1], padding: 'valid', dilations: [1, 1] };
    const profile = await tf.profile(() => tf.dispose(tf.grad((a: tf.Tensor) => loss(conv2dOp(a as tf.Tensor4D, kernel, null, o)))(x)));
    const runs = (name: string) => profile.kernels.filter((run) => run.name === name).length;
    expect([runs('Conv2D'), runs('BatchMatMul')]).to.deep.equal([0, 1]);
    await expectNoTensorLeak(() => tf.dispose(tf.grad((a: tf.Tensor) => loss(conv2dOp(a as tf.Tensor4D, kernel, null, o)))(x)));
    tf.dispose([x, kernel]);
  });
});

describeOnBackends('depthwiseConv2dOp', () => {
  for (const k of CASES.filter((c) => c.dilation === 1 || c.stride === 1)) {
    for (const multiplier of [1, 2]) {
      it(`equals TF.js's depthwiseConv2d, value and gradients, multiplier ${multiplier}: ${describeCase(k)}`, async () => {
        const x = tensor([2, k.h, k.w, k.c], 10);
        const kernel = tensor([k.kh, k.kw, k.c, multiplier], 11);
        const reference = (a: tf.Tensor, b: tf.Tensor) =>
          loss(tf.depthwiseConv2d(a as tf.Tensor4D, dilatedKernel(b as tf.Tensor4D, k.dilation), k.stride, k.padding));
        await expectSameAsReference((a, b) => loss(depthwiseConv2dOp(a as tf.Tensor4D, b as tf.Tensor4D, options(k))),
          reference, [x, kernel], describeCase(k));
        tf.dispose([x, kernel]);
      });
    }
  }

  it('leaks no tensor', async () => {
    const x = tensor([2, 6, 6, 3], 12) as tf.Tensor4D;
    const kernel = tensor([3, 3, 3, 2], 13) as tf.Tensor4D;
    await expectNoTensorLeak(() => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      loss(depthwiseConv2dOp(a as tf.Tensor4D, b as tf.Tensor4D, { strides: [2, 2], padding: 'same', dilations: [1, 1] })))([x, kernel])));
    tf.dispose([x, kernel]);
  });
});

describeOnBackends('conv2dTransposeOp', () => {
  for (const k of CASES.filter((c) => c.dilation === 1)) {
    it(`equals TF.js's conv2dTranspose, value and gradients: ${describeCase(k)}`, async () => {
      const size = (n: number, kernel: number) => (k.padding === 'same' ? n * k.stride : n * k.stride + Math.max(kernel - k.stride, 0));
      const out: Pair = [size(k.h, k.kh), size(k.w, k.kw)];
      const x = tensor([2, k.h, k.w, k.c], 14);
      const kernel = tensor([k.kh, k.kw, k.filters, k.c], 15);
      const reference = (a: tf.Tensor, b: tf.Tensor) =>
        loss(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, out[0], out[1], k.filters], k.stride, k.padding));
      await expectSameAsReference((a, b) => loss(conv2dTransposeOp(a as tf.Tensor4D, b as tf.Tensor4D, out, options(k))),
        reference, [x, kernel], describeCase(k));
      tf.dispose([x, kernel]);
    });
  }
});
