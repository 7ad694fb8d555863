import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { SparseDense, SparseDenseLayerArgs } from '../../src/layers/sparse_dense';

describe('SparseDense: arguments', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['args that are no object', null as never,
      'SparseDense: args must be an object {sourceClassName, units or filters, activation?, useBias?, ...}; received null.'],
    ['an unknown source class', { name: 'h1', sourceClassName: 'Conv3D', units: 4 },
      "SparseDense 'h1': sourceClassName must be one of 'Dense', 'Conv1D', 'Conv2D', 'SeparableConv2D'; received string \"Conv3D\"."],
    ['no source class', { units: 4 },
      "SparseDense: sourceClassName must be one of 'Dense', 'Conv1D', 'Conv2D', 'SeparableConv2D'; received undefined."],
    ['no units', { name: 'h1', sourceClassName: 'Dense' }, "SparseDense 'h1': units (or filters) must be a positive integer; received undefined."],
    ['units that are no integer', { sourceClassName: 'Dense', units: 2.5 }, 'SparseDense: units (or filters) must be a positive integer; received 2.5.'],
    ['units and filters', { sourceClassName: 'Dense', units: 2, filters: 2 },
      'SparseDense: units and filters (only one of them) must be a positive integer; received 2.'],
    ['an unknown activation', { sourceClassName: 'Dense', units: 2, activation: 'swish2' },
      "SparseDense: activation must be the name of a TF.js activation ('linear', 'relu', 'relu6', 'tanh', ...); received string \"swish2\"."],
    ['an activation that is no name', { sourceClassName: 'Dense', units: 2, activation: 3 },
      "SparseDense: activation must be the name of a TF.js activation ('linear', 'relu', 'relu6', 'tanh', ...); received 3."],
    ['useBias as a string', { sourceClassName: 'Conv2D', filters: 2, useBias: 'yes' }, 'SparseDense: useBias must be true or false; received string "yes".'],
    ['a separable layer without kernel size', { sourceClassName: 'SeparableConv2D', filters: 2 },
      'SparseDense: kernelSize must be a positive integer or a list of one or two; received undefined.'],
    ['a separable layer with bad strides', { sourceClassName: 'SeparableConv2D', filters: 2, kernelSize: 3, strides: [0, 1] },
      'SparseDense: strides must be a positive integer or a list of one or two; received an array.'],
    ['a separable layer with bad padding', { sourceClassName: 'SeparableConv2D', filters: 2, kernelSize: 3, padding: 'causal' },
      "SparseDense: padding must be 'valid' or 'same'; received string \"causal\"."],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}, naming the argument and the allowed values, creating nothing`, () => {
      const tensors = tf.memory().numTensors;
      expect(() => new SparseDense(args as unknown as SparseDenseLayerArgs)).to.throw(message);
      expect(tf.memory().numTensors).to.equal(tensors);
    });
  }

  it('takes what toSparseModel makes: a layer config and its class (an unfused activation, a separable layer)', () => {
    const dense = new SparseDense({ ...tf.layers.dense({ units: 3, activation: 'tanh' }).getConfig(), sourceClassName: 'Dense' });
    expect(dense.computeOutputShape([null as never, 5])).to.deep.equal([null, 3]);
    const separable = new SparseDense({
      ...tf.layers.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).getConfig(), sourceClassName: 'SeparableConv2D',
    });
    expect(separable.computeOutputShape([null as never, 9, 9, 2])).to.deep.equal([null, 5, 5, 4]);
  });
});
