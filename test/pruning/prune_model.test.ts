import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { findPrunableLayers, makePrunable, PrunableDense, prunableDense, pruneLayer, pruneModel, pruningSummary } from '../../src';
import { convolutionalModels } from '../io/fixtures';
import { describeOnBackends } from '../support/backends';
import { countZeroColumns } from '../support/counts';
import { expectNoTensorLeak } from '../support/memory';

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      prunableDense({ units: 20, activation: 'relu', inputShape: [10], name: 'h1' }),
      tf.layers.dropout({ rate: 0.1 }),
      prunableDense({ units: 8, activation: 'relu', name: 'h2' }),
      prunableDense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
}

describeOnBackends('pruneModel', () => {
  it('prunes every PrunableDense layer by weight to exactly round(k·size) zeros', () => {
    const model = mlp();
    const report = pruneModel(model, { method: 'weight', sparsity: 0.7 });
    expect(report.map((r) => r.layer)).to.deep.equal(['h1', 'h2', 'out']);
    for (const r of report) {
      const layer = model.getLayer(r.layer) as PrunableDense;
      expect(r.weights - r.nonzero).to.equal(Math.round(0.7 * r.weights));
      expect(layer.sparsity()).to.be.closeTo(r.sparsity, 1e-12);
    }
    expect(report[0]).to.include({ weights: 200, nonzero: 60 });
    expect(report[0].masks.map((m) => m.shape)).to.deep.equal([[10, 20]]);
    model.dispose();
  });

  it("leaves the output layer's units (the classes) alone by 'unit' unless named, prunes it by 'weight', and the summary says so", () => {
    const model = mlp();
    expect(pruneModel(model, { method: 'unit', sparsity: 0.5 }).map((r) => r.layer)).to.deep.equal(['h1', 'h2']);
    expect((model.getLayer('out') as PrunableDense).sparsity()).to.equal(0);
    expect(pruneModel(model, { method: 'unit', sparsity: { out: 0.34 } }).map((r) => [r.layer, r.prunedUnits])).to.deep.equal([['out', 1]]);
    expect(pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['out'] })[0].prunedUnits).to.equal(2);
    expect(pruneModel(model, { method: 'weight', sparsity: 0.9 }).map((r) => r.layer)).to.deep.equal(['h1', 'h2', 'out']);
    const lines: string[] = [];
    const summary = pruningSummary(model, { printFn: (line) => lines.push(line) });
    expect(summary.layers.map((r) => r.output)).to.deep.equal([false, false, true]);
    expect(lines).to.include('Output layer out: unit and channel pruning leave it alone unless named (its units are model outputs); weight pruning prunes it.');
    const single = tf.sequential({ layers: [prunableDense({ units: 3, inputShape: [4], name: 'only' })] });
    expect(() => pruneModel(single, { method: 'unit', sparsity: 0.5 })).to.throw(
      "pruneModel: pruning units of the layers that compute the model's outputs would remove outputs, so by default 'unit' leaves them alone, " +
      "and the model has no other prunable layer; to prune them anyway, name them: layers: ['only'].");
    single.dispose();
    model.dispose();
  });

  it('finds the output layers behind layers that make no units: an Activation, Dropout, BatchNormalization, an Add', () => {
    const input = tf.input({ shape: [4] });
    const hidden = prunableDense({ units: 8, name: 'hidden' }).apply(input) as tf.SymbolicTensor;
    const logits = prunableDense({ units: 4, name: 'logits' }).apply(hidden) as tf.SymbolicTensor;
    const probabilities = tf.layers.activation({ activation: 'softmax' }).apply(tf.layers.dropout({ rate: 0.1 }).apply(logits)) as tf.SymbolicTensor;
    const a = prunableDense({ units: 3, name: 'a' }).apply(hidden) as tf.SymbolicTensor;
    const b = prunableDense({ units: 3, name: 'b' }).apply(hidden) as tf.SymbolicTensor;
    const sum = tf.layers.batchNormalization().apply(tf.layers.add().apply([a, b])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [probabilities, sum] });
    expect(pruneModel(model, { method: 'unit', sparsity: 0.5 }).map((r) => r.layer)).to.deep.equal(['hidden']);
    expect(pruningSummary(model).layers.filter((r) => r.output).map((r) => r.layer)).to.deep.equal(['logits', 'a', 'b']);
    model.dispose();
  });

  it('prunes only the selected layers by unit, removing whole columns', () => {
    const model = mlp();
    const report = pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['h1', 'h2'] });
    expect(report.map((r) => [r.layer, r.prunedUnits])).to.deep.equal([['h1', 10], ['h2', 4]]);
    const h1 = model.getLayer('h1') as PrunableDense;
    const mask = h1.getMask();
    expect(countZeroColumns(mask.dataSync(), 10, 20)).to.equal(10);
    mask.dispose();
    expect((model.getLayer('out') as PrunableDense).sparsity()).to.equal(0);
    model.dispose();
  });

  it('never lowers sparsity and keeps what was pruned', () => {
    const model = mlp();
    const layer = model.getLayer('h1') as PrunableDense;
    pruneLayer(layer, { sparsity: 0.8 });
    const before = layer.getMask().dataSync();
    const report = pruneLayer(layer, { sparsity: 0.3 });
    expect(report.sparsity).to.be.closeTo(0.8, 1e-12);
    const after = layer.getMask().dataSync();
    before.forEach((m, i) => {
      if (m === 0) expect(after[i]).to.equal(0);
    });
    model.dispose();
  });

  it('finds layers inside nested models', () => {
    const inner = tf.sequential({ layers: [prunableDense({ units: 6, inputShape: [4], name: 'inner_dense' })], name: 'inner' });
    const input = tf.input({ shape: [4] });
    const hidden = inner.apply(input) as tf.SymbolicTensor;
    const output = prunableDense({ units: 2, name: 'outer_dense' }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const report = pruneModel(model, { method: 'weight', sparsity: 0.5 });
    expect(report.map((r) => r.layer)).to.deep.equal(['inner_dense', 'outer_dense']);
    expect((inner.getLayer('inner_dense') as PrunableDense).sparsity()).to.equal(0.5);
    model.dispose();
  });

  it('prunes PrunableDense layers inside a TimeDistributed wrapper', () => {
    const wrapped = prunableDense({ units: 6, name: 'step_dense' });
    const model = tf.sequential({
      layers: [tf.layers.timeDistributed({ layer: wrapped, inputShape: [3, 4], name: 'td' }), tf.layers.flatten(), prunableDense({ units: 2, name: 'out' })],
    });
    const x = tf.randomNormal([5, 3, 4]);
    const report = pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['step_dense'] });
    expect(report.map((r) => [r.layer, r.prunedUnits])).to.deep.equal([['step_dense', 3]]);
    expect(pruneModel(model, { method: 'weight', sparsity: 0.5 }).map((r) => r.layer)).to.deep.equal(['step_dense', 'out']);
    // The wrapper computes with the pruned mask: a pruned unit outputs its bias at every step.
    const mask = wrapped.getMask();
    const [kernel, bias] = wrapped.getWeights();
    const expected = tf.add(tf.matMul(x.reshape([15, 4]), tf.mul(kernel, mask)), bias).reshape([5, 3, 6]);
    const inner = tf.model({ inputs: model.inputs, outputs: model.getLayer('td').output as tf.SymbolicTensor });
    expect(tf.abs(tf.sub(inner.predict(x) as tf.Tensor, expected)).max().dataSync()[0]).to.be.below(1e-5);
    tf.dispose([x, mask, expected]);
    model.dispose();
  });

  it('rejects what is not a model, and options that are not an object, naming what was received', () => {
    const model = mlp();
    expect(() => pruneModel(null as unknown as tf.LayersModel, { method: 'weight', sparsity: 0.5 })).to.throw(TypeError,
      'pruneModel: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received null.');
    expect(() => pruneModel(model, null as never)).to.throw(TypeError,
      "pruneModel needs options {method?: 'weight' | 'unit' | 'nm' | 'random' | 'channel', sparsity: a number in [0, 1] or {[layer]: number}, layers?, scope?, n?, m?, seed?, blockShape?, roundTo?}; received null.");
    expect(() => pruneModel(model, { method: {} as never, sparsity: 0.5 })).to.throw("method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received an object.");
    expect(() => pruneModel(model, { method: 'weight', sparsity: 0.5, layers: [3] as never })).to.throw(TypeError,
      'layers[0] must be a layer name or a prunable layer; received 3.');
    expect(() => pruneModel(model, { method: 'weight', sparsity: 0.5, layers: [] })).to.throw('layers must select at least one layer; received an empty array.');
    model.dispose();
  });

  it('rejects bad options with clear errors and changes no layer', () => {
    const model = mlp();
    expect(() => pruneModel(model, { method: 'magnitude' as 'weight', sparsity: 0.5 })).to.throw(/method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string "magnitude"\./);
    expect(() => pruneModel(model, { method: 'weight', sparsity: 1.5 })).to.throw(RangeError, /sparsity.*\[0, 1\]/);
    expect(() => pruneModel(model, { method: 'weight', sparsity: '0.5' as unknown as number })).to.throw(TypeError, /sparsity/);
    expect(() => pruneModel(model, { method: 'weight', sparsity: 0.5, layers: ['nope'] })).to.throw(/no layer named 'nope'.*'h1', 'h2', 'out'/);
    expect(() => pruneModel(model, { method: 'weight', sparsity: 0.5, layers: [model.layers[1].name] })).to.throw(/is a Dropout, not a prunable layer/);
    expect(() => pruneModel(model, undefined as unknown as { method: 'weight'; sparsity: number })).to.throw(TypeError, /pruneModel needs options/);
    // A non-finite weight in the last layer: the error names it, and no earlier layer was pruned.
    const out = model.getLayer('out') as PrunableDense;
    const [kernel, bias] = out.getWeights();
    const bad = kernel.dataSync().slice();
    bad[5] = NaN;
    out.setWeights([tf.tensor(bad, kernel.shape), bias, out.getMask()]);
    expect(() => pruneModel(model, { method: 'weight', sparsity: 0.5 })).to.throw(/PrunableDense 'out': weights must not hold NaN or Infinity; found NaN at flat index 5/);
    model.layers.forEach((l) => {
      if (l instanceof PrunableDense) expect(l.sparsity()).to.equal(0);
    });
    model.dispose();
  });

  it('prunes each layer a sparsity map names to its own sparsity, and leaves the others as they are', () => {
    const model = mlp();
    const report = pruneModel(model, { sparsity: { out: 0.5, h1: 0.25 } });
    expect(report.map((r) => [r.layer, r.weights - r.nonzero])).to.deep.equal([['h1', 50], ['out', 12]]);
    expect((model.getLayer('h2') as PrunableDense).sparsity()).to.equal(0);
    const units = pruneModel(model, { method: 'unit', sparsity: { h2: 0.5 }, layers: ['h1', 'h2'] });
    expect(units.map((r) => [r.layer, r.prunedUnits])).to.deep.equal([['h2', 4]]);
    model.dispose();
  });

  it('rejects a sparsity map naming an unknown or unselected layer, an empty map, a bad value, or a global scope, changing nothing', () => {
    const model = mlp();
    expect(() => pruneModel(model, { sparsity: { h1: 0.5, nope: 0.5 } })).to.throw(
      "sparsity names 'nope', which is not a selected layer; the selected layers are 'h1', 'h2', 'out'.");
    expect(() => pruneModel(model, { sparsity: { h1: 0.5, out: 0.5, x: 0.1, y: 0.1 }, layers: ['h1', 'h2'] })).to.throw(
      "sparsity names 'out', 'x', 'y', which are not selected layers; the selected layers are 'h1', 'h2'.");
    expect(() => pruneModel(model, { sparsity: {} })).to.throw("sparsity must name at least one layer; received an empty object. The selected layers are 'h1', 'h2', 'out'.");
    expect(() => pruneModel(model, { sparsity: { h1: 0.5, h2: 2 } })).to.throw(RangeError, "sparsity['h2'] must be a number in [0, 1]; received 2");
    expect(() => pruneModel(model, { sparsity: { h1: '0.5' as never } })).to.throw(TypeError, "sparsity['h1'] must be a number in [0, 1]; received string \"0.5\"");
    expect(() => pruneModel(model, { sparsity: [0.5] as never })).to.throw(TypeError,
      'sparsity must be a number in [0, 1] or an object mapping layer names to such numbers; received an array.');
    expect(() => pruneModel(model, { sparsity: { h1: 0.5 }, scope: 'global' })).to.throw(
      "scope 'global' ranks all the selected layers to one sparsity: give sparsity as a number, or per-layer sparsities with scope 'layer'.");
    expect(() => pruneModel(model, { method: 'weight' } as never)).to.throw(TypeError, 'sparsity must be a number in [0, 1] or an object');
    expect(() => pruneModel(model, { sparsity: 0.5, seeds: 3 } as never)).to.throw(
      "pruneModel: unknown option 'seeds'; options are method, sparsity, layers, scope, n, m, seed, blockShape, roundTo.");
    for (const name of ['h1', 'h2', 'out']) expect((model.getLayer(name) as PrunableDense).sparsity()).to.equal(0);
    model.dispose();
  });

  it('leaks no tensor over repeated one-shot pruning', async () => {
    const model = mlp();
    await expectNoTensorLeak(() => {
      for (let i = 1; i <= 10; i++) pruneModel(model, { method: i % 2 ? 'weight' : 'unit', sparsity: i / 10 });
    });
    model.dispose();
  });
});

describeOnBackends('pruneModel: convolutional models', () => {
  /** Every prunable convolution kind in one model, with seeded random weights. */
  function cnn(): tf.LayersModel {
    const [model] = convolutionalModels(91);
    const prunable = makePrunable(model);
    model.dispose();
    return prunable;
  }

  /** How many of a mask's units (by `units` layout) have no entry left. */
  function emptyUnits(values: ArrayLike<number>, { outer, units, inner }: { outer: number; units: number; inner: number }): number {
    let empty = 0;
    for (let u = 0; u < units; u++) {
      let any = false;
      for (let o = 0; o < outer && !any; o++) for (let j = 0; j < inner && !any; j++) any = values[(o * units + u) * inner + j] !== 0;
      if (!any) empty++;
    }
    return empty;
  }

  it('prunes each masked weight of every kind by weight to exactly round(k·size) zeros', () => {
    const model = cnn();
    const report = pruneModel(model, { method: 'weight', sparsity: 0.6 });
    expect(report.map((r) => `${r.layer}:${r.className}`)).to.deep.equal([
      'conv:PrunableConv2D', 'dw:PrunableDepthwiseConv2D', 'sep:PrunableSeparableConv2D', 'up:PrunableConv2DTranspose', 'out:PrunableDense',
    ]);
    for (const r of report) for (const m of r.masks) expect(m.weights - m.nonzero, `${r.layer}/${m.weight}`).to.equal(Math.round(0.6 * m.weights));
    expect(report[2].masks.map((m) => [m.weight, m.shape])).to.deep.equal([['depthwise_kernel', [3, 3, 8, 1]], ['pointwise_kernel', [1, 1, 8, 3]]]);
    model.dispose();
  });

  it("prunes whole output channels by unit: filters, depthwise channel × multiplier, a transposed kernel's third axis", () => {
    const model = cnn();
    const report = pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['conv', 'dw', 'sep', 'up'] });
    expect(report.map((r) => [r.layer, r.units, r.prunedUnits])).to.deep.equal([['conv', 4, 2], ['dw', 8, 4], ['sep', 3, 2], ['up', 2, 1]]);
    for (const layer of findPrunableLayers(model).filter((l) => l.name !== 'out')) {
      for (const m of layer.maskedWeights) {
        const values = m.mask.read().dataSync();
        // The separable layer's depthwise kernel holds no output unit: its mask stays as it was.
        if (m.units === null) expect(Array.from(values).every((v) => v === 1), `${layer.name}/${m.name}`).to.equal(true);
        else expect(emptyUnits(values, m.units), `${layer.name}/${m.name}`).to.equal(report.find((r) => r.layer === layer.name)!.prunedUnits);
      }
    }
    // A transposed kernel [2, 2, filters 2, in 3]: its pruned filter is a slice of the third axis.
    const up = findPrunableLayers(model).find((l) => l.name === 'up')!;
    expect(up.maskedWeights[0].units).to.deep.equal({ outer: 4, units: 2, inner: 3 });
    model.dispose();
  });

  it('prunes the convolutions a sparsity map names, each masked weight to its own target, and no other', () => {
    const model = cnn();
    const report = pruneModel(model, { sparsity: { sep: 0.25, conv: 0.5, up: 0.75 } });
    expect(report.map((r) => [r.layer, r.masks.map((m) => m.weights - m.nonzero)])).to.deep.equal([
      ['conv', [36]], ['sep', [18, 6]], ['up', [18]],
    ]);
    for (const name of ['dw', 'out']) expect(findPrunableLayers(model, [name])[0].sparsity(), name).to.equal(0);
    model.dispose();
  });

  it('lists every kind in the summary table', () => {
    const model = cnn();
    const lines: string[] = [];
    pruningSummary(model, { printFn: (line) => lines.push(line) });
    expect(lines.some((l) => l.startsWith('sep (PrunableSeparableConv2D)') && l.includes('depthwise_kernel [3,3,8,1] pointwise_kernel [1,1,8,3]'))).to.equal(true);
    expect(lines.some((l) => l.startsWith('conv (PrunableConv2D)') && l.includes('[3,3,2,4]'))).to.equal(true);
    model.dispose();
  });
});
