import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { compactionReport, compactUnits, pruneModel, pruningSummary } from '../../../src';
import { lenet5 } from '../../../experiments/models';

describe('compactionReport', () => {
  it("reports LeNet-5's channels, parameters and multiply-accumulates before and after filter pruning", () => {
    const { model } = lenet5(1);
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['conv1', 'conv2', 'hidden'] });
    const report = compactionReport(model);
    const rows = report.layers.map((l) => [l.layer, l.inputs, l.outputs, l.parameters, l.macs, l.kept.length]);
    expect(rows).to.deep.equal([
      ['conv1', { before: 1, after: 1 }, { before: 20, after: 10 }, { before: 520, after: 260 }, { before: 288000, after: 144000 }, 0],
      ['conv2', { before: 20, after: 10 }, { before: 50, after: 25 }, { before: 25050, after: 6275 }, { before: 1600000, after: 400000 }, 0],
      ['hidden', { before: 800, after: 400 }, { before: 500, after: 250 }, { before: 400500, after: 100250 }, { before: 400000, after: 100000 }, 0],
      ['output', { before: 500, after: 250 }, { before: 10, after: 10 }, { before: 5010, after: 2510 }, { before: 5000, after: 2500 }, 0],
    ]);
    expect(report.total.macs).to.deep.equal({ before: 2293000, after: 646500 });
    const compact = compactUnits(model);
    expect(compact.countParams()).to.equal(report.total.parameters.after);
    expect(model.countParams() - 20 * 25 - 50 * 500 - 800 * 500 - 5000).to.equal(report.total.parameters.before);
    compact.dispose();
    model.dispose();
  });

  it('is what pruningSummary prints with compaction: true', () => {
    const { model } = lenet5(2);
    pruneModel(model, { method: 'unit', sparsity: 0.25, layers: ['conv1', 'conv2'] });
    const lines: string[] = [];
    const summary = pruningSummary(model, { compaction: true, printFn: (line) => lines.push(line) });
    expect(summary.compaction).to.deep.equal(compactionReport(model));
    expect(lines.some((l) => /^conv2 \(Conv2D\)\s+20 -> 15\s+50 -> 37\s+1600000 -> 888000/.test(l))).to.equal(true);
    model.dispose();
  });

  it('rejects what is not a model', () => {
    expect(() => compactionReport({} as tf.LayersModel)).to.throw(TypeError, 'compactionReport: model must be a tf.LayersModel');
  });
});
