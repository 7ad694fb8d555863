import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { PrunableDense, prunableDense } from '../../src';
import { selectMagnitudeMask, selectUnitMask } from '../../src/masks/mask_selection';
import { layerPruningReport, selectLayerMasks, setLayerMasks } from '../../src/pruning/prune_layer';
import { pruneLayer } from '../../src/pruning/prune_model';
import { describeOnBackends } from '../support/backends';
import { countZeroColumns, countZeros } from '../support/counts';
import { expectNoTensorLeak } from '../support/memory';
import { randomMask, randomWeights } from '../support/random';
import { fraction } from '../support/fraction';

const [ROWS, COLS] = [30, 20];

function writeKernel(layer: PrunableDense, values: Float32Array): void {
  const kernel = tf.tensor2d(values, [ROWS, COLS]);
  layer.weightVariables.kernel.write(kernel);
  kernel.dispose();
}

function builtLayer(seed: number): PrunableDense {
  const layer = prunableDense({ units: COLS, name: `dense_${seed}` });
  layer.build([null, ROWS]);
  writeKernel(layer, randomWeights(ROWS * COLS, seed, 'normal'));
  return layer;
}

function disposeLayer(layer: PrunableDense): void {
  layer.weights.forEach((w) => w.dispose());
}

describeOnBackends('selectLayerMasks and setLayerMasks', () => {
  it('select what the pure selection selects from the kernel and current mask, changing nothing', () => {
    const layer = builtLayer(1);
    const current = randomMask(ROWS * COLS, 2, 0.3);
    layer.setMask(current);
    const kernel = Float32Array.from(layer.weightVariables.kernel.read().dataSync());
    expect(Array.from(selectLayerMasks(layer, 'weight', fraction(0.6))[0]!)).to.deep.equal(Array.from(selectMagnitudeMask(kernel, 0.6, current)));
    expect(Array.from(selectLayerMasks(layer, 'unit', fraction(0.5))[0]!)).to.deep.equal(
      Array.from(selectUnitMask(kernel, ROWS, COLS, 0.5, current)));
    expect(Array.from(layer.weightVariables.kernel.read().dataSync())).to.deep.equal(Array.from(kernel));
    expect(Array.from(layer.weightVariables.mask.read().dataSync())).to.deep.equal(Array.from(current));
    disposeLayer(layer);
  });

  it('set the mask and report it; the layer computes with it', () => {
    const layer = builtLayer(3);
    const mask = selectLayerMasks(layer, 'unit', fraction(0.25))[0]!;
    const report = setLayerMasks(layer, [mask]);
    expect(report).to.deep.include({ layer: 'dense_3', className: 'PrunableDense', weights: ROWS * COLS, units: COLS, prunedUnits: 5 });
    expect(report.masks).to.deep.equal([{ weight: 'kernel', shape: [ROWS, COLS], weights: ROWS * COLS, nonzero: report.nonzero }]);
    expect(report.nonzero).to.equal(ROWS * COLS - countZeros(mask));
    expect(report).to.deep.equal(layerPruningReport(layer));
    expect(Array.from(layer.weightVariables.mask.read().dataSync())).to.deep.equal(Array.from(mask));
    tf.tidy(() => {
      const output = layer.apply(tf.ones([1, ROWS])) as tf.Tensor;
      const expected = tf.add(tf.matMul(tf.ones([1, ROWS]), tf.mul(layer.weightVariables.kernel.read(),
        tf.tensor2d(mask, [ROWS, COLS]))), layer.weightVariables.bias!.read());
      expect(tf.max(tf.abs(tf.sub(output, expected))).dataSync()[0]).to.be.below(1e-5);
    });
    disposeLayer(layer);
  });

  it('setLayerMasks rejects a mask of the wrong size and keeps the old one', () => {
    const layer = builtLayer(4);
    expect(() => setLayerMasks(layer, [new Float32Array(ROWS * COLS - 1)])).to.throw(
      Error, `mask of 'kernel' must have ${ROWS * COLS} elements (the weight's size); received ${ROWS * COLS - 1}`);
    expect(layer.sparsity()).to.equal(0);
    disposeLayer(layer);
  });

  it('selectLayerMasks names the layer when its kernel is not finite', () => {
    const layer = builtLayer(5);
    const kernel = randomWeights(ROWS * COLS, 5, 'normal');
    kernel[17] = NaN;
    writeKernel(layer, kernel);
    expect(() => selectLayerMasks(layer, 'weight', fraction(0.5))).to.throw(
      Error, "PrunableDense 'dense_5': weights must not hold NaN or Infinity; found NaN at flat index 17");
    disposeLayer(layer);
  });

  it('layerPruningReport counts -0 in a mask as pruned', () => {
    const layer = builtLayer(6);
    const mask = new Float32Array(ROWS * COLS).fill(1);
    for (let r = 0; r < ROWS; r++) mask[r * COLS + 2] = -0;
    layer.setMask(mask);
    expect(layerPruningReport(layer)).to.deep.include({ nonzero: ROWS * (COLS - 1), prunedUnits: 1 });
    disposeLayer(layer);
  });

  it('pruneLayer and layerPruningReport reject what is not a PrunableDense, naming what was received', () => {
    const dense = tf.layers.dense({ units: 3, name: 'plain' });
    expect(() => pruneLayer(dense as unknown as PrunableDense, { sparsity: 0.5 })).to.throw(TypeError,
      "pruneLayer: layer must be a prunable layer (such as prunableDense or prunableConv2d, or from makePrunable, which converts " +
      "'Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Embedding', 'SimpleRNN', 'LSTM', 'GRU'); received a Dense layer 'plain'.");
    expect(() => layerPruningReport({ name: 'fake' } as unknown as PrunableDense)).to.throw(TypeError,
      'layerPruningReport: layer must be a prunable layer (such as prunableDense or prunableConv2d, or from makePrunable, which converts ' +
      "'Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Embedding', 'SimpleRNN', 'LSTM', 'GRU'); received an object.");
    expect(() => layerPruningReport(undefined as unknown as PrunableDense)).to.throw(TypeError, 'received undefined.');
  });

  it("pruneLayer takes pruneModel's options: random to exact counts, 'nm' by its pattern", () => {
    const layer = builtLayer(8);
    expect(countZeros(selectLayerMasks(layer, 'random', fraction(0.35))[0]!)).to.equal(Math.round(0.35 * ROWS * COLS));
    expect(pruneLayer(layer, { method: 'random', sparsity: 0.5, seed: 3 }).nonzero).to.equal(ROWS * COLS / 2);
    const nm = builtLayer(9);
    expect(pruneLayer(nm, { method: 'nm', n: 1, m: 5 }).nonzero).to.equal(ROWS * COLS / 5);
    expect(() => pruneLayer(nm, { sparsity: 0.5, layers: ['x'] } as never)).to.throw(
      "pruneLayer: unknown option 'layers'; options are method, sparsity, scope, n, m, seed, blockShape, roundTo.");
    disposeLayer(layer);
    disposeLayer(nm);
  });

  it('pruneLayer refuses the positional form it used to take, saying what changed, and changes nothing', () => {
    const layer = builtLayer(10);
    const call = pruneLayer as unknown as (...args: unknown[]) => unknown;
    expect(() => call(layer, 'unit', 0.5)).to.throw(TypeError,
      "pruneLayer takes options, as pruneModel does: pruneLayer(layer, {method: \"unit\", sparsity: 0.5}); " +
      'the form pruneLayer(layer, method, sparsity) is gone.');
    expect(layerPruningReport(layer).nonzero).to.equal(ROWS * COLS);
    disposeLayer(layer);
  });

  it('pruneLayer leaks no tensor', async () => {
    const layer = builtLayer(7);
    await expectNoTensorLeak(() => {
      pruneLayer(layer, { method: 'weight', sparsity: 0.5 });
      pruneLayer(layer, { method: 'unit', sparsity: 0.5 });
    });
    const mask = layer.getMask();
    expect(countZeroColumns(mask.dataSync(), ROWS, COLS)).to.equal(10);
    mask.dispose();
    disposeLayer(layer);
  });
});
