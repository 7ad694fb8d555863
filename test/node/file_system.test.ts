import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as fs from 'fs';
import { join } from 'path';
import { fileSystem, loadPrunableModel, PrunableDense } from '../../src/node';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';
import { artifactsOf, expectSameModel, nestedPrunableModel, withoutPrunableLayers } from '../io/fixtures';
import { makeReadOnly, snapshot, useTempDirs } from './temp_dirs';

/**
 * The files tfjs-node's handler writes for `artifacts`, transcribed from
 * tfjs-node/src/io/file_system.ts (NodeFileSystem.save): the reference for the format.
 */
function tfjsNodeFiles(artifacts: tf.io.ModelArtifacts): Record<string, Buffer> {
  const modelJSON: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs! }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  return {
    'model.json': Buffer.from(JSON.stringify(modelJSON), 'utf8'),
    'weights.bin': Buffer.from(artifacts.weightData as ArrayBuffer),
  };
}

/** The saved files parsed back into artifacts, as a browser app would hand them to tf.io.fromMemory. */
function parsedFiles(dir: string): tf.io.ModelArtifacts {
  const json = JSON.parse(fs.readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bytes = fs.readFileSync(join(dir, 'weights.bin'));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    trainingConfig: json.trainingConfig,
  };
}

describe('fileSystem: the format of tfjs-node', () => {
  const tempDir = useTempDirs();

  it('writes exactly the model.json and weights.bin that tfjs-node writes, and nothing else', async () => {
    const model = nestedPrunableModel(7);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    model.setUserDefinedMetadata({ note: 'pruned' });
    for (const config of [{}, { includeOptimizer: true }]) {
      const dir = tempDir();
      await model.save(fileSystem(dir), config);
      const reference = tfjsNodeFiles(await artifactsOf(model, config));
      expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
      expect(fs.readFileSync(join(dir, 'model.json'), 'utf8')).to.equal(reference['model.json'].toString('utf8'));
      expect(fs.readFileSync(join(dir, 'weights.bin')).equals(reference['weights.bin'])).to.equal(true);
      const json = JSON.parse(fs.readFileSync(join(dir, 'model.json'), 'utf8'));
      const training = 'includeOptimizer' in config ? ['trainingConfig'] : [];
      expect(Object.keys(json)).to.deep.equal(
        ['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy', ...training, 'userDefinedMetadata']);
      expect(json.format).to.equal('layers-model');
      expect(json.weightsManifest.map((g: tf.io.WeightsManifestConfig[number]) => g.paths)).to.deep.equal([['weights.bin']]);
    }
    model.dispose();
  });

  it('saves to a directory it creates, parents included, and returns the artifacts info', async () => {
    const model = nestedPrunableModel(8);
    const dir = join(tempDir(), 'a', 'b');
    const result = await model.save(fileSystem(dir));
    expect(result.modelArtifactsInfo).to.include({ modelTopologyType: 'JSON', weightDataBytes: fs.statSync(join(dir, 'weights.bin')).size });
    model.dispose();
  });
});

describeOnBackends('fileSystem: exact round trip', () => {
  const tempDir = useTempDirs();

  it('restores kernel, bias, mask, config, sparsity and predictions through fileSystem and file:// URLs', async () => {
    const model = nestedPrunableModel(9);
    const dir = tempDir();
    await model.save(fileSystem(dir));
    const viaUrl = tempDir();
    await model.save(`file://${viaUrl}`);
    expect(snapshot(viaUrl)).to.deep.equal(snapshot(dir));
    for (const load of [
      () => loadPrunableModel(fileSystem(dir)),
      () => loadPrunableModel(`file://${dir}/model.json`),
      () => tf.loadLayersModel(`file://${dir}/model.json`), // tfjs-node's form of the URL
      () => tf.loadLayersModel(`file://${dir}`),
    ]) {
      const loaded = await load();
      expect(loaded.getLayer('hidden')).to.be.instanceOf(PrunableDense);
      expectSameModel(loaded, model);
      loaded.dispose();
    }
    model.dispose();
  });

  it('writes files that plain tf.loadLayersModel reads through tf.io.fromMemory of the parsed files', async () => {
    const model = nestedPrunableModel(10);
    const dir = tempDir();
    await model.save(fileSystem(dir));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(parsedFiles(dir)));
    expectSameModel(loaded, model);
    model.dispose();
    loaded.dispose();
  });
});

describe('fileSystem: load errors name the file and change nothing', () => {
  const tempDir = useTempDirs();
  let saved: string;

  beforeEach(async () => {
    const model = nestedPrunableModel(11);
    saved = tempDir();
    await model.save(fileSystem(saved));
    model.dispose();
  });

  /** Asserts that loading `path` fails with `pattern`, leaks no tensor and leaves the files as they were. */
  async function expectLoadError(path: string, pattern: RegExp): Promise<void> {
    const dir = fs.statSync(path).isDirectory() ? path : join(path, '..');
    const before = snapshot(dir);
    await expectNoTensorLeak(async () => {
      expect((await rejection(loadPrunableModel(fileSystem(path)))).message).to.match(pattern);
      expect((await rejection(tf.loadLayersModel(`file://${path}`))).message).to.match(pattern);
    });
    expect(snapshot(dir)).to.deep.equal(before);
  }

  function editJSON(edit: (json: tf.io.ModelJSON) => void): void {
    const file = join(saved, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(json);
    fs.writeFileSync(file, JSON.stringify(json));
  }

  function floatOffset(name: string): number {
    const json = JSON.parse(fs.readFileSync(join(saved, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    let offset = 0;
    for (const spec of json.weightsManifest[0].weights) {
      if (spec.name === name) return offset;
      offset += tf.util.sizeFromShape(spec.shape);
    }
    throw new Error(`no weight ${name}`);
  }

  it('a directory without model.json', async () => {
    const empty = tempDir();
    await expectLoadError(empty, new RegExp(`Cannot load a model from ${empty}: the directory has no model.json\\.`));
  });

  it('a path that does not exist', async () => {
    const missing = join(tempDir(), 'nowhere', 'model.json');
    expect((await rejection(loadPrunableModel(fileSystem(missing)))).message)
      .to.equal(`Cannot load a model from ${missing}: no such file or directory.`);
  });

  it('malformed JSON', async () => {
    fs.writeFileSync(join(saved, 'model.json'), '{"modelTopology": {');
    await expectLoadError(saved, /Cannot load a model from .*model\.json: it is not valid JSON \(/);
  });

  it('JSON that is not a model', async () => {
    fs.writeFileSync(join(saved, 'model.json'), '{"weights": []}');
    await expectLoadError(saved, /model\.json: it is not a TensorFlow.js model.json \(it has no modelTopology\)/);
  });

  it('a missing weights.bin', async () => {
    fs.rmSync(join(saved, 'weights.bin'));
    await expectLoadError(saved, new RegExp(`model\\.json: its weight file ${join(saved, 'weights.bin')} does not exist\\.`));
  });

  it('a truncated weights.bin, comparing its bytes with the manifest', async () => {
    const file = join(saved, 'weights.bin');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 10);
    await expectLoadError(join(saved, 'model.json'),
      new RegExp(`weights\\.bin holds ${size - 10} bytes, but its weightsManifest describes ${size}: the file is truncated or from another save`));
  });

  it('a mask of the wrong shape', async () => {
    editJSON((json) => {
      json.weightsManifest[0].weights.find((w) => w.name === 'hidden/mask')!.shape = [4, 5];
    });
    await expectLoadError(saved, /mask of PrunableDense 'hidden' in .*model\.json \(like its kernel\) must have shape \[5, 4\]; received shape \[4, 5\]/);
  });

  it('a mask holding values other than 0 and 1', async () => {
    const file = join(saved, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes.writeFloatLE(-1, 4 * (floatOffset('inner_dense/mask') + 3));
    fs.writeFileSync(file, bytes);
    await expectLoadError(saved, /mask of PrunableDense 'inner_dense' in .*model\.json must hold only 0 and 1; found -1 at flat index 3/);
  });

  it('a model using PrunableDense when the library is not registered: says which import registers it', async () => {
    await withoutPrunableLayers(() => expectLoadError(saved, /uses PrunableDense layers .* import 'tfjs-prune' \(or 'tfjs-prune\/node' in Node\) registers them/));
  });

  it('rejects bad arguments', () => {
    expect(() => fileSystem('')).to.throw(TypeError, "fileSystem: path must be a non-empty string naming a directory; received string \"\".");
    expect(() => fileSystem(['a', 'b'] as unknown as string)).to.throw(TypeError, /received an array/);
    expect(() => fileSystem('x', { writeFile: 'fast' as never })).to.throw(TypeError, /writeFile must be a function .*; received string "fast"/);
  });
});

describe('fileSystem: failed saves leave the previous model intact', () => {
  const tempDir = useTempDirs();
  const models: tf.LayersModel[] = [];
  before(() => models.push(nestedPrunableModel(12), nestedPrunableModel(13)));
  after(() => models.forEach((m) => m.dispose()));

  async function expectPreviousModel(dir: string): Promise<void> {
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
    const loaded = await loadPrunableModel(fileSystem(dir));
    expectSameModel(loaded, models[0]);
    loaded.dispose();
  }

  it('throws a clear error when the directory cannot be created (its parent is a file)', async () => {
    const file = join(tempDir(), 'plain-file');
    fs.writeFileSync(file, '');
    const target = join(file, 'model');
    expect((await rejection(models[0].save(fileSystem(target)))).message)
      .to.match(new RegExp(`^Saving the model to ${target} failed: cannot create the directory: ENOTDIR`));
    expect((await rejection(models[0].save(fileSystem(file)))).message)
      .to.equal(`Saving the model to ${file} failed: cannot create the directory: it exists and is not a directory.`);
  });

  it('throws a clear error naming the path when the directory is read-only', async function () {
    const dir = tempDir();
    await models[0].save(fileSystem(dir));
    const before = snapshot(dir);
    const undo = makeReadOnly(dir);
    if (undo == null) this.skip(); // Neither chattr (as root) nor chmod can make it read-only here.
    try {
      const error = await rejection(models[1].save(fileSystem(dir)));
      expect(error.message).to.match(new RegExp(`^Saving the model to ${dir} failed: could not write ${join(dir, 'weights.bin.tmp')}: ` +
        '.*\\. The previous model there, if any, is unchanged\\.$'));
    } finally {
      undo!();
    }
    expect(snapshot(dir)).to.deep.equal(before);
    await expectPreviousModel(dir);
  });

  it('removes the directories it created when a save into a new path fails', async () => {
    const parent = tempDir();
    const dir = join(parent, 'new', 'checkpoint');
    const fullDisk = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    const error = await rejection(models[0].save(fileSystem(dir, { writeFile: fullDisk })));
    expect(error.message).to.match(/^Saving the model to .* failed: could not write .*weights\.bin\.tmp: ENOSPC/);
    expect(fs.readdirSync(parent)).to.deep.equal([]);
    // mkdir creates 'new', then fails on a name longer than any file system allows.
    const tooLong = join(parent, 'new', 'x'.repeat(300));
    expect((await rejection(models[0].save(fileSystem(tooLong)))).message).to.match(/failed: cannot create the directory: ENAMETOOLONG/);
    expect(fs.readdirSync(parent)).to.deep.equal([]);
  });

  for (const failing of ['weights.bin.tmp', 'model.json.tmp']) {
    it(`throws a clear error and removes its temps when the disk fills up writing ${failing}`, async () => {
      const dir = tempDir();
      await models[0].save(fileSystem(dir));
      const before = snapshot(dir);
      const fullDisk = async (file: string, data: string | Uint8Array) => {
        fs.writeFileSync(file, typeof data === 'string' ? data.slice(0, 10) : data.slice(0, 10));
        if (file.endsWith(failing)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      const error = await rejection(models[1].save(fileSystem(dir, { writeFile: fullDisk })));
      expect(error.message).to.equal(`Saving the model to ${dir} failed: could not write ${join(dir, failing)}: ` +
        'ENOSPC: no space left on device, write. The previous model there, if any, is unchanged.');
      expect(snapshot(dir)).to.deep.equal(before);
      await expectPreviousModel(dir);
    });
  }
});
