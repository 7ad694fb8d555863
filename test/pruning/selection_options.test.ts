// The selection options through pruneModel, on every prunable kind: scope, N:M, random and blocks.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  findPrunableLayers, makePrunable, prunableConv2d, prunableConv2dTranspose, prunableDense, prunableDepthwiseConv2d, PrunableLayer,
  prunableSeparableConv2d, pruneModel,
} from '../../src';
import { blockLayout, selectBlockMask } from '../../src/masks/block_selection';
import { selectGlobalUnitMasks, selectMagnitudeMasks } from '../../src/masks/mask_selection';
import { selectNMMask } from '../../src/masks/nm_selection';
import { resolveSelection } from '../../src/pruning/selection_options';
import { convolutionalModels, randomizeModel } from '../io/fixtures';
import { expectSameArray, expectZerosKept } from '../masks/reference';
import { describeOnBackends } from '../support/backends';
import { countZeros } from '../support/counts';
import { expectNoTensorLeak } from '../support/memory';
import { fraction } from '../support/fraction';

/** One masked weight of a model, read out. */
interface Entry {
  layer: PrunableLayer;
  name: string;
  shape: number[];
  weight: Float32Array;
  mask: Float32Array;
}

function entries(model: tf.LayersModel, names?: string[]): Entry[] {
  return findPrunableLayers(model).filter((l) => names === undefined || names.includes(l.name)).flatMap((layer) =>
    layer.maskedWeights.map((m) => ({
      layer, name: m.name, shape: m.weight.shape as number[],
      weight: Float32Array.from(m.weight.read().dataSync()), mask: Float32Array.from(m.mask.read().dataSync()),
    })));
}

/** Every prunable convolution kind and a Dense, seeded: conv [3,3,2,4], dw [3,3,4,2], sep [3,3,8,1] + [1,1,8,3], up [2,2,2,3], out [288,3]. */
function cnn(seed = 91): tf.LayersModel {
  const [model, sequence] = convolutionalModels(seed);
  const prunable = makePrunable(model);
  model.dispose();
  sequence.dispose();
  return prunable;
}

/** Kinds whose input axes 4 divides: conv [3,3,4,8], sep [3,3,8,1] + [1,1,8,4], up [2,2,4,4] (in = 4), out [576,3]; and dw. */
function nmModel(withDepthwise = false): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      prunableConv2d({ filters: 8, kernelSize: 3, padding: 'same', inputShape: [6, 6, 4], name: 'conv' }),
      prunableSeparableConv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'sep' }),
      ...(withDepthwise ? [prunableDepthwiseConv2d({ kernelSize: 1, name: 'dw' })] : []),
      prunableConv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, name: 'up' }),
      tf.layers.flatten(),
      prunableDense({ units: 3, name: 'out' }),
    ],
  });
  randomizeModel(model, 3);
  for (const layer of findPrunableLayers(model)) for (const m of layer.maskedWeights) layer.setMask(new Float32Array(m.mask.read().size).fill(1), m.name);
  return model;
}

describeOnBackends('pruneModel: scope', () => {
  it("'global' weight: one threshold over all layers, exact total count, no pruned |w| above a kept one", () => {
    const model = cnn();
    const before = entries(model);
    const total = before.reduce((n, e) => n + e.weight.length, 0);
    const report = pruneModel(model, { sparsity: 0.7, scope: 'global' });
    const after = entries(model);
    expect(after.reduce((n, e) => n + countZeros(e.mask), 0)).to.equal(Math.round(0.7 * total));
    let maxPruned = 0;
    let minKept = Infinity;
    after.forEach((e) => e.mask.forEach((m, i) => {
      if (m === 0) maxPruned = Math.max(maxPruned, Math.abs(e.weight[i]));
      else minKept = Math.min(minKept, Math.abs(e.weight[i]));
    }));
    expect(maxPruned).to.be.at.most(minKept);
    // The layers no longer share one sparsity; the pooled pure selection picked the same masks.
    expect(new Set(report.map((r) => r.sparsity.toFixed(3))).size).to.be.above(1);
    const pooled = selectMagnitudeMasks(before.map((e) => ({ values: e.weight, currentMask: e.mask })), fraction(0.7));
    after.forEach((e, i) => expectSameArray(e.mask, pooled[i], `${e.layer.name}/${e.name}`));
    model.dispose();
  });

  it("'global' weight: layers with larger weights keep more; ties go to the earlier layer, then the lower index", () => {
    const model = tf.sequential({ layers: [prunableDense({ units: 4, inputShape: [5], name: 'a' }), prunableDense({ units: 4, name: 'b' })] });
    const [a, b] = findPrunableLayers(model);
    const setKernel = (layer: PrunableLayer, value: (i: number) => number) => tf.tidy(() => {
      const w = layer.maskedWeights[0].weight;
      w.write(tf.tensor(Float32Array.from({ length: w.read().size }, (_, i) => value(i)), w.shape as number[]));
    });
    setKernel(a, (i) => 0.01 * (i + 1));
    setKernel(b, (i) => 10 + i);
    // 22 of 36 entries: all 20 of a's, then b's two smallest.
    pruneModel(model, { sparsity: 22 / 36, scope: 'global' });
    expect([a.sparsity(), b.sparsity()]).to.deep.equal([1, 0.125]);
    // All equal: the earliest entries go first.
    setKernel(a, () => 1);
    setKernel(b, () => -1);
    a.setMask(new Float32Array(20).fill(1));
    b.setMask(new Float32Array(16).fill(1));
    pruneModel(model, { sparsity: 0.75, scope: 'global' });
    expect([a.sparsity(), b.sparsity()]).to.deep.equal([1, 7 / 16]);
    const mask = b.getMask();
    expect(Array.from(mask.dataSync()).indexOf(1)).to.equal(7);
    mask.dispose();
    // The order of `layers` decides: b first.
    a.setMask(new Float32Array(20).fill(1));
    b.setMask(new Float32Array(16).fill(1));
    pruneModel(model, { sparsity: 0.5, scope: 'global', layers: ['b', 'a'] });
    expect([a.sparsity(), b.sparsity()]).to.deep.equal([0.1, 1]);
    model.dispose();
  });

  it("'global' weight: entries pruned before stay pruned and count", () => {
    const model = cnn();
    pruneModel(model, { sparsity: 0.5, layers: ['out'] });
    const before = entries(model);
    const total = before.reduce((n, e) => n + e.weight.length, 0);
    const outPruned = countZeros(before[before.length - 1].mask);
    // Fewer than out's zeros alone: nothing more goes, and nothing comes back.
    pruneModel(model, { sparsity: outPruned / total / 2, scope: 'global' });
    const after = entries(model);
    after.forEach((e, i) => expectSameArray(e.mask, before[i].mask, `${e.layer.name}/${e.name}`));
    pruneModel(model, { sparsity: 0.6, scope: 'global' });
    const later = entries(model);
    expect(later.reduce((n, e) => n + countZeros(e.mask), 0)).to.equal(Math.round(0.6 * total));
    later.forEach((e, i) => expectZerosKept(before[i].mask, e.mask, `${e.layer.name}/${e.name}`));
    model.dispose();
  });

  it("'global' unit: units of all layers ranked by RMS, exactly round(k · units) of them", () => {
    const model = cnn();
    const names = ['conv', 'dw', 'sep', 'up'];
    const layers = findPrunableLayers(model, names);
    const before = layers.map((l) => l.maskedWeights.map((m) => ({
      values: Float32Array.from(m.weight.read().dataSync()), layout: m.units, currentMask: Float32Array.from(m.mask.read().dataSync()),
    })).filter((w) => w.layout !== null) as Array<{ values: Float32Array; layout: { outer: number; units: number; inner: number }; currentMask: Float32Array }>);
    const report = pruneModel(model, { method: 'unit', sparsity: 0.5, scope: 'global', layers: names });
    const units = report.reduce((n, r) => n + r.units, 0);
    expect(report.reduce((n, r) => n + r.prunedUnits, 0)).to.equal(Math.round(0.5 * units));
    const expected = selectGlobalUnitMasks(before.map((weights) => ({ weights })), fraction(0.5));
    layers.forEach((l, i) => {
      const masks = l.maskedWeights.filter((m) => m.units !== null).map((m) => m.mask.read().dataSync());
      masks.forEach((mask, j) => expectSameArray(mask, expected[i][j], `${l.name} ${j}`));
    });
    // The separable layer's depthwise kernel holds no unit: its mask stays.
    expect(countZeros(findPrunableLayers(model, ['sep'])[0].getMask('depthwise_kernel').dataSync())).to.equal(0);
    model.dispose();
  });

  it("'global' blocks and 'global' random: exact counts over all the layers' blocks or entries", () => {
    const model = cnn();
    const before = entries(model, ['conv', 'sep', 'out']);
    pruneModel(model, { sparsity: 0.4, scope: 'global', blockShape: [2, 1], layers: ['conv', 'sep', 'out'] });
    const blocks = before.reduce((n, e) => {
      const { outer, rows, cols } = blockLayout(e.shape);
      return n + outer * Math.ceil(rows / 2) * cols;
    }, 0);
    const zeroBlocks = entries(model, ['conv', 'sep', 'out']).reduce((n, e) => {
      const { outer, rows, cols } = blockLayout(e.shape);
      let zero = 0;
      for (let o = 0; o < outer; o++) for (let r = 0; r < rows; r += 2) for (let c = 0; c < cols; c++) {
        const rowsIn = Math.min(2, rows - r);
        let all = true;
        for (let t = 0; t < rowsIn; t++) all = all && e.mask[(o * rows + r + t) * cols + c] === 0;
        if (all) zero++;
      }
      return n + zero;
    }, 0);
    expect(zeroBlocks).to.equal(Math.round(0.4 * blocks));
    const model2 = cnn();
    pruneModel(model2, { method: 'random', seed: 5, sparsity: 0.3, scope: 'global' });
    const all = entries(model2);
    expect(all.reduce((n, e) => n + countZeros(e.mask), 0)).to.equal(Math.round(0.3 * all.reduce((n, e) => n + e.mask.length, 0)));
    model.dispose();
    model2.dispose();
  });

  it("'global' selects every mask before setting any: a NaN in the last layer changes none", () => {
    const model = cnn();
    const out = findPrunableLayers(model, ['out'])[0];
    tf.tidy(() => {
      const w = out.maskedWeights[0].weight;
      const values = w.read().dataSync().slice();
      values[7] = NaN;
      w.write(tf.tensor(values, w.shape as number[]));
    });
    expect(() => pruneModel(model, { sparsity: 0.5, scope: 'global' })).to.throw(
      "PrunableDense 'out': weights must not hold NaN or Infinity; found NaN at flat index 7");
    expect(() => pruneModel(model, { method: 'unit', sparsity: 0.5, scope: 'global', layers: findPrunableLayers(model) }))
      .to.throw("PrunableDense 'out': weights must not hold NaN");
    expect(() => pruneModel(model, { sparsity: 0.5, scope: 'global', blockShape: [2, 2] })).to.throw("PrunableDense 'out': weights must not hold NaN");
    for (const layer of findPrunableLayers(model)) expect(layer.sparsity(), layer.name).to.equal(0);
    model.dispose();
  });
});

describeOnBackends("pruneModel: method 'nm'", () => {
  it('keeps n of every m entries along the input axis of Dense, Conv2D, Conv2DTranspose and SeparableConv2D kernels', () => {
    const model = nmModel();
    const before = entries(model);
    const report = pruneModel(model, { method: 'nm' });
    const axes: Record<string, number | null> = { conv: 2, depthwise_kernel: null, pointwise_kernel: 2, up: 3, out: 0 };
    for (const e of before) {
      const mask = Float32Array.from(e.layer.maskedWeights.find((m) => m.name === e.name)!.mask.read().dataSync());
      const axis = axes[e.name === 'kernel' ? e.layer.name : e.name];
      const label = `${e.layer.name}/${e.name}`;
      if (axis === null) {
        expect(countZeros(mask), `${label} stays`).to.equal(0);
        continue;
      }
      expectSameArray(mask, selectNMMask(e.weight, e.shape, axis, 2, 4), label);
      expect(countZeros(mask), label).to.equal(mask.length / 2);
    }
    expect(report.map((r) => r.layer)).to.deep.equal(['conv', 'sep', 'up', 'out']);
    // The pattern, checked directly on the Dense kernel [576, 3]: every 4 consecutive inputs of a unit keep 2.
    const out = entries(model, ['out'])[0];
    for (let u = 0; u < 3; u++) {
      for (let g = 0; g < 576; g += 4) {
        const group = [0, 1, 2, 3].map((t) => out.mask[(g + t) * 3 + u]);
        expect(group.filter((m) => m === 1).length).to.equal(2);
        const kept = Math.min(...[0, 1, 2, 3].filter((t) => group[t] === 1).map((t) => Math.abs(out.weight[(g + t) * 3 + u])));
        const pruned = Math.max(...[0, 1, 2, 3].filter((t) => group[t] === 0).map((t) => Math.abs(out.weight[(g + t) * 3 + u])));
        expect(pruned).to.be.at.most(kept);
      }
    }
    model.dispose();
  });

  it('takes n and m, keeps what was pruned before, and is idempotent', () => {
    const model = nmModel();
    pruneModel(model, { sparsity: 0.3 });
    const before = entries(model);
    pruneModel(model, { method: 'nm', n: 1, m: 4, layers: ['out', 'conv'] });
    const after = entries(model);
    for (const [i, e] of after.entries()) {
      expectZerosKept(before[i].mask, e.mask, `${e.layer.name}/${e.name}`);
      if (e.layer.name === 'out' || e.layer.name === 'conv') {
        const axis = e.layer.name === 'out' ? 0 : 2;
        expectSameArray(e.mask, selectNMMask(e.weight, e.shape, axis, 1, 4, before[i].mask), e.layer.name);
      } else {
        expectSameArray(e.mask, before[i].mask, `${e.layer.name} untouched`);
      }
    }
    pruneModel(model, { method: 'nm', n: 1, m: 4, layers: ['out', 'conv'] });
    entries(model).forEach((e, i) => expectSameArray(e.mask, after[i].mask, `${e.layer.name} again`));
    model.dispose();
  });

  it('refuses a depthwise layer, an input axis m does not divide, bad n and m, a sparsity and a global scope, changing nothing', () => {
    const model = nmModel(true);
    expect(() => pruneModel(model, { method: 'nm' })).to.throw(
      "PrunableDepthwiseConv2D 'dw': method 'nm' groups entries along an input axis, and its 'depthwise_kernel' has none " +
      "(no output sums over input channels); prune it by 'weight' or 'unit' instead");
    expect(() => pruneModel(model, { method: 'nm', n: 1, m: 3, layers: ['conv'] })).to.throw(
      "PrunableConv2D 'conv': 'kernel': the input axis (axis 2 of shape [3, 3, 4, 8], length 4) must be a multiple of m = 3 for N:M pruning");
    expect(() => pruneModel(model, { method: 'nm', n: 1, m: 8, layers: ['out', 'up'] })).to.throw(
      "PrunableConv2DTranspose 'up': 'kernel': the input axis (axis 3 of shape [2, 2, 4, 4], length 4) must be a multiple of m = 8");
    expect(() => pruneModel(model, { method: 'nm', n: 5, m: 4, layers: ['conv'] })).to.throw(RangeError,
      'n must be an integer in [1, m = 4] (the entries each group of m keeps); received 5.');
    expect(() => pruneModel(model, { method: 'nm', n: 3, layers: ['conv'] })).to.not.throw();
    for (const layer of findPrunableLayers(model)) layer.maskedWeights.forEach((m) => layer.setMask(new Float32Array(m.mask.read().size).fill(1), m.name));
    expect(() => pruneModel(model, { method: 'nm', m: 0 })).to.throw(RangeError, 'm must be a positive integer (the group size of N:M pruning); received 0.');
    expect(() => pruneModel(model, { method: 'nm', sparsity: 0.5, layers: ['conv'] })).to.throw(
      "sparsity does not apply to method 'nm', whose pattern sets it (1 - n/m = 0.5); received 0.5. Leave it out.");
    expect(() => pruneModel(model, { method: 'nm', scope: 'global', layers: ['conv'] })).to.throw(
      "scope 'global' does not apply to method 'nm': an N:M pattern is chosen within each group of m entries.");
    expect(() => pruneModel(model, { sparsity: 0.5, n: 2 })).to.throw("n applies to method 'nm' only; the method is 'weight'.");
    for (const layer of findPrunableLayers(model)) expect(layer.sparsity(), layer.name).to.equal(0);
    model.dispose();
  });
});

describeOnBackends("pruneModel: method 'random'", () => {
  it('prunes exactly round(k · size) entries of each masked weight, reproducibly for a seed, masks only growing', () => {
    const [a, b] = [cnn(1), cnn(2)];
    pruneModel(a, { method: 'random', sparsity: 0.4, seed: 11 });
    // Other weights, the same seed: random pruning ignores the weights.
    pruneModel(b, { method: 'random', sparsity: 0.4, seed: 11 });
    const [ea, eb] = [entries(a), entries(b)];
    ea.forEach((e, i) => {
      expect(countZeros(e.mask), `${e.layer.name}/${e.name}`).to.equal(Math.round(0.4 * e.mask.length));
      expectSameArray(e.mask, eb[i].mask, `${e.layer.name}/${e.name} seed 11`);
    });
    pruneModel(a, { method: 'random', sparsity: 0.7, seed: 12 });
    entries(a).forEach((e, i) => {
      expect(countZeros(e.mask)).to.equal(Math.round(0.7 * e.mask.length));
      expectZerosKept(ea[i].mask, e.mask, `${e.layer.name}/${e.name}`);
    });
    pruneModel(b, { method: 'random', sparsity: 0.7, seed: 13 });
    expect(entries(b).some((e, i) => entries(a)[i].mask.some((m, j) => m !== e.mask[j]))).to.equal(true);
    a.dispose();
    b.dispose();
  });

  it('rejects a bad seed, and a seed for another method', () => {
    const model = cnn();
    expect(() => pruneModel(model, { method: 'random', sparsity: 0.5, seed: -1 })).to.throw(RangeError, 'seed must be an integer in [0, 4294967295]; received -1.');
    expect(() => pruneModel(model, { method: 'random', sparsity: 0.5, seed: '1' as never })).to.throw(TypeError, 'received string "1".');
    expect(() => pruneModel(model, { method: 'unit', sparsity: 0.5, seed: 1 })).to.throw("seed applies to method 'random' only; the method is 'unit'.");
    model.dispose();
  });
});

describeOnBackends('pruneModel: blockShape', () => {
  it('prunes whole blocks of the last two axes of Dense, Conv2D and both SeparableConv2D kernels, in exact counts', () => {
    const model = cnn();
    const before = entries(model);
    pruneModel(model, { sparsity: 0.5, blockShape: [2, 2] });
    for (const [i, e] of entries(model).entries()) {
      expectSameArray(e.mask, selectBlockMask(before[i].weight, e.shape, [2, 2], 0.5), `${e.layer.name}/${e.name}`);
    }
    model.dispose();
  });

  it('rejects a bad block shape, and blocks for another method', () => {
    const model = cnn();
    for (const bad of [[0, 2], [2], [2.5, 1], 'x', [1, -1]]) {
      expect(() => pruneModel(model, { sparsity: 0.5, blockShape: bad as never })).to.throw('blockShape must be [rows, cols], two positive integers; received');
    }
    expect(() => pruneModel(model, { method: 'unit', sparsity: 0.5, blockShape: [2, 2] })).to.throw(
      "blockShape applies to method 'weight' only; the method is 'unit'.");
    expect(() => pruneModel(model, { sparsity: 0.5, scope: 'layers' as never })).to.throw("scope must be one of 'layer', 'global'; received string \"layers\".");
    for (const layer of findPrunableLayers(model)) expect(layer.sparsity()).to.equal(0);
    model.dispose();
  });
});

describeOnBackends('pruneModel: the new options leak no tensor', () => {
  it('over repeated pruning with every option', async () => {
    const model = nmModel();
    await expectNoTensorLeak(() => {
      pruneModel(model, { method: 'nm' });
      pruneModel(model, { method: 'random', sparsity: 0.6, seed: 1 });
      pruneModel(model, { sparsity: 0.7, scope: 'global' });
      pruneModel(model, { method: 'unit', sparsity: 0.5, scope: 'global', layers: ['conv', 'sep'] });
      pruneModel(model, { sparsity: 0.8, blockShape: [2, 2], scope: 'global' });
      pruneModel(model, { sparsity: { conv: 0.9, out: 0.85 } });
    });
    model.dispose();
  });
});

describe('resolveSelection', () => {
  it('fills in the defaults and checks every option against the methods in use', () => {
    const s = resolveSelection({}, ['weight']);
    expect([s.scope, s.n, s.m, s.blockShape]).to.deep.equal(['layer', 2, 4, null]);
    expect(resolveSelection({ blockShape: [4, 1] }, ['unit', 'weight']).blockShape).to.deep.equal([4, 1]);
    expect(() => resolveSelection({ m: 8 }, ['weight', 'unit'])).to.throw("m applies to method 'nm' only; the methods are 'weight', 'unit'.");
    expect(() => resolveSelection({ scope: 'global' }, ['nm', 'nm'])).to.throw("scope 'global' does not apply to method 'nm'");
    expect(resolveSelection({ scope: 'global' }, ['nm', 'weight']).scope).to.equal('global');
    const [a, b] = [resolveSelection({ seed: 3 }, ['random']).random, resolveSelection({ seed: 3 }, ['random']).random];
    expect([a(), a()]).to.deep.equal([b(), b()]);
  });
});
