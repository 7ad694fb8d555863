import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { maskedKernel } from '../../src/transforms/effective_weights';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';

describeOnBackends('maskedKernel', () => {
  it('is kernel ⊙ mask with every pruned entry +0, never -0', async () => {
    const kernel = tf.tensor2d([[-2, 3], [-0.5, -1]]);
    const mask = tf.tensor2d([[0, 1], [0, 1]]);
    await expectNoTensorLeak(() => {
      const masked = maskedKernel(kernel, mask);
      const values = Array.from(masked.dataSync());
      masked.dispose();
      expect(values).to.deep.equal([0, 3, 0, -1]);
      expect(values.map((v) => Object.is(v, -0))).to.deep.equal([false, false, false, false]);
    });
    tf.dispose([kernel, mask]);
  });
});
