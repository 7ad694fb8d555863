import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';

/** Runs `work` and asserts that it leaves no new tensor behind. */
export async function expectNoTensorLeak(work: () => unknown | Promise<unknown>): Promise<void> {
  const before = tf.memory().numTensors;
  await work();
  expect(tf.memory().numTensors, 'tensors leaked').to.equal(before);
}
