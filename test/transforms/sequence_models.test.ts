// Embedding and the recurrent layers through the rest of the library: makePrunable, stripPruning,
// save and load, pruneModel, pruningSummary, the callback and maskOptimizerState, inside Bidirectional and TimeDistributed.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  compactUnits, constantSparsity, findPrunableLayers, layerPruningReport, loadPrunableModel, makePrunable, maskOptimizerState, PrunableLayer, prunableLSTM,
  pruneModel, PruningScheduleCallback, pruningSummary, stripPruning,
} from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak, expectPredictAndFitLeakNothing } from '../support/memory';
import { artifactsOf, expectCloseOutputs, randomizeModel, sequenceModels, tokensFor, weightValues, withoutPrunableLayers } from '../io/fixtures';

/** `name:class` of every layer with weights, wrapped layers inside their wrapper's brackets. */
function classes(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.weights.length > 0).map((l) => {
    const wrapped = l as unknown as { layer?: tf.layers.Layer; forwardLayer?: tf.layers.Layer };
    const inner = wrapped.forwardLayer ?? wrapped.layer;
    return `${l.name}:${l.getClassName()}${inner === undefined ? '' : `(${inner.name}:${inner.getClassName()})`}`;
  });
}

/** Fresh sequence models, made prunable, with seeded random weights and masks. */
function prunedSequenceModels(seed: number): tf.LayersModel[] {
  return sequenceModels(seed).map((model) => {
    const prunable = makePrunable(model);
    model.dispose();
    randomizeModel(prunable, seed + 10);
    return prunable;
  });
}

describeOnBackends('sequence models: makePrunable and stripPruning', () => {
  it('converts Embedding and the recurrent layers, inside TimeDistributed and both copies of a Bidirectional, computing the same', () => {
    for (const model of sequenceModels(1)) {
      const prunable = makePrunable(model);
      expect(classes(prunable)).to.deep.equal(model.name === 'text'
        ? ['embed:PrunableEmbedding', 'bi:Bidirectional(forward_lstm:PrunableLSTM)', 'gru:PrunableGRU', 'out:PrunableDense']
        : ['td:TimeDistributed(step_embed:PrunableEmbedding)', 'rnn:PrunableSimpleRNN', 'out:PrunableDense']);
      const names = (m: tf.LayersModel) => weightValues(m).map(([name]) => name);
      expect(names(prunable).filter((n) => !n.endsWith('mask'))).to.deep.equal(names(model));
      if (model.name === 'text') {
        expect(names(prunable).filter((n) => n.startsWith('bi/'))).to.include.members([
          'bi/forward_lstm/kernel_mask', 'bi/forward_lstm/recurrent_kernel_mask', 'bi/backward_lstm/kernel_mask', 'bi/backward_lstm/recurrent_kernel_mask',
        ]);
        const [forward, backward] = findPrunableLayers(prunable, ['forward_lstm', 'backward_lstm']) as Array<PrunableLayer & { goBackwards: boolean }>;
        expect([forward.goBackwards, backward.goBackwards]).to.deep.equal([false, true]);
      }
      // The weights as they were, masks of ones.
      const plain = new Map(weightValues(model));
      for (const [name, v] of weightValues(prunable)) {
        expect(v, name).to.deep.equal(name.endsWith('mask') ? v.map(() => 1) : plain.get(name));
      }
      const x = tokensFor(model);
      expectCloseOutputs(prunable, model, x);
      x.dispose();
      model.dispose();
      prunable.dispose();
    }
  });

  it("offers the filter both copies of a Bidirectional, and refuses a choice of one, naming both, creating nothing", async () => {
    const [text] = sequenceModels(2);
    const offered: string[] = [];
    const prunable = makePrunable(text, { filter: (layer) => (offered.push(layer.name), layer.name !== 'gru') });
    expect(offered).to.deep.equal(['embed', 'forward_lstm', 'backward_lstm', 'gru', 'out']);
    expect(classes(prunable)).to.include('gru:GRU');
    await expectNoTensorLeak(() => {
      expect(() => makePrunable(text, { filter: (layer) => layer.name !== 'backward_lstm' })).to.throw(
        "Cannot rebuild model 'text': its Bidirectional 'bi' builds 'forward_lstm' and 'backward_lstm' from one layer config, " +
        "so both must change alike; the rewrite selects 'forward_lstm' only.");
    });
    text.dispose();
    prunable.dispose();
  });

  it('strips to the plain classes with weight ⊙ mask, loadable without this library, computing the same', async () => {
    for (const prunable of prunedSequenceModels(3)) {
      const stripped = stripPruning(prunable);
      expect(classes(stripped)).to.deep.equal(prunable.name === 'text'
        ? ['embed:Embedding', 'bi:Bidirectional(forward_lstm:LSTM)', 'gru:GRU', 'out:Dense']
        : ['td:TimeDistributed(step_embed:Embedding)', 'rnn:SimpleRNN', 'out:Dense']);
      const folded = new Map<string, number[]>();
      for (const layer of findPrunableLayers(prunable)) {
        for (const m of layer.maskedWeights) {
          const [w, mask] = [m.weight.read().dataSync(), m.mask.read().dataSync()];
          folded.set(m.weight.originalName, Array.from(w, (v, i) => v * mask[i] + 0));
        }
      }
      for (const [name, v] of weightValues(stripped)) {
        if (folded.has(name)) expect(v, name).to.deep.equal(folded.get(name));
      }
      expect(folded.size).to.equal(prunable.name === 'text' ? 8 : 4);
      const x = tokensFor(prunable);
      expectCloseOutputs(stripped, prunable, x);
      const artifacts = await artifactsOf(stripped);
      expect(JSON.stringify(artifacts.modelTopology)).to.not.include('Prunable');
      const loaded = await withoutPrunableLayers(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)));
      expectCloseOutputs(loaded, prunable, x);
      // Compaction does not follow these layers: it strips them.
      const compact = compactUnits(prunable);
      expect(classes(compact)).to.deep.equal(classes(stripped));
      expectCloseOutputs(compact, prunable, x);
      x.dispose();
      [prunable, stripped, loaded, compact].forEach((m) => m.dispose());
    }
  });

  it('undoes makePrunable when nothing is pruned, as a plain save and load of the model would', async () => {
    for (const model of sequenceModels(4)) {
      const back = stripPruning(makePrunable(model));
      // Through its config, TF.js gives an Embedding with an input shape a dtype its constructor leaves out: compare with TF.js' own round trip.
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(await artifactsOf(model)));
      expect(back.toJSON(null, false)).to.deep.equal(reloaded.toJSON(null, false));
      expect(weightValues(back)).to.deep.equal(weightValues(model));
      [model, back, reloaded].forEach((m) => m.dispose());
    }
  });

  it('saves and loads exactly, masks of both Bidirectional copies included, and the reloaded model computes the same', async () => {
    for (const prunable of prunedSequenceModels(5)) {
      const loaded = await loadPrunableModel(tf.io.fromMemory(await artifactsOf(prunable)));
      expect(weightValues(loaded)).to.deep.equal(weightValues(prunable));
      expect(classes(loaded)).to.deep.equal(classes(prunable));
      expect(findPrunableLayers(loaded).map((l) => [l.name, l.sparsity()])).to.deep.equal(findPrunableLayers(prunable).map((l) => [l.name, l.sparsity()]));
      const x = tokensFor(prunable);
      tf.tidy(() => {
        expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).to.deep.equal(Array.from((prunable.predict(x) as tf.Tensor).dataSync()));
      });
      x.dispose();
      prunable.dispose();
      loaded.dispose();
    }
  });

  it("refuses a file whose Bidirectional lacks a copy's mask, naming the copy", async () => {
    const [text] = prunedSequenceModels(6);
    const artifacts = await artifactsOf(text);
    // Without that mask: its spec and its bytes (all weights are float32).
    const specs = artifacts.weightSpecs!;
    const index = specs.findIndex((spec) => spec.name === 'bi/backward_lstm/recurrent_kernel_mask');
    const bytes = (spec: tf.io.WeightsManifestEntry) => tf.util.sizeFromShape(spec.shape) * 4;
    const start = specs.slice(0, index).reduce((n, spec) => n + bytes(spec), 0);
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const weightData = new Uint8Array([...data.subarray(0, start), ...data.subarray(start + bytes(specs[index]))]);
    const broken = { ...artifacts, weightSpecs: specs.filter((_, i) => i !== index), weightData: weightData.buffer };
    let message = '';
    await loadPrunableModel(tf.io.fromMemory(broken)).catch((error: Error) => (message = error.message));
    expect(message).to.match(/has no weight 'bi\/backward_lstm\/recurrent_kernel_mask', the mask of the recurrent_kernel of PrunableLSTM 'bi\/backward_lstm'/);
    text.dispose();
  });
});

describeOnBackends('sequence models: pruning, the callback and the optimizer state', () => {
  it('pruneModel prunes every masked weight, both Bidirectional copies each, and pruningSummary reports them', () => {
    const [text, frames] = prunedSequenceModels(7);
    frames.dispose();
    const reports = pruneModel(text, { sparsity: 0.5 });
    expect(reports.map((r) => `${r.layer}:${r.className}`)).to.deep.equal([
      'embed:PrunableEmbedding', 'forward_lstm:PrunableLSTM', 'backward_lstm:PrunableLSTM', 'gru:PrunableGRU', 'out:PrunableDense',
    ]);
    const summary = pruningSummary(text, { method: 'weight' });
    expect(summary.layers.map((r) => r.masks.map((m) => `${m.weight} [${m.shape}]`))).to.deep.equal([
      ['embeddings [12,5]'], ['kernel [5,16]', 'recurrent_kernel [4,16]'], ['kernel [5,16]', 'recurrent_kernel [4,16]'],
      ['kernel [8,9]', 'recurrent_kernel [3,9]'], ['kernel [3,2]'],
    ]);
    // randomizeModel's masks are about half zeros already: masks only grow.
    summary.layers.forEach((r) => expect(r.sparsity, r.layer).to.be.at.least(0.5));
    // A layer selection names the copies, not their wrapper.
    expect(pruneModel(text, { sparsity: 0.6, layers: ['backward_lstm'] }).map((r) => r.layer)).to.deep.equal(['backward_lstm']);
    expect(() => pruneModel(text, { sparsity: 0.6, layers: ['bi'] })).to.throw(
      "layers: 'bi' is a Bidirectional, not a prunable layer; name the prunable layers it wraps: 'forward_lstm', 'backward_lstm'.");
    text.dispose();
  });

  it('the callback prunes them to the target while they train, and their pruned weights keep a zero Adam state', async () => {
    const [text, frames] = sequenceModels(8).map((model) => {
      const prunable = makePrunable(model);
      model.dispose();
      return prunable;
    });
    frames.dispose();
    text.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const [x, y] = [tokensFor(text, 8, 80), tf.ones([8, 2])];
    const schedule = constantSparsity({ targetSparsity: 0.8, beginStep: 0 });
    await text.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [new PruningScheduleCallback({ schedule })] });
    const layers = findPrunableLayers(text);
    for (const layer of layers) {
      for (const m of layerPruningReport(layer).masks) expect(1 - m.nonzero / m.weights, `${layer.name} ${m.weight}`).to.be.closeTo(0.8, 0.05);
    }
    // Adam's moments of each pruned weight are exactly 0: the callback masked them, and zero gradients keep them so.
    const state = await text.optimizer.getWeights();
    const moments = state.filter((s) => s.name !== 'iter').map((s) => s.tensor);
    const trained = text.trainableWeights;
    let checked = 0;
    moments.forEach((moment, i) => {
      const weight = trained[i % trained.length];
      const masked = layers.flatMap((l) => l.maskedWeights).find((m) => m.weight === weight);
      if (masked === undefined) return;
      const [values, mask] = [moment.dataSync(), masked.mask.read().dataSync()];
      mask.forEach((keep, e) => {
        if (keep === 0) expect(values[e]).to.equal(0);
      });
      checked++;
    });
    expect(checked).to.equal(2 * 8);
    // Every masked weight's two moments, once more.
    expect(await maskOptimizerState(text)).to.equal(16);
    tf.dispose([x, y]);
    text.dispose();
  });

  it('trains a PrunableLSTM inside a Bidirectional without leaking tensors', async () => {
    const model = tf.sequential({
      layers: [tf.layers.bidirectional({ layer: prunableLSTM({ units: 3 }) as never, inputShape: [4, 2], mergeMode: 'sum' })],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [tf.ones([2, 4, 2]), tf.zeros([2, 3])];
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    await expectPredictAndFitLeakNothing(model, x, y);
    tf.dispose([x, y]);
    model.dispose();
  });
});
