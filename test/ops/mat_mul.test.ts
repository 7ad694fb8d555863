import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { eagerMaskedMatMul, maskedDenseDot, maskedMatMul } from '../../src/ops/mat_mul';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomMask, randomWeights } from '../support/random';

type MatMul = (x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D) => tf.Tensor2D;

const IMPLEMENTATIONS: Array<[string, MatMul]> = [
  ['maskedMatMul', maskedMatMul],
  ['eagerMaskedMatMul', eagerMaskedMatMul],
];

/** The plain TF.js expression the op replaces. */
const reference: MatMul = (x, kernel, mask) => tf.matMul(x, tf.mul(kernel, mask) as tf.Tensor2D);

function tensor2d(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.tensor2d(randomWeights(rows * cols, seed, 'normal'), [rows, cols]);
}

function mask2d(rows: number, cols: number, seed: number, zeroFraction: number): tf.Tensor2D {
  return tf.tensor2d(randomMask(rows * cols, seed, zeroFraction), [rows, cols]);
}

/** max |actual - expected| / max |expected|. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = Math.max(tf.max(tf.abs(expected)).dataSync()[0], Number.MIN_VALUE);
    return tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / scale;
  });
}

/** The value of sum(op(x, kernel, mask) · r) and its gradients with respect to x, kernel and mask. */
function valueAndGradients(op: MatMul, x: tf.Tensor2D, kernel: tf.Tensor2D, mask: tf.Tensor2D, r: tf.Tensor2D) {
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(op(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D), r));
  const { value, grads } = tf.valueAndGrads(f)([x, kernel, mask]);
  return { value, dx: grads[0], dkernel: grads[1], dmask: grads[2] };
}

/** Names of the kernels run by `work`, with their input shapes, e.g. `BatchMatMul [13,7] [7,5]`. */
async function kernelsRun(work: () => tf.Tensor | tf.Tensor[]): Promise<string[]> {
  const profile = await tf.profile(() => {
    tf.dispose(work());
  });
  return profile.kernels.map((k) => `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`);
}

describeOnBackends('maskedMatMul', (backend) => {
  const [batch, inputs, units] = [7, 13, 5];
  let x: tf.Tensor2D;
  let kernel: tf.Tensor2D;
  let r: tf.Tensor2D;
  before(() => {
    x = tensor2d(batch, inputs, 1);
    kernel = tensor2d(inputs, units, 2);
    r = tensor2d(batch, units, 3);
  });
  after(() => tf.dispose([x, kernel, r]));

  for (const [name, op] of IMPLEMENTATIONS) {
    describe(name, () => {
      it('with a mask of ones, has the value and gradients of tf.matMul (1e-5 relative)', () => {
        tf.tidy(() => {
          const ones = tf.onesLike(kernel);
          const ours = valueAndGradients(op, x, kernel, ones, r);
          const [dx, dkernel] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), r)))([x, kernel]);
          expect(relativeError(ours.value, tf.sum(tf.mul(tf.matMul(x, kernel), r)))).to.be.below(1e-5);
          expect(relativeError(ours.dx, dx)).to.be.below(1e-5);
          expect(relativeError(ours.dkernel, dkernel)).to.be.below(1e-5);
        });
      });

      it('with a 0/1 mask, matches x · (kernel ⊙ mask) and its gradients, including the mask\'s', () => {
        tf.tidy(() => {
          const mask = mask2d(inputs, units, 4, 0.5);
          const ours = valueAndGradients(op, x, kernel, mask, r);
          const expected = valueAndGradients(reference, x, kernel, mask, r);
          expect(relativeError(op(x, kernel, mask), reference(x, kernel, mask))).to.be.below(1e-5);
          expect(relativeError(ours.value, expected.value)).to.be.below(1e-5);
          expect(relativeError(ours.dx, expected.dx)).to.be.below(1e-5);
          expect(relativeError(ours.dkernel, expected.dkernel)).to.be.below(1e-5);
          expect(relativeError(ours.dmask, expected.dmask)).to.be.below(1e-5);
        });
      });

      it('matches x · (kernel ⊙ mask) and its gradients for a batch narrower than the inputs and the units', () => {
        // 3 rows by a 13 x 20 kernel: on wasm the forward product and dx are computed transposed.
        tf.tidy(() => {
          const [narrow, wide, mask, dy] = [tensor2d(3, inputs, 20), tensor2d(inputs, 20, 21), mask2d(inputs, 20, 22, 0.5),
            tensor2d(3, 20, 23)];
          const ours = valueAndGradients(op, narrow, wide, mask, dy);
          const expected = valueAndGradients(reference, narrow, wide, mask, dy);
          expect(relativeError(op(narrow, wide, mask), reference(narrow, wide, mask))).to.be.below(1e-5);
          expect(relativeError(ours.dx, expected.dx)).to.be.below(1e-5);
          expect(relativeError(ours.dkernel, expected.dkernel)).to.be.below(1e-5);
          expect(relativeError(ours.dmask, expected.dmask)).to.be.below(1e-5);
        });
      });

      it('gives pruned kernel entries exactly zero gradient, and the others non-zero', () => {
        tf.tidy(() => {
          const maskValues = randomMask(inputs * units, 5, 0.6);
          const { dkernel } = valueAndGradients(op, x, kernel, tf.tensor2d(maskValues, [inputs, units]), r);
          const grad = dkernel.dataSync();
          for (let i = 0; i < maskValues.length; i++) {
            if (maskValues[i] === 0) expect(Object.is(grad[i], 0) || Object.is(grad[i], -0), `entry ${i}`).to.equal(true);
            else expect(grad[i], `entry ${i}`).to.not.equal(0);
          }
        });
      });

      it('matches the gradients of a tf.layers.dense layer with the same kernel (1e-5 relative)', () => {
        tf.tidy(() => {
          const dense = tf.layers.dense({ units, useBias: false, inputShape: [inputs] });
          dense.build([null, inputs]);
          dense.setWeights([kernel]);
          const denseKernel = dense.getWeights()[0];
          const [dx, dkernel] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
            void b;
            return tf.sum(tf.mul(dense.apply(a) as tf.Tensor, r));
          })([x, denseKernel]);
          const ours = valueAndGradients(op, x, kernel, tf.onesLike(kernel), r);
          expect(relativeError(ours.dx, dx)).to.be.below(1e-5);
          expect(relativeError(ours.dkernel, dkernel)).to.be.below(1e-5);
          dense.weights.forEach((w) => w.dispose());
        });
      });

      it('leaks no tensor, with or without gradients', async () => {
        await expectNoTensorLeak(() => {
          tf.tidy(() => {
            const mask = mask2d(inputs, units, 6, 0.3);
            op(x, kernel, mask);
            valueAndGradients(op, x, kernel, mask, r);
            tf.grad((b: tf.Tensor) => tf.sum(op(x, b as tf.Tensor2D, mask)))(kernel);
          });
        });
      });
    });
  }

  it('computes only the gradients the tape needs (no dx for a first layer)', async () => {
    const mask = mask2d(inputs, units, 7, 0.5);
    const gradOfKernel = (op: MatMul) => () =>
      tf.grad((b: tf.Tensor) => tf.sum(tf.mul(op(x, b as tf.Tensor2D, mask), r)))(kernel);
    const matMuls = (kernels: string[]) => kernels.filter((k) => k.startsWith('BatchMatMul')).length;
    // Forward, then xᵀ · dy; customGrad also computes dy · (kernel ⊙ mask)ᵀ and dmask.
    expect(matMuls(await kernelsRun(gradOfKernel(maskedMatMul)))).to.equal(2);
    expect(matMuls(await kernelsRun(gradOfKernel(eagerMaskedMatMul)))).to.equal(4);
    mask.dispose();
  });

  it('keeps copies only of the operands that are not variables, and differentiates through both kinds', async () => {
    const mask = mask2d(inputs, units, 9, 0.5);
    const kernelVariable = tf.variable(kernel);
    const maskVariable = tf.variable(mask, false);
    const copiesOf = (kernels: string[]) => kernels.filter((k) => k === `Identity [${inputs},${units}]`).length;
    const forward = (k: tf.Tensor2D, m: tf.Tensor2D) => () => {
      const tape = tf.variableGrads(() => tf.sum(tf.mul(maskedMatMul(x, k, m), r)), [kernelVariable]);
      return [tape.value, ...Object.values(tape.grads)];
    };
    expect(copiesOf(await kernelsRun(forward(kernelVariable, maskVariable)))).to.equal(0);
    expect(copiesOf(await kernelsRun(forward(kernelVariable, mask)))).to.equal(1);
    tf.tidy(() => {
      const expected = valueAndGradients(reference, x, kernel, mask, r);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(maskedMatMul(x, kernelVariable, maskVariable), r)),
        [kernelVariable]);
      expect(relativeError(grads[kernelVariable.name], expected.dkernel)).to.be.below(1e-5);
      // A kernel computed inside the differentiated function is gone by the backward pass unless copied.
      const [dk] = tf.grads((k: tf.Tensor) =>
        tf.sum(tf.mul(maskedMatMul(x, tf.mul(k, 2) as tf.Tensor2D, mask), r)))([kernel]);
      expect(relativeError(dk, tf.mul(expected.dkernel, 2))).to.be.below(1e-5);
    });
    tf.dispose([mask, kernelVariable, maskVariable]);
  });

  it(`uses ${backend === 'wasm' ? 'explicit transposes' : 'transposed matMul flags'} in the backward pass`, async () => {
    const mask = mask2d(inputs, units, 8, 0.5);
    const kernels = await kernelsRun(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(maskedMatMul(a as tf.Tensor2D, b as tf.Tensor2D, mask), r)))([x, kernel]));
    const transposes = kernels.filter((k) => k.startsWith('Transpose'));
    // Explicit: dkernel = transpose(x) · dy; dx, with fewer batch rows than inputs, transposed:
    // transpose((kernel ⊙ mask) · transpose(dy)), which packs the smaller operand.
    if (backend === 'wasm') {
      expect(transposes).to.deep.equal([`Transpose [${batch},${units}]`, `Transpose [${inputs},${batch}]`,
        `Transpose [${batch},${inputs}]`]);
      expect(kernels).to.include(`BatchMatMul [${inputs},${units}] [${units},${batch}]`);
      expect(kernels).to.include(`BatchMatMul [${inputs},${batch}] [${batch},${units}]`);
    } else {
      expect(transposes).to.deep.equal([]);
      expect(kernels).to.include(`BatchMatMul [${batch},${units}] [${inputs},${units}]`);
      expect(kernels).to.include(`BatchMatMul [${batch},${inputs}] [${batch},${units}]`);
    }
    mask.dispose();
  });
});

describeOnBackends('maskedDenseDot', () => {
  it('applies x · (kernel ⊙ mask) over the last axis of a rank-3 input, with its gradients', () => {
    tf.tidy(() => {
      const x = tf.tensor3d(randomWeights(2 * 3 * 4, 9, 'normal'), [2, 3, 4]);
      const kernel = tensor2d(4, 5, 10);
      const mask = mask2d(4, 5, 11, 0.5);
      const r = tf.tensor3d(randomWeights(2 * 3 * 5, 12, 'normal'), [2, 3, 5]);
      const expectedOp = (a: tf.Tensor, b: tf.Tensor) =>
        tf.reshape(reference(tf.reshape(a, [6, 4]) as tf.Tensor2D, b as tf.Tensor2D, mask), [2, 3, 5]);
      const ourOp = (a: tf.Tensor, b: tf.Tensor) => maskedDenseDot(a, b as tf.Tensor2D, mask);
      const y = ourOp(x, kernel);
      expect(y.shape).to.deep.equal([2, 3, 5]);
      expect(relativeError(y, expectedOp(x, kernel))).to.be.below(1e-5);
      const grads = (op: typeof ourOp) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), r)))([x, kernel]);
      const [dx, dkernel] = grads(ourOp);
      const [expectedDx, expectedDkernel] = grads(expectedOp);
      expect(relativeError(dx, expectedDx)).to.be.below(1e-5);
      expect(relativeError(dkernel, expectedDkernel)).to.be.below(1e-5);
      expect(maskedDenseDot(x.reshape([6, 4]), kernel, mask).shape).to.deep.equal([6, 5]);
    });
  });
});
