import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { prunableDense, prunableLSTM } from '../../src';
import { describeOnBackends } from '../support/backends';

/** Tensors left by building `make()`'s model, predicting with it and disposing it. */
function leftAfterDispose(make: () => tf.LayersModel, input: number[]): number {
  const before = tf.memory().numTensors;
  const model = make();
  tf.tidy(() => {
    model.predict(tf.ones(input));
  });
  model.dispose();
  return tf.memory().numTensors - before;
}

describeOnBackends('PrunableLayer inside a wrapper', () => {
  it("frees its inference product when a Bidirectional model is disposed, as the plain layer's model does", () => {
    const model = (layer: tf.layers.Layer) => () => tf.sequential({ layers: [tf.layers.bidirectional({ layer: layer as never, inputShape: [5, 3] })] });
    const plain = leftAfterDispose(model(tf.layers.lstm({ units: 4 })), [2, 5, 3]);
    expect(leftAfterDispose(model(prunableLSTM({ units: 4 })), [2, 5, 3])).to.equal(plain);
  });

  it("frees its inference product when a TimeDistributed model is disposed, as the plain layer's model does", () => {
    const model = (layer: tf.layers.Layer) => () => tf.sequential({ layers: [tf.layers.timeDistributed({ layer, inputShape: [5, 3] })] });
    const plain = leftAfterDispose(model(tf.layers.dense({ units: 4 })), [2, 5, 3]);
    expect(leftAfterDispose(model(prunableDense({ units: 4 })), [2, 5, 3])).to.equal(plain);
  });

  it("frees its inference product when a model holding it directly is disposed, as the plain layer's model does", () => {
    const model = (layer: tf.layers.Layer) => () => tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [3] }), layer] });
    const plain = leftAfterDispose(model(tf.layers.dense({ units: 4 })), [2, 3]);
    expect(leftAfterDispose(model(prunableDense({ units: 4 })), [2, 3])).to.equal(plain);
  });
});
