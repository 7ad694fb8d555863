import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PrunableLayer } from '../../src';
import {
  isPrunableLayer, plainClassNames, prunableClasses, prunableClassFor, prunableClassNamed, sparseClassNames, sparseKernelSpecFor,
} from '../../src/layers/registry';

/** Options that build each plain class, on an input of `input`. */
const BUILDS: Record<string, { args: Record<string, unknown>; input: number[] }> = {
  Dense: { args: { units: 3 }, input: [null as never, 4] },
  Conv1D: { args: { filters: 3, kernelSize: 2 }, input: [null as never, 6, 4] },
  Conv2D: { args: { filters: 3, kernelSize: 2 }, input: [null as never, 5, 5, 4] },
  Conv2DTranspose: { args: { filters: 3, kernelSize: 2 }, input: [null as never, 5, 5, 4] },
  DepthwiseConv2D: { args: { kernelSize: 2, depthMultiplier: 2 }, input: [null as never, 5, 5, 4] },
  SeparableConv2D: { args: { filters: 3, kernelSize: 2 }, input: [null as never, 5, 5, 4] },
  Embedding: { args: { inputDim: 6, outputDim: 3 }, input: [null as never, 4] },
  SimpleRNN: { args: { units: 3 }, input: [null as never, 5, 4] },
  LSTM: { args: { units: 3 }, input: [null as never, 5, 4] },
  GRU: { args: { units: 3 }, input: [null as never, 5, 4] },
};

describe('the prunable-layer registry', () => {
  it('lists one prunable class per plain class, each registered for serialization under its own name', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(prunableClasses().map((cls) => cls.kind.plainClassName)).to.deep.equal(Object.keys(BUILDS));
    for (const cls of prunableClasses()) {
      expect(map[cls.className][0]).to.equal(cls);
      expect(prunableClassFor(cls.kind.plainClassName)).to.equal(cls);
      expect(prunableClassNamed(cls.className)).to.equal(cls);
      expect(cls.className).to.equal(`Prunable${cls.kind.plainClassName}`);
    }
    expect(prunableClassFor('BatchNormalization')).to.equal(undefined);
    expect(plainClassNames()).to.equal("'Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Embedding', 'SimpleRNN', 'LSTM', 'GRU'");
  });

  for (const cls of prunableClasses()) {
    const plainName = cls.kind.plainClassName;
    it(`${cls.className}: has the weights of ${plainName} in its order, then one mask per masked weight of its shape`, () => {
      const { args, input } = BUILDS[plainName];
      const plainClass = tf.serialization.SerializationMap.getMap().classNameMap[plainName][0] as unknown as new (a: object) => tf.layers.Layer;
      const plain = new plainClass(args);
      const prunable = new (cls as unknown as new (a: object) => PrunableLayer)(args);
      plain.build(input);
      prunable.build(input);
      const describe = (layer: tf.layers.Layer) => layer.weights.map((w) => `${w.originalName.split('/').pop()}:${w.shape}:${w.trainable}`);
      const masks = cls.kind.maskedWeights.map((m) => {
        const weight = plain.weights.find((w) => w.originalName.split('/').pop() === m.weight);
        expect(weight, m.weight).to.not.equal(undefined);
        return `${m.mask}:${weight!.shape}:false`;
      });
      expect(describe(prunable)).to.deep.equal([...describe(plain), ...masks]);
      expect(isPrunableLayer(prunable)).to.equal(true);
      expect(isPrunableLayer(plain)).to.equal(false);
      [plain, prunable].forEach((layer) => layer.weights.forEach((w) => w.dispose()));
    });
  }

  it('declares which plain layers run on the sparse kernels, and when: Dense always, 1x1 convolutions, pointwise halves', () => {
    expect(sparseClassNames()).to.deep.equal(['Dense', 'Conv1D', 'Conv2D', 'SeparableConv2D']);
    const applies = (className: string, args: Record<string, unknown>) => {
      const config = prunableClassFor(className)!.kind.options.plain(args).getConfig();
      const spec = sparseKernelSpecFor(className);
      return spec !== undefined && (spec.applies?.(config) ?? true);
    };
    expect(applies('Dense', { units: 3 })).to.equal(true);
    expect(applies('Conv2D', { filters: 3, kernelSize: 1, padding: 'same' })).to.equal(true);
    expect(applies('Conv2D', { filters: 3, kernelSize: [1, 3] })).to.equal(false);
    expect(applies('Conv2D', { filters: 3, kernelSize: 1, strides: 2 })).to.equal(false);
    expect(applies('Conv2D', { filters: 3, kernelSize: 1, dataFormat: 'channelsFirst' })).to.equal(false);
    expect(applies('Conv1D', { filters: 3, kernelSize: 1 })).to.equal(true);
    expect(applies('Conv1D', { filters: 3, kernelSize: 1, padding: 'causal' })).to.equal(false);
    expect(applies('SeparableConv2D', { filters: 3, kernelSize: 3, strides: 2 })).to.equal(true);
    expect(applies('DepthwiseConv2D', { kernelSize: 1 })).to.equal(false);
    expect(sparseKernelSpecFor('SeparableConv2D')).to.include({ weight: 'pointwise_kernel', depthwise: 'depthwise_kernel' });
  });
});
