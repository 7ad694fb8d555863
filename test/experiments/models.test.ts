import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PrunableDense } from '../../src';
import { lenet300100, referenceMlp } from '../../experiments/models';

function kernels(model: tf.LayersModel): Float32Array[] {
  return model.layers.filter((l): l is PrunableDense => l instanceof PrunableDense)
    .map((l) => l.weightVariables.kernel.read().dataSync() as Float32Array);
}

describe('experiment models', () => {
  it('reference MLP: 784-1000-1000-500-200-10 PrunableDense, ReLU, no biases; hidden layers prunable', () => {
    const { model, prunable } = referenceMlp(1);
    const dense = model.layers as PrunableDense[];
    expect(dense.every((l) => l instanceof PrunableDense && !l.useBias)).to.equal(true);
    expect(dense.map((l) => l.units)).to.deep.equal([1000, 1000, 500, 200, 10]);
    expect(dense.map((l) => l.activation)).to.deep.equal(['relu', 'relu', 'relu', 'relu', 'softmax']);
    expect(prunable).to.deep.equal(['hidden1', 'hidden2', 'hidden3', 'hidden4']);
    // A kernel and a mask per layer, no bias.
    expect(model.countParams()).to.equal(2 * (784 * 1000 + 1000 * 1000 + 1000 * 500 + 500 * 200 + 200 * 10));
    model.dispose();
  });

  it('LeNet-300-100: same seed, same initial kernels, with or without dropout', () => {
    const plain = lenet300100(7);
    const again = lenet300100(7);
    const dropout = lenet300100(7, 0.5);
    const other = lenet300100(8);
    expect(plain.model.layers.map((l) => l.getClassName())).to.deep.equal(['PrunableDense', 'PrunableDense', 'PrunableDense']);
    expect(dropout.model.layers.map((l) => l.getClassName())).to.deep.equal(
      ['PrunableDense', 'SeededDropout', 'PrunableDense', 'SeededDropout', 'PrunableDense']);
    expect(plain.prunable).to.deep.equal(['hidden1', 'hidden2']);
    const k = kernels(plain.model);
    expect(k.map((w) => w.length)).to.deep.equal([784 * 300, 300 * 100, 100 * 10]);
    expect(kernels(again.model)).to.deep.equal(k);
    expect(kernels(dropout.model)).to.deep.equal(k);
    expect(kernels(other.model)[0]).to.not.deep.equal(k[0]);
    // Glorot-uniform: |w| <= sqrt(6 / (fanIn + fanOut)).
    expect(Math.max(...k[1].map(Math.abs))).to.be.at.most(Math.sqrt(6 / 400));
    for (const m of [plain, again, dropout, other]) m.model.dispose();
  });
});
