import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { layerPruningReport, PrunableDense, prunableDense, pruneModel, pruningSummary } from '../../src';
import { nestedPrunableModel, prunableLayers, wrappedPrunableModel } from '../io/fixtures';

describe('pruningSummary', () => {
  let model: tf.LayersModel;
  beforeEach(() => {
    model = nestedPrunableModel(51);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['hidden'] });
  });
  afterEach(() => model.dispose());

  it('reports every PrunableDense (nested included) with its shape, method, nonzero weights, sparsity and pruned units, and totals', () => {
    const summary = pruningSummary(model, { method: 'weight', methods: { hidden: 'unit' } });
    const layers = prunableLayers(model);
    expect(summary.layers).to.deep.equal([
      { ...layerPruningReport(layers[0]), output: false, method: 'weight' },
      { ...layerPruningReport(layers[1]), output: false, method: 'unit' },
    ]);
    expect(summary.layers.map((r) => [r.layer, r.masks[0].shape, r.weights])).to.deep.equal([['inner_dense', [6, 5], 30], ['hidden', [5, 4], 20]]);
    expect(summary.layers[1].prunedUnits).to.be.at.least(2);
    const nonzero = summary.layers[0].nonzero + summary.layers[1].nonzero;
    expect(summary.total).to.deep.equal({
      weights: 50, nonzero, sparsity: 1 - nonzero / 50, prunedUnits: summary.layers[0].prunedUnits + summary.layers[1].prunedUnits,
    });
    // Without options, each layer's method is the one it was last pruned with here, if any.
    expect(pruningSummary(model).layers.map((r) => r.method)).to.deep.equal([null, 'unit']);
    pruneModel(model, { sparsity: 0.6 });
    expect(pruningSummary(model).layers.map((r) => r.method)).to.deep.equal(['weight', 'weight']);
  });

  it('prints a table like model.summary() through printFn, and prints nothing by default', () => {
    const lines: string[] = [];
    const summary = pruningSummary(model, { methods: { hidden: 'unit' }, printFn: (line) => lines.push(line) });
    const [inner, hidden] = summary.layers;
    expect(lines[0]).to.equal("Pruning summary of model 'nested_prunable'");
    expect(lines[2]).to.match(/^Layer \(type\) +Kernel shape +Method +Nonzero \/ weights +Sparsity +Pruned units$/);
    expect(lines[1]).to.match(/^_+$/);
    expect(lines[3]).to.match(/^=+$/);
    expect(lines[4]).to.match(new RegExp(`^inner_dense \\(PrunableDense\\) +\\[6,5\\] +- +${inner.nonzero} / 30 +${inner.sparsity.toFixed(4)} +${inner.prunedUnits}$`));
    expect(lines[6]).to.match(new RegExp(`^hidden \\(PrunableDense\\) +\\[5,4\\] +unit +${hidden.nonzero} / 20 +${hidden.sparsity.toFixed(4)} +${hidden.prunedUnits}$`));
    expect(lines.slice(8)).to.deep.equal([
      'Kernel weights: 50',
      `Nonzero (kept): ${summary.total.nonzero}`,
      `Sparsity: ${summary.total.sparsity.toFixed(4)}`,
      `Pruned units: ${summary.total.prunedUnits}`,
      '_'.repeat(lines[1].length),
    ]);
    // Columns line up: each value starts where its header does.
    expect(lines[4].indexOf('[6,5]')).to.equal(lines[2].indexOf('Kernel shape'));
    expect(lines[6].indexOf('unit')).to.equal(lines[2].indexOf('Method'));

    const log = console.log;
    const logged: string[] = [];
    console.log = (line: string) => logged.push(line);
    try {
      pruningSummary(model);
      expect(logged).to.deep.equal([]);
      pruningSummary(model, { methods: { hidden: 'unit' }, print: true });
    } finally {
      console.log = log;
    }
    expect(logged).to.deep.equal(lines);
    const silent: string[] = [];
    pruningSummary(model, { print: false, printFn: (line) => silent.push(line) });
    expect(silent).to.deep.equal([]);
  });

  it('widens a column for a long layer name, so the columns still line up', () => {
    const long = tf.sequential({ layers: [
      prunableDense({ units: 4, inputShape: [3], name: 'a_layer_name_far_longer_than_the_forty_columns_of_the_table' }),
      prunableDense({ units: 2, name: 'short' }),
    ] });
    pruneModel(long, { method: 'unit', sparsity: 0.5, layers: ['short'] });
    const lines: string[] = [];
    pruningSummary(long, { printFn: (line) => lines.push(line) });
    for (const header of ['Kernel shape', 'Method', 'Nonzero / weights', 'Sparsity']) {
      const column = lines[2].indexOf(header);
      expect(lines[4][column - 1], header).to.equal(' ');
      expect(lines[4][column], header).to.not.equal(' ');
      expect(lines[6][column], header).to.not.equal(' ');
    }
    expect(lines[6].slice(lines[2].indexOf('Method'))).to.match(/^unit /);
    long.dispose();
  });

  it('reports a model without PrunableDense layers as empty', () => {
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const lines: string[] = [];
    expect(pruningSummary(plain, { printFn: (l) => lines.push(l) })).to.deep.equal({
      layers: [], total: { weights: 0, nonzero: 0, sparsity: 0, prunedUnits: 0 },
    });
    expect(lines).to.include('(no prunable layer)');
    plain.dispose();
  });

  it('rejects bad options with clear errors', () => {
    expect(() => pruningSummary({} as tf.LayersModel)).to.throw(TypeError, /pruningSummary: model must be a tf.LayersModel/);
    expect(() => pruningSummary(model, 'table' as never)).to.throw(TypeError, /options must be an object \{method\?, methods\?, print\?, printFn\?, compaction\?\}; received string/);
    expect(() => pruningSummary(model, { method: 'magnitude' as never })).to.throw("pruningSummary: method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"magnitude\".");
    expect(() => pruningSummary(model, { methods: { hidden: 'l1' as never } })).to.throw("pruningSummary: methods['hidden'] must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"l1\".");
    expect(() => pruningSummary(model, { methods: { logits: 'unit' } })).to.throw(
      "pruningSummary: methods names 'logits', not a prunable layer of the model; its prunable layers are: 'inner_dense', 'hidden'.");
    expect(() => pruningSummary(model, { print: 'yes' as never })).to.throw(TypeError, 'pruningSummary: print must be true or false; received string "yes".');
    expect(() => pruningSummary(model, { printFn: 'console' as never })).to.throw(TypeError,
      'pruningSummary: printFn must be a function (line: string) => void; received string "console".');
    expect(() => pruningSummary(model, { methods: null as never })).to.throw(TypeError,
      "pruningSummary: methods must be an object mapping layer names to methods ('weight', 'unit', 'nm', 'random', 'channel'); received null.");
    expect(() => pruningSummary(model, { methods: [] as never })).to.throw(TypeError,
      "pruningSummary: methods must be an object mapping layer names to methods ('weight', 'unit', 'nm', 'random', 'channel'); received an array.");
    expect(() => pruningSummary(model, { method: {} as never })).to.throw("pruningSummary: method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received an object.");
  });

  it('reports a PrunableDense inside a wrapper', () => {
    const wrapped = wrappedPrunableModel(52);
    const summary = pruningSummary(wrapped);
    expect(summary.layers.map((r) => [r.layer, r.prunedUnits >= 2])).to.deep.equal([['step_dense', true], ['logits', false]]);
    expect(summary.total.weights).to.equal(20 + 30);
    wrapped.dispose();
  });

  it('follows a single layer exactly', () => {
    const single = tf.sequential({ layers: [prunableDense({ units: 4, inputShape: [2], name: 'only' })] });
    (single.getLayer('only') as PrunableDense).setMask([1, 0, 0, 0, 1, 0, 0, 0]);
    expect(pruningSummary(single).layers).to.deep.equal([
      {
        layer: 'only', className: 'PrunableDense', masks: [{ weight: 'kernel', shape: [2, 4], weights: 8, nonzero: 2 }],
        weights: 8, nonzero: 2, sparsity: 0.75, units: 4, prunedUnits: 3, output: true, method: null,
      },
    ]);
    single.dispose();
  });
});
