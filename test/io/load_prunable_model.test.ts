import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { loadPrunableModel, PrunableDense, prunableDense } from '../../src';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { artifactsOf, expectSameModel, nestedPrunableModel, withoutPrunableLayers, wrappedPrunableModel } from './fixtures';

/** Artifacts with the weight data replaced. */
function withWeightData(artifacts: tf.io.ModelArtifacts, data: ArrayBuffer): tf.io.ModelArtifacts {
  return { ...artifacts, weightData: data };
}

/** Index of the first float of weight `name` in the float32 weight data. */
function floatOffset(artifacts: tf.io.ModelArtifacts, name: string): number {
  let offset = 0;
  for (const spec of artifacts.weightSpecs!) {
    if (spec.name === name) return offset;
    offset += tf.util.sizeFromShape(spec.shape);
  }
  throw new Error(`no weight ${name}`);
}

async function expectLoadError(artifacts: tf.io.ModelArtifacts, pattern: RegExp): Promise<void> {
  await expectNoTensorLeak(async () => {
    let error: Error | null = null;
    await loadPrunableModel(tf.io.fromMemory(artifacts)).catch((e: Error) => { error = e; });
    expect(error, 'load should fail').to.be.an('error');
    expect((error as unknown as Error).message).to.match(pattern);
  });
}

describeOnBackends('loadPrunableModel: in-memory round trip', () => {
  it('restores kernel, bias, mask, config, sparsity and predictions exactly (functional model, nested Sequential)', async () => {
    const model = nestedPrunableModel(3);
    const artifacts = await artifactsOf(model);
    for (const load of [
      () => loadPrunableModel(tf.io.fromMemory(artifacts)),
      () => tf.loadLayersModel(tf.io.fromMemory(artifacts)),
    ]) {
      const loaded = await load();
      expect(loaded.getLayer('hidden')).to.be.instanceOf(PrunableDense);
      expectSameModel(loaded, model);
      loaded.dispose();
    }
    model.dispose();
  });

  it('saves masks as 4-byte float32 values, also on cpu (no cast(bool) corruption)', async () => {
    const model = nestedPrunableModel(4);
    const artifacts = await artifactsOf(model);
    const mask = artifacts.weightSpecs!.find((s) => s.name === 'hidden/mask')!;
    expect(mask).to.deep.include({ dtype: 'float32', shape: [5, 4] });
    const total = artifacts.weightSpecs!.reduce((n, s) => n + tf.util.sizeFromShape(s.shape), 0);
    expect((artifacts.weightData as ArrayBuffer).byteLength).to.equal(4 * total);
    model.dispose();
  });
});

describe('loadPrunableModel: errors', () => {
  let artifacts: tf.io.ModelArtifacts;
  before(async () => {
    const model = nestedPrunableModel(6);
    artifacts = await artifactsOf(model);
    model.dispose();
  });

  it('rejects weight data shorter or longer than the specs', async () => {
    const data = artifacts.weightData as ArrayBuffer;
    await expectLoadError(withWeightData(artifacts, data.slice(0, data.byteLength - 8)),
      new RegExp(`holds ${data.byteLength - 8} bytes, but its weight specs describe ${data.byteLength}: the weights are truncated`));
    const longer = new Uint8Array(data.byteLength + 4);
    longer.set(new Uint8Array(data));
    await expectLoadError(withWeightData(artifacts, longer.buffer), /holds \d+ bytes, but its weight specs describe/);
  });

  it('rejects a mask whose shape is not its kernel\'s, naming the layer', async () => {
    const weightSpecs = artifacts.weightSpecs!.map((s) => (s.name === 'hidden/mask' ? { ...s, shape: [4, 5] } : s));
    await expectLoadError({ ...artifacts, weightSpecs },
      /mask of PrunableDense 'hidden' in the model artifacts \(like its kernel\) must have shape \[5, 4\]; received shape \[4, 5\]/);
  });

  it('rejects a mask holding values other than 0 and 1, naming the value and its index', async () => {
    const data = new Float32Array((artifacts.weightData as ArrayBuffer).slice(0));
    data[floatOffset(artifacts, 'inner_dense/mask') + 7] = 0.5;
    await expectLoadError(withWeightData(artifacts, data.buffer),
      /mask of PrunableDense 'inner_dense' in the model artifacts must hold only 0 and 1; found 0.5 at flat index 7/);
  });

  it('checks the mask of a PrunableDense inside a wrapper, whose weights bear the wrapper\'s name', async () => {
    const model = wrappedPrunableModel(7);
    const wrapped = await artifactsOf(model);
    const data = new Float32Array((wrapped.weightData as ArrayBuffer).slice(0));
    data[floatOffset(wrapped, 'td/mask') + 2] = 2;
    await expectLoadError(withWeightData(wrapped, data.buffer),
      /mask of PrunableDense 'td' in the model artifacts must hold only 0 and 1; found 2 at flat index 2/);
    const loaded = await loadPrunableModel(tf.io.fromMemory(wrapped));
    expectSameModel(loaded, model);
    [model, loaded].forEach((m) => m.dispose());
  });

  it('says which import registers PrunableDense when it is not registered (TF.js says only "Unknown layer")', async () => {
    await withoutPrunableLayers(async () => {
      await expectLoadError(artifacts,
        /uses PrunableDense layers \('inner_dense', 'hidden'\), which TensorFlow.js does not know: import 'tfjs-prune' \(or 'tfjs-prune\/node' in Node\) registers them/);
      let plain: Error | null = null;
      await tf.loadLayersModel(tf.io.fromMemory(artifacts)).catch((e: Error) => { plain = e; });
      expect((plain as unknown as Error).message).to.match(/^Unknown layer: PrunableDense\./);
    });
    // Registered again: loading works.
    const model = await loadPrunableModel(tf.io.fromMemory(artifacts));
    model.dispose();
  });

  it('rejects a bad handler argument', async () => {
    let error: Error | null = null;
    await loadPrunableModel(42 as unknown as string).catch((e: Error) => { error = e; });
    expect((error as unknown as Error).message).to.match(/pathOrIOHandler must be a URL string or an IOHandler with a load method; received 42\./);
  });

  it('loads a model without PrunableDense layers like tf.loadLayersModel', async () => {
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const loaded = await loadPrunableModel(tf.io.fromMemory(await artifactsOf(plain)));
    expect(loaded.layers.map((l) => l.getClassName())).to.deep.equal(['Dense']);
    plain.dispose();
    loaded.dispose();
  });

  it('checks the masks of a Sequential model too', async () => {
    const model = tf.sequential({ layers: [prunableDense({ units: 2, inputShape: [3], name: 'solo' })] });
    const a = await artifactsOf(model);
    const data = new Float32Array((a.weightData as ArrayBuffer).slice(0));
    data[floatOffset(a, 'solo/mask')] = 2;
    await expectLoadError(withWeightData(a, data.buffer), /PrunableDense 'solo'.*found 2 at flat index 0/);
    model.dispose();
  });
});
