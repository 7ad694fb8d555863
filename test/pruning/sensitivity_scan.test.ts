import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { findPrunableLayers, makePrunable, PrunableLayer, prunableDense, pruneModel } from '../../src';
import { proposeSparsities } from '../../src/pruning/propose_sparsities';
import { sensitivityScan, SensitivityScan } from '../../src/pruning/sensitivity_scan';
import { overallSparsity } from '../../src/pruning/pruning_summary';
import { layerPruningReport } from '../../src/pruning/prune_layer';
import { convolutionalModels } from '../io/fixtures';
import { describeOnBackends } from '../support/backends';
import { countZeros } from '../support/counts';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      prunableDense({ units: 12, activation: 'relu', inputShape: [6], name: 'h1' }),
      prunableDense({ units: 8, activation: 'relu', name: 'h2' }),
      prunableDense({ units: 3, name: 'out' }),
    ],
  });
}

/** Every weight and mask of the model, as values. */
function state(model: tf.LayersModel): number[][] {
  return model.weights.map((w) => Array.from(w.read().dataSync()));
}

/** The sparsity of each prunable layer, by name. */
function sparsities(model: tf.LayersModel): Record<string, number> {
  return Object.fromEntries(findPrunableLayers(model).map((l) => [l.name, l.sparsity()]));
}

describeOnBackends('sensitivityScan', () => {
  it('prunes each layer alone to each sparsity, evaluates, and restores its masks exactly', async () => {
    const model = mlp();
    pruneModel(model, { sparsity: 0.2, layers: ['h2'] });
    const before = state(model);
    const seen: Array<Record<string, number>> = [];
    const scan = await sensitivityScan(model, (m) => {
      seen.push(sparsities(m));
      return 1 - Object.values(sparsities(m)).reduce((a, b) => a + b, 0);
    }, { sparsities: [0.5, 0.25, 0.9], layers: ['h1', 'h2'] });
    expect(state(model)).to.deep.equal(before);
    // The baseline first, then h1 (72 weights) at 0.5, 0.25, 0.9, the others untouched, then h2 (96, already at 19 zeros).
    const h2 = 19 / 96;
    expect(seen).to.deep.equal([
      { h1: 0, h2, out: 0 }, { h1: 0.5, h2, out: 0 }, { h1: 0.25, h2, out: 0 }, { h1: 65 / 72, h2, out: 0 },
      { h1: 0, h2: 0.5, out: 0 }, { h1: 0, h2: 0.25, out: 0 }, { h1: 0, h2: 86 / 96, out: 0 },
    ]);
    expect(scan.baseline).to.be.closeTo(1 - h2, 1e-12);
    expect(scan.rows.map((r) => [r.layer, r.sparsity, r.weights])).to.deep.equal([
      ['h1', 0.5, 72], ['h1', 0.25, 72], ['h1', 0.9, 72], ['h2', 0.5, 96], ['h2', 0.25, 96], ['h2', 0.9, 96],
    ]);
    expect(scan.rows[0].score).to.be.closeTo(1 - 0.5 - h2, 1e-12);
    model.dispose();
  });

  it("awaits a promise, scans every layer by default, and scans 'unit', 'random' and blocks on convolutions", async () => {
    const [plain, sequence] = convolutionalModels(4);
    const model = makePrunable(plain);
    plain.dispose();
    sequence.dispose();
    const before = state(model);
    const scan = await sensitivityScan(model, async (m) => {
      await tf.nextFrame();
      return -findPrunableLayers(m).reduce((n, l) => n + layerPruningReport(l).prunedUnits, 0);
    }, { sparsities: [0.5], method: 'unit' });
    expect(scan.rows.map((r) => [r.layer, r.score])).to.deep.equal([['conv', -2], ['dw', -4], ['sep', -2], ['up', -1], ['out', -2]]);
    expect(state(model)).to.deep.equal(before);
    const zeros = (m: tf.LayersModel) => findPrunableLayers(m).reduce((n, l) => n + l.maskedWeights.reduce((k, w) => k + countZeros(w.mask.read().dataSync()), 0), 0);
    const random = await sensitivityScan(model, zeros, { sparsities: [0.3], method: 'random', seed: 4, layers: ['sep'] });
    expect(random.rows[0].score).to.equal(Math.round(0.3 * 72) + Math.round(0.3 * 24));
    const blocks = await sensitivityScan(model, zeros, { sparsities: [0.5], blockShape: [2, 2], layers: ['conv'] });
    expect(blocks.rows[0].score).to.equal(36);
    expect(state(model)).to.deep.equal(before);
    model.dispose();
  });

  it('restores weights and masks when evaluate throws or rejects, on the first trial or a later one, and leaks no tensor', async () => {
    const model = mlp();
    pruneModel(model, { sparsity: 0.3 });
    const before = state(model);
    const x = tf.ones([2, 6]);
    const evaluate = (failAt: number, async: boolean) => {
      let calls = 0;
      return (m: tf.LayersModel) => {
        const score = tf.tidy(() => (m.predict(x) as tf.Tensor).sum().dataSync()[0]);
        if (++calls === failAt) {
          if (async) return Promise.reject(new Error(`evaluation ${calls} failed`));
          throw new Error(`evaluation ${calls} failed`);
        }
        return score;
      };
    };
    tf.tidy(() => model.predict(x));
    for (const failAt of [1, 2, 5]) {
      for (const async of [false, true]) {
        await expectNoTensorLeak(async () => {
          const error = await rejection(sensitivityScan(model, evaluate(failAt, async), { sparsities: [0.5, 0.9] }));
          expect(error.message).to.equal(`evaluation ${failAt} failed`);
        });
        expect(state(model), `failing at ${failAt}`).to.deep.equal(before);
      }
    }
    await expectNoTensorLeak(() => sensitivityScan(model, evaluate(0, false), { sparsities: [0.5, 0.9] }));
    expect(state(model)).to.deep.equal(before);
    x.dispose();
    model.dispose();
  });

  it('rejects bad arguments and scores, changing nothing', async () => {
    const model = mlp();
    const before = state(model);
    const ok = () => 1;
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => sensitivityScan(null as never, ok), 'sensitivityScan: model must be a tf.LayersModel'],
      [() => sensitivityScan(model, 0.5 as never), 'sensitivityScan: evaluate must be a function (model) => number or Promise<number>, higher is better; received 0.5.'],
      [() => sensitivityScan(model, ok, [] as never), 'sensitivityScan: options must be an object {sparsities?, method?, layers?, seed?, blockShape?, roundTo?}; received an array.'],
      [() => sensitivityScan(model, ok, { sparsity: [0.5] } as never),
        "sensitivityScan: unknown option 'sparsity'; options are sparsities, method, layers, seed, blockShape, roundTo."],
      [() => sensitivityScan(model, ok, { sparsities: [0.5, 1.5] }), 'sensitivityScan: sparsities[1] must be a number in [0, 1]; received 1.5'],
      [() => sensitivityScan(model, ok, { sparsities: [] }), 'sensitivityScan: sparsities must be a non-empty array of numbers in [0, 1]; received an empty array.'],
      [() => sensitivityScan(model, ok, { sparsities: 0.5 as never }), 'received 0.5.'],
      [() => sensitivityScan(model, ok, { method: 'nm' }), "sensitivityScan: method 'nm' has no sparsity to scan (its pattern sets 1 - n/m); scan 'weight', 'unit', 'random' or 'channel'."],
      [() => sensitivityScan(model, ok, { method: 'units' as never }), "sensitivityScan: method must be one of 'weight', 'unit', 'random', 'channel'; received string \"units\"."],
      [() => sensitivityScan(model, ok, { method: 'unit', blockShape: [2, 2] }), "sensitivityScan: blockShape applies to method 'weight' only; the method is 'unit'."],
      [() => sensitivityScan(model, ok, { layers: ['h3'] }), "sensitivityScan: layers: the model has no layer named 'h3'; its prunable layers are: 'h1', 'h2', 'out'."],
      [() => sensitivityScan(model, () => NaN), 'sensitivityScan: evaluate must return a finite number (higher is better) or a promise of one; it returned NaN.'],
      [() => sensitivityScan(model, async () => 'high' as never), 'it returned string "high".'],
      [() => sensitivityScan(model, () => tf.scalar(1) as never), 'it returned a Tensor (read a tensor with (await t.data())[0], then dispose it).'],
    ];
    for (const [call, message] of cases) {
      const error = await rejection(call());
      expect(error.message).to.include(message);
      expect(state(model)).to.deep.equal(before);
    }
    // A score that fails on a later trial is refused there, the masks restored.
    let calls = 0;
    expect((await rejection(sensitivityScan(model, () => (++calls === 3 ? Infinity : 1)))).message).to.include('it returned Infinity.');
    expect(state(model)).to.deep.equal(before);
    model.dispose();
  });
});

describe('proposeSparsities', () => {
  // a: 1000 weights, robust; b: 100 weights, sensitive. Losses from baseline 0.9.
  const table: SensitivityScan = {
    baseline: 0.9,
    rows: [
      { layer: 'a', sparsity: 0.25, score: 0.9, weights: 1000 }, { layer: 'a', sparsity: 0.5, score: 0.89, weights: 1000 },
      { layer: 'a', sparsity: 0.9, score: 0.7, weights: 1000 }, { layer: 'a', sparsity: 0.75, score: 0.85, weights: 1000 },
      { layer: 'b', sparsity: 0.25, score: 0.8, weights: 100 }, { layer: 'b', sparsity: 0.5, score: 0.6, weights: 100 },
      { layer: 'b', sparsity: 0.75, score: 0.4, weights: 100 }, { layer: 'b', sparsity: 0.9, score: 0.2, weights: 100 },
    ],
  };

  it('prunes the cheapest weights first, per unit of score lost, interpolating the last step', () => {
    // a's segments cost 0, 4e-5, 1.6e-4, 1e-3 per weight; b's 4e-3 first. 0.5 of 1100 = 550: a to 0.55.
    const half = proposeSparsities(table, 0.5);
    expect(half.sparsities.a).to.be.closeTo(0.55, 1e-12);
    expect(half.sparsities.b).to.equal(0);
    expect(half.sparsity).to.be.closeTo(0.5, 1e-12);
    expect(half.predictedScore).to.be.closeTo(0.9 - 0.018, 1e-12);
    // 0.85 of 1100 = 935: a to 0.9 (900), then b's first segment (25) and 10 of its next (collinear 0.25-0.75, 8e-3).
    const high = proposeSparsities(table, 0.85);
    expect(high.sparsities.a).to.be.closeTo(0.9, 1e-12);
    expect(high.sparsities.b).to.be.closeTo(0.35, 1e-12);
    expect(high.predictedScore).to.be.closeTo(0.9 - 0.2 - (0.1 + 0.2 * 0.4), 1e-12);
    expect(proposeSparsities(table, 0).sparsities).to.deep.equal({ a: 0, b: 0 });
  });

  it('weighs a costly step with the cheap stretch after it (lower convex hull)', () => {
    // c loses 0.3 by 0.5, then nothing more to 0.9; d loses 0.2 by 0.5, then 0.6 by 0.9 (equal weights).
    // Point by point, d's first half (0.004 per weight) would go before c's first (0.006); over the hull, c's whole curve costs 0.0033.
    const scan: SensitivityScan = {
      baseline: 1,
      rows: [
        { layer: 'c', sparsity: 0.5, score: 0.7, weights: 100 }, { layer: 'c', sparsity: 0.9, score: 0.7, weights: 100 },
        { layer: 'd', sparsity: 0.5, score: 0.8, weights: 100 }, { layer: 'd', sparsity: 0.9, score: 0.4, weights: 100 },
      ],
    };
    const proposal = proposeSparsities(scan, 0.45);
    expect(proposal.sparsities).to.deep.equal({ c: 0.9, d: 0 });
    expect(proposal.predictedScore).to.be.closeTo(0.7, 1e-12);
  });

  it('breaks ties by layer order and reaches the target with a scan of a model', async () => {
    const tie: SensitivityScan = { baseline: 0, rows: [{ layer: 'x', sparsity: 0.5, score: -1, weights: 10 }, { layer: 'y', sparsity: 0.5, score: -1, weights: 10 }] };
    expect(proposeSparsities(tie, 0.25).sparsities).to.deep.equal({ x: 0.5, y: 0 });
    const model = mlp();
    const x = tf.tensor2d(Float32Array.from({ length: 60 }, (_, i) => Math.sin(i)), [10, 6]);
    const reference = tf.tidy(() => model.predict(x) as tf.Tensor);
    // Higher is better: minus the distance to the unpruned outputs.
    const evaluate = (m: tf.LayersModel) => -tf.tidy(() => tf.sub(m.predict(x) as tf.Tensor, reference).abs().mean().dataSync()[0]);
    const scan = await sensitivityScan(model, evaluate, { sparsities: [0.3, 0.6, 0.9] });
    const proposal = proposeSparsities(scan, 0.6);
    pruneModel(model, { sparsity: proposal.sparsities });
    const reports = findPrunableLayers(model).map((l: PrunableLayer) => layerPruningReport(l));
    // Each layer's count is rounded: the overall sparsity is within half an entry per layer of the target.
    expect(overallSparsity(reports)).to.be.closeTo(0.6, 1.5 / 192);
    tf.dispose([x, reference]);
    model.dispose();
  });

  it('rejects bad tables and targets beyond the scan', () => {
    expect(() => proposeSparsities(table, 0.95)).to.throw(
      'proposeSparsities: target 0.95 exceeds 0.9, the overall sparsity with every layer at its largest scanned sparsity; scan higher sparsities.');
    expect(() => proposeSparsities(table, 1.5)).to.throw(RangeError, 'proposeSparsities: target must be a number in [0, 1]; received 1.5');
    expect(() => proposeSparsities(null as never, 0.5)).to.throw(TypeError,
      'proposeSparsities: scan must be a sensitivityScan result {baseline: number, rows: [{layer, sparsity, score, weights}]}; received null.');
    expect(() => proposeSparsities({ baseline: 1, rows: [] }, 0.5)).to.throw(TypeError, 'its rows are empty.');
    expect(() => proposeSparsities({ rows: table.rows } as never, 0.5)).to.throw(TypeError, 'its baseline is undefined.');
    const row = { layer: 'a', sparsity: 0.5, score: 1, weights: 10 };
    const bad = (r: object) => () => proposeSparsities({ baseline: 1, rows: [row, r] as never }, 0.1);
    expect(bad({ ...row, layer: 3 })).to.throw(TypeError, 'proposeSparsities: scan.rows[1].layer must be a layer name; received 3.');
    expect(bad({ ...row, sparsity: 2 })).to.throw(RangeError, 'proposeSparsities: scan.rows[1].sparsity must be a number in [0, 1]; received 2');
    expect(bad({ ...row, score: NaN })).to.throw(TypeError, 'proposeSparsities: scan.rows[1].score must be a finite number; received NaN.');
    expect(bad({ ...row, weights: 2.5 })).to.throw(TypeError, 'proposeSparsities: scan.rows[1].weights must be a non-negative integer; received 2.5.');
    expect(bad({ ...row, sparsity: 0.6, weights: 11 })).to.throw("proposeSparsities: scan.rows[1] gives layer 'a' 11 weights, an earlier row 10.");
    expect(bad(row)).to.throw("proposeSparsities: scan.rows[1] repeats sparsity 0.5 for layer 'a'.");
    expect(bad([] as never)).to.throw(TypeError, 'proposeSparsities: scan.rows[1] must be a row {layer, sparsity, score, weights}; received an array.');
  });
});
