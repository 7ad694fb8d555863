import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { findPrunableLayers, PrunableDense, prunableDense } from '../../src';
import { allLayers, checkLayerSelection } from '../../src/model/prunable_layers';

describe('findPrunableLayers', () => {
  it('finds PrunableDense layers in nested models and inside wrappers, in model order', () => {
    const inner = tf.sequential({ name: 'inner', layers: [prunableDense({ units: 4, inputShape: [3, 4], name: 'nested' })] });
    const input = tf.input({ shape: [3, 4] });
    const nested = inner.apply(input) as tf.SymbolicTensor;
    const wrapped = prunableDense({ units: 2, name: 'wrapped' });
    const output = tf.layers.timeDistributed({ layer: wrapped, name: 'td' }).apply(nested) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    expect(findPrunableLayers(model).map((l) => l.name)).to.deep.equal(['nested', 'wrapped']);
    expect(findPrunableLayers(model, ['wrapped'])).to.deep.equal([wrapped]);
    expect(allLayers(model).map((l) => l.name)).to.include.members(['td', 'wrapped']);
    model.dispose();
  });

  it('finds the forward and backward copies of a Bidirectional, not its unbuilt template', () => {
    const model = tf.sequential({
      layers: [tf.layers.bidirectional({ layer: prunableDense({ units: 2, name: 'pd' }) as never, inputShape: [3, 4], name: 'bi' })],
    });
    const layers = findPrunableLayers(model);
    expect(layers.map((l) => l.name)).to.deep.equal(['forward_pd', 'backward_pd']);
    expect(layers.every((l) => l.maskedWeights[0].mask.shape.join() === '4,2')).to.equal(true);
    model.dispose();
  });

  it('rejects what is not a model and a bad selection, naming what was received', () => {
    const model = tf.sequential({ layers: [prunableDense({ units: 2, inputShape: [3], name: 'p' })] });
    expect(() => findPrunableLayers(null as unknown as tf.LayersModel)).to.throw(TypeError,
      'findPrunableLayers: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received null.');
    expect(() => findPrunableLayers(model, 'p' as never)).to.throw(TypeError,
      'layers must be an array of layer names or prunable layers; received string "p".');
    expect(() => findPrunableLayers(model, [])).to.throw('layers must select at least one layer; received an empty array.');
    expect(() => findPrunableLayers(model, [3] as never)).to.throw(TypeError,
      'layers[0] must be a layer name or a prunable layer; received 3.');
    expect(() => findPrunableLayers(model, ['nope'])).to.throw("layers: the model has no layer named 'nope'; its prunable layers are: 'p'.");
    const stranger = prunableDense({ units: 1, name: 'stranger' });
    expect(() => findPrunableLayers(model, [stranger])).to.throw("layers: the model has no layer 'stranger'; its prunable layers are: 'p'.");
    expect(() => checkLayerSelection([model.layers[0], tf.layers.dropout({ rate: 0.5, name: 'drop' })], 'opts.layers')).to.throw(TypeError,
      "opts.layers[1] must be a layer name or a prunable layer; received a Dropout layer 'drop'.");
    expect(() => checkLayerSelection(['p', model.layers[0] as PrunableDense])).to.not.throw();
    model.dispose();
  });
});
