import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as fs from 'fs';
import { join } from 'path';
import { compactUnits, fileSystem, loadPrunableModel, makePrunable, pruneModel, stripPruning } from '../../src/node';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { convolutionalModels, inputsFor, nestedPrunableModel, prunableLayers, withoutPrunableLayers } from '../io/fixtures';
import { snapshot, useTempDirs } from './temp_dirs';

const DTYPES = ['float16', 'uint8', 'uint16'] as const;
const BYTES = { float16: 2, uint8: 1, uint16: 2 };

/** The model in `dir` read as any TF.js reads model.json and weights.bin (tf.io.http does the same), without this library's loader. */
async function loadWithPlainTfjs(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(fs.readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bytes = fs.readFileSync(join(dir, 'weights.bin'));
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async () => [json.weightsManifest[0].weights, data]);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

function manifest(dir: string): tf.io.WeightsManifestEntry[] {
  return JSON.parse(fs.readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights;
}

/** Asserts that each weight of `loaded` is `original`'s within the error of its manifest entry's quantization: zeros and masks exactly. */
function expectWithinQuantizationError(loaded: tf.LayersModel, original: tf.LayersModel, specs: tf.io.WeightsManifestEntry[]): void {
  expect(loaded.weights.map((w) => w.originalName)).to.deep.equal(original.weights.map((w) => w.originalName));
  loaded.weights.forEach((variable, k) => {
    const name = variable.originalName;
    const spec = specs.find((s) => s.name === name)!;
    const [actual, expected] = [variable.read().dataSync(), original.weights[k].read().dataSync()];
    expected.forEach((v, i) => {
      const where = `${name}[${i}]`;
      if (v === 0 || name.endsWith('/mask')) {
        expect(actual[i], where).to.equal(v);
      } else if (spec.quantization!.dtype === 'float16') {
        expect(Math.abs(actual[i] - v), where).to.be.at.most(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
      } else {
        expect(Math.abs(actual[i] - v), where).to.be.at.most(spec.quantization!.scale! / 2 + Math.abs(v) * 2 ** -23);
      }
    });
  });
}

describeOnBackends('fileSystem: quantized weights', () => {
  const tempDir = useTempDirs();

  for (const dtype of DTYPES) {
    it(`${dtype}: a smaller weights.bin in the converter's manifest format, read back by plain TF.js and loadPrunableModel`, async () => {
      const model = nestedPrunableModel(11);
      const dir = tempDir();
      const result = await model.save(fileSystem(dir, { quantization: { dtype } }));
      const specs = manifest(dir);
      const values = specs.reduce((n, s) => n + tf.util.sizeFromShape(s.shape), 0);
      expect(specs.map((s) => s.quantization?.dtype)).to.deep.equal(specs.map(() => dtype));
      if (dtype !== 'float16') expect(specs.every((s) => typeof s.quantization!.scale === 'number' && typeof s.quantization!.min === 'number')).to.equal(true);
      expect(fs.statSync(join(dir, 'weights.bin')).size).to.equal(values * BYTES[dtype]);
      expect(result.modelArtifactsInfo.weightDataBytes).to.equal(values * BYTES[dtype]);
      for (const loaded of [await loadWithPlainTfjs(dir), await loadPrunableModel(`file://${dir}`)]) {
        expectWithinQuantizationError(loaded, model, specs);
        expect(prunableLayers(loaded).map((l) => l.sparsity())).to.deep.equal(prunableLayers(model).map((l) => l.sparsity()));
        loaded.dispose();
      }
      model.dispose();
    });

    it(`${dtype}: a stripped model keeps its pruned zeros exact and loads without this library`, async () => {
      const model = nestedPrunableModel(12);
      const stripped = stripPruning(model);
      const dir = tempDir();
      await stripped.save(fileSystem(dir, { quantization: { dtype } }));
      const loaded = await withoutPrunableLayers(() => loadWithPlainTfjs(dir));
      expectWithinQuantizationError(loaded, stripped, manifest(dir));
      const zeros = (m: tf.LayersModel) => m.weights.reduce((n, w) => n + w.read().dataSync().filter((v) => v === 0).length, 0);
      expect(zeros(loaded)).to.equal(zeros(stripped)).and.to.be.greaterThan(20);
      const x = tf.randomNormal([5, 6], 0, 1, 'float32', 3);
      const [a, e] = [loaded.predict(x) as tf.Tensor, stripped.predict(x) as tf.Tensor];
      const tolerance = { float16: 1e-2, uint8: 0.1, uint16: 1e-3 }[dtype];
      const [av, ev] = [a.dataSync(), e.dataSync()];
      ev.forEach((v, i) => expect(av[i]).to.be.closeTo(v, tolerance));
      tf.dispose([x, a, e]);
      [model, stripped, loaded].forEach((m) => m.dispose());
    });
  }

  it('keeps optimizer state float32, so that training resumes from the same state', async () => {
    const model = nestedPrunableModel(13);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const [x, y] = [tf.randomNormal([8, 6], 0, 1, 'float32', 1), tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3)];
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    tf.dispose([x, y]);
    const dir = tempDir();
    await model.save(fileSystem(dir, { quantization: { dtype: 'uint8' } }), { includeOptimizer: true });
    const specs = manifest(dir);
    const optimizer = specs.filter((s) => s.group === 'optimizer');
    expect(optimizer.length).to.be.greaterThan(0);
    expect(optimizer.every((s) => s.quantization == null)).to.equal(true);
    expect(specs.filter((s) => s.group !== 'optimizer').every((s) => s.quantization?.dtype === 'uint8')).to.equal(true);
    const expected = (await model.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    const loaded = await loadPrunableModel(`file://${dir}`);
    expect((await loaded.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()))).to.deep.equal(expected);
    model.dispose();
    loaded.dispose();
  });

  it('fails a save whose weights float16 cannot hold, writing nothing and keeping the previous model', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], name: 'big' })] });
    const dir = tempDir();
    await model.save(fileSystem(dir));
    const before = snapshot(dir);
    const huge = tf.tensor2d([[1, 7e4], [0, 2]]);
    model.getLayer('big').setWeights([huge, tf.zeros([2])]);
    let message = '';
    await expectNoTensorLeak(async () => {
      await model.save(fileSystem(dir, { quantization: { dtype: 'float16' } })).catch((e: Error) => { message = e.message; });
    });
    expect(message).to.equal(`Saving the model to ${dir} failed: weight 'big/kernel' cannot be stored as float16: 70000 at flat index 1 ` +
      "exceeds the largest float16, 65504; use 'uint16' or 'uint8'; nothing was written.");
    expect(snapshot(dir)).to.deep.equal(before);
    huge.dispose();
    model.dispose();
  });
});

describe('fileSystem: quantization option errors', () => {
  it('names the option, the allowed values and what it received', () => {
    expect(() => fileSystem('/tmp/x', { quantization: 'uint8' as never })).to.throw(TypeError,
      "fileSystem: quantization must be an object {dtype: 'float16' | 'uint8' | 'uint16'}; received string \"uint8\".");
    expect(() => fileSystem('/tmp/x', { quantization: { dtype: 'int4' as never } })).to.throw(TypeError,
      "fileSystem: quantization.dtype must be one of 'float16', 'uint8', 'uint16'; received string \"int4\".");
    expect(() => fileSystem('/tmp/x', null as never)).to.throw(TypeError,
      'fileSystem: options must be an object {writeFile?, quantization?}; received null.');
  });
});

describe('fileSystem: a compacted CNN, quantized', () => {
  const tempDir = useTempDirs();

  it('saves the compacted model of every convolution kind as uint8 and float16, which plain tf.loadLayersModel reads', async () => {
    const [plain] = convolutionalModels(61);
    const model = makePrunable(plain);
    plain.dispose();
    pruneModel(model, { method: 'unit', sparsity: 0.5, layers: ['conv', 'sep', 'up'] });
    const compact = compactUnits(model);
    expect(compact.countParams()).to.be.below(model.countParams() / 2);
    const x = inputsFor(model, 4, 62);
    const expected = model.predict(x) as tf.Tensor;
    for (const dtype of ['uint8', 'float16'] as const) {
      const dir = tempDir();
      await compact.save(fileSystem(dir, { quantization: { dtype } }));
      const loaded = await withoutPrunableLayers(() => tf.loadLayersModel(`file://${join(dir, 'model.json')}`));
      expect(loaded.layers.map((l) => l.getClassName())).to.deep.equal(compact.layers.map((l) => l.getClassName()));
      const got = loaded.predict(x) as tf.Tensor;
      // Quantized weights: the predictions move by the quantization error only.
      const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0])).to.be.below((dtype === 'uint8' ? 0.1 : 0.01) * scale);
      tf.dispose(got);
      loaded.dispose();
    }
    tf.dispose([x, expected]);
    [model, compact].forEach((m) => m.dispose());
  });
});
