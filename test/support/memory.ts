import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';

/** Runs `work` and asserts that it leaves no new tensor behind. */
export async function expectNoTensorLeak(work: () => unknown | Promise<unknown>): Promise<void> {
  const before = tf.memory().numTensors;
  await work();
  expect(tf.memory().numTensors, 'tensors leaked').to.equal(before);
}

/**
 * Asserts that `model` predicts and trains on `x`, `y` without leaving a
 * tensor behind. It predicts once first: a prunable layer keeps each masked
 * kernel of its last inference (freed when the weights change), which a
 * count around the first prediction would take for a leak. Train the model
 * once before, so that its optimizer has created its variables.
 */
export async function expectPredictAndFitLeakNothing(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor,
  fitArgs: tf.ModelFitArgs = {}): Promise<void> {
  tf.tidy(() => {
    model.predict(x);
  });
  await expectNoTensorLeak(async () => {
    tf.tidy(() => {
      model.predict(x);
    });
    await model.fit(x, y, { epochs: 1, verbose: 0, ...fitArgs });
  });
}
