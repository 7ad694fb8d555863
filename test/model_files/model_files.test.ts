import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  compactModelFile, loadPrunableModel, ModelFileError, prunableConv2d, prunableDense, pruneModelFile, stripModelFile, summarizeModelFile,
} from '../../src';
import { artifactsFromModel } from '../../src/model_files/model_artifacts';
import { expectNoTensorLeak } from '../support/memory';

/** A prunable CNN with seeded weights, as artifacts. */
async function prunableArtifacts(): Promise<tf.io.ModelArtifacts> {
  const model = tf.sequential({ name: 'cnn', layers: [
    prunableConv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1], name: 'conv1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.flatten({ name: 'flatten' }),
    prunableDense({ units: 8, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    prunableDense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ] });
  const artifacts = await artifactsFromModel(model);
  model.dispose();
  return artifacts;
}

/** `artifacts`' model's prediction of a fixed input, read back; the model disposed. */
async function predict(artifacts: tf.io.ModelArtifacts): Promise<Float32Array> {
  const model = await loadPrunableModel(tf.io.fromMemory(artifacts));
  const x = tf.linspace(-1, 1, 2 * 36).reshape([2, 6, 6, 1]);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return values;
}

const classNames = (artifacts: tf.io.ModelArtifacts) =>
  ((artifacts.modelTopology as { config: { layers: Array<{ class_name: string }> } }).config.layers).map((l) => l.class_name);

describe('model file operations (browser-safe, on artifacts)', () => {
  let artifacts: tf.io.ModelArtifacts;
  before(async () => {
    artifacts = await prunableArtifacts();
  });

  it("summarize: pruningSummary's rows and table; a plain model as makePrunable sees it", async () => {
    const report = await summarizeModelFile(artifacts, { source: 'cnn.json', compaction: true });
    expect(report).to.deep.include({ source: 'cnn.json', model: 'cnn', prunable: true });
    expect(report.summary.layers.map((r) => [r.layer, r.output])).to.deep.equal([['conv1', false], ['hidden', false], ['out', true]]);
    expect(report.summary.compaction!.layers.map((l) => l.layer)).to.deep.equal(['conv1', 'hidden', 'out']);
    expect(report.table[0]).to.equal("Pruning summary of model 'cnn'");
    const plain = await stripModelFile(artifacts);
    const view = await summarizeModelFile(plain.artifacts);
    expect(view.prunable).to.equal(false);
    expect(view.summary.layers.map((r) => r.className)).to.deep.equal(['PrunableConv2D', 'PrunableDense', 'PrunableDense']);
    // Masks are no parameters: the prunable model counts what its stripped copy counts (conv 3x3x1x4 + 4, dense 64x8 + 8, 8x3 + 3).
    const parameters = 9 * 4 + 4 + 64 * 8 + 8 + 8 * 3 + 3;
    expect([report.parameters, view.parameters, plain.report.parameters]).to.deep.equal([parameters, parameters, parameters]);
  });

  it('prune, then strip and compact: a prunable checkpoint, then plain models that predict what it predicts', async () => {
    const pruned = await pruneModelFile(artifacts, { method: 'unit', sparsity: 0.5, source: 'cnn.json' });
    expect(pruned.report.layers.map((r) => [r.layer, r.prunedUnits])).to.deep.equal([['conv1', 2], ['hidden', 4]]);
    expect(pruned.report).to.deep.include({ converted: false, model: 'cnn' });
    expect(pruned.report.warning).to.match(/^one-shot pruning without fine-tuning costs accuracy/);
    const reloaded = await loadPrunableModel(tf.io.fromMemory(pruned.artifacts));
    expect(reloaded.layers.filter((l) => 'sparsity' in l).map((l) => (l as unknown as { sparsity(): number }).sparsity()))
      .to.deep.equal([0.5, 0.5, 0]);
    reloaded.dispose();
    const rows = (await summarizeModelFile(pruned.artifacts)).layers;
    expect(rows.map((r) => [r.layer, r.outputShape, r.sparsity, r.prunedUnits])).to.deep.equal([
      ['conv1', [null, 4, 4, 4], 0.5, 2], ['flatten', [null, 64], null, null], ['hidden', [null, 8], 0.5, 4], ['out', [null, 3], 0, 0]]);
    expect(rows.map((r) => r.macs)).to.deep.equal([16 * 9 * 4, 0, 64 * 8, 8 * 3]);

    const stripped = await stripModelFile(pruned.artifacts);
    expect(classNames(stripped.artifacts)).to.deep.equal(['Conv2D', 'Flatten', 'Dense', 'Dense']);
    expect(stripped.report).to.deep.include({ stripped: ['conv1', 'hidden', 'out'], dtype: 'float32' });
    const compact = await compactModelFile(pruned.artifacts, { quantize: 'float16' });
    expect(compact.report.compaction.total.parameters.after).to.be.below(compact.report.compaction.total.parameters.before);
    expect(compact.report.weightBytes.after).to.be.below(compact.report.weightBytes.before / 2);
    expect(compact.report.table[0]).to.equal('Compaction (compactUnits)');
    const [expected, viaStrip, viaCompact] = await Promise.all([predict(pruned.artifacts), predict(stripped.artifacts), predict(compact.artifacts)]);
    viaStrip.forEach((v, i) => expect(v).to.be.closeTo(expected[i], 1e-6));
    viaCompact.forEach((v, i) => expect(v).to.be.closeTo(expected[i], 2e-3));
  });

  it('makes a plain model prunable before pruning it, and says so', async () => {
    const plain = (await stripModelFile(artifacts)).artifacts;
    const { report } = await pruneModelFile(plain, { sparsity: 0.75 });
    expect(report.converted).to.equal(true);
    expect(report.layers.map((r) => r.layer)).to.deep.equal(['conv1', 'hidden', 'out']);
    expect(report.sparsity).to.be.closeTo(0.75, 0.01);
  });

  it('keeps a compiled checkpoint\'s training config and optimizer state, the pruned weights\' zeroed', async () => {
    const model = await loadPrunableModel(tf.io.fromMemory(artifacts));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.linspace(-1, 1, 4 * 36).reshape([4, 6, 6, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    const compiled = await artifactsFromModel(model, undefined, true);
    tf.dispose([x, y]);
    model.dispose();
    const { artifacts: pruned, report } = await pruneModelFile(compiled, { method: 'weight', sparsity: 0.5 });
    expect(report.optimizer).to.equal(true);
    expect(pruned.trainingConfig).to.deep.equal(compiled.trainingConfig);
    const reloaded = await loadPrunableModel(tf.io.fromMemory(pruned));
    const weights = await reloaded.optimizer.getWeights();
    // Adam's iterations, and two moments per trainable weight, as saved.
    expect(weights.find((w) => w.name === 'iter')!.tensor.dataSync()[0]).to.equal(2);
    const mask = reloaded.getLayer('hidden').weights.find((w) => w.originalName.endsWith('mask'))!.read().dataSync();
    expect(Array.from(mask)).to.include(0);
    // Optimizer state keeps the names the variables had when it was made (a suffix such as _1 may differ).
    const moments = weights.filter((w) => /^hidden\/kernel(_\d+)?\/[mv]$/.test(w.name));
    expect(moments).to.have.length(2);
    for (const moment of moments) {
      const values = moment.tensor.dataSync();
      mask.forEach((m, i) => m === 0 && expect(values[i]).to.equal(0));
    }
    tf.dispose(weights.map((w) => w.tensor));
    reloaded.dispose();
    const { report: converted } = await pruneModelFile((await stripModelFile(artifacts)).artifacts, { sparsity: 0.5 });
    expect(converted.optimizer).to.equal(false);
  });

  it('fails with a ModelFileError naming the source or option, and leaks nothing', async () => {
    const failure = async (work: () => Promise<unknown>) => work().then(() => null, (e: unknown) => e as ModelFileError);
    await expectNoTensorLeak(async () => {
      const graph = await failure(() => summarizeModelFile({ format: 'graph-model', modelTopology: { node: [] } }, { source: 'g/model.json' }));
      expect(graph).to.be.instanceOf(ModelFileError);
      expect(graph).to.include({ subject: 'g/model.json' });
      expect(graph!.message).to.match(/^g\/model\.json is a graph model/);
      const plain = (await stripModelFile(artifacts)).artifacts;
      const compact = await failure(() => compactModelFile(plain, { source: 'plain' }));
      expect(compact).to.include({ subject: 'plain' });
      expect(compact!.message).to.match(/^plain has no prunable layer/);
      const quantize = await failure(() => stripModelFile(artifacts, { quantize: 'int4' as never }));
      expect(quantize).to.include({ subject: 'quantize', message: 'quantize must be one of float16, uint8, uint16; received string "int4".' });
      const options = await failure(() => pruneModelFile(artifacts, { method: 'unit', sparsity: 0.5, layers: ['nope'] }));
      expect(options).to.include({ subject: 'options' });
      expect(options!.message).to.match(/^layers: the model has no layer named 'nope'/);
      const truncated = await failure(() => summarizeModelFile({ ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(8) }, { source: 'short' }));
      expect(truncated).to.include({ subject: 'short' });
      expect(truncated!.message).to.match(/weight data of short holds/);
    });
  });
});
