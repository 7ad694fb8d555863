// fileSystem loads of files that may come from anyone: a manifest must not make a
// load read outside the model's directory, and odd files get errors naming the
// file, the layer or the field, with nothing built and no file changed.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as fs from 'fs';
import { join } from 'path';
import { fileSystem, loadPrunableModel } from '../../src/node';
import { withFileCalls } from '../../src/node/file_system';
import { FileCalls, nodeFileCalls } from '../../src/node/model_files';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';
import { expectSameModel, nestedPrunableModel } from '../io/fixtures';
import { snapshot, useTempDirs } from './temp_dirs';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('fileSystem: loading files that may come from anyone', () => {
  const tempDir = useTempDirs();
  let model: tf.LayersModel;
  let dir: string;
  let file: string;
  before(() => {
    model = nestedPrunableModel(61);
  });
  after(() => model.dispose());
  beforeEach(async () => {
    dir = tempDir();
    file = join(dir, 'model.json');
    await model.save(fileSystem(dir));
  });

  function editJSON(edit: (json: Json) => void): void {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(json);
    fs.writeFileSync(file, JSON.stringify(json));
  }

  /** The files read through a load of `path`, which must fail with `message` (exactly), leak nothing and change no file. */
  async function expectLoadError(path: string, message: string): Promise<string[]> {
    const before = snapshot(dir);
    const read: string[] = [];
    const calls: FileCalls = { ...nodeFileCalls, readFile: (f) => { read.push(f); return nodeFileCalls.readFile(f); } };
    await expectNoTensorLeak(async () => {
      expect((await rejection(loadPrunableModel(withFileCalls(fileSystem(path), calls)))).message).to.equal(message);
    });
    expect(snapshot(dir)).to.deep.equal(before);
    return read;
  }

  const outside = "weight files must be named by relative paths to files inside";
  for (const [path, problem] of [
    ['../../../../../etc/hostname', "leads out of the model's directory"],
    ['sub/../../weights.bin', "leads out of the model's directory"],
    ['..', "leads out of the model's directory"],
    ['.', "leads out of the model's directory"],
    ['/etc/hostname', 'is absolute'],
    ['C:\\Windows\\win.ini', 'is absolute'],
    ['', 'is empty'],
    ['weights.bin\u0000.png', 'holds a NUL character'],
  ]) {
    it(`refuses the weight path ${JSON.stringify(path)} before reading any weight file`, async () => {
      editJSON((json) => {
        json.weightsManifest[0].paths = [path];
      });
      const read = await expectLoadError(dir, `Cannot load a model from ${file}: its weightsManifest names the weight file ` +
        `${JSON.stringify(path)}, which ${problem}; ${outside} ${dir}, such as "weights.bin".`);
      expect(read).to.deep.equal([file]);
    });
  }

  it('reads weight files in a subdirectory of the model\'s directory', async () => {
    fs.mkdirSync(join(dir, 'shards'));
    fs.renameSync(join(dir, 'weights.bin'), join(dir, 'shards', 'weights.bin'));
    editJSON((json) => {
      json.weightsManifest[0].paths = ['shards/weights.bin'];
    });
    const loaded = await loadPrunableModel(fileSystem(dir));
    expectSameModel(loaded, model);
    loaded.dispose();
  });

  it('a directory in place of model.json, by the directory or by the file', async () => {
    fs.rmSync(file);
    fs.mkdirSync(file);
    await expectLoadError(dir, `Cannot load a model from ${file}: it is a directory, not a file.`);
    await expectLoadError(file, `Cannot load a model from ${file}: it is a directory, not a file.`);
  });

  it('a directory in place of weights.bin', async () => {
    fs.rmSync(join(dir, 'weights.bin'));
    fs.mkdirSync(join(dir, 'weights.bin'));
    await expectLoadError(dir, `Cannot load a model from ${file}: its weight file ${join(dir, 'weights.bin')} is a directory, not a file.`);
  });

  for (const [what, edit, detail] of [
    ['no shape', (s: Json) => delete s.shape, "weight 'inner_dense/kernel' must have a shape, an array of non-negative integers; received undefined."],
    ['no name', (s: Json) => delete s.name, 'weight spec 0 must have a name, a non-empty string; received undefined.'],
    ['a bad dtype', (s: Json) => { s.dtype = 'double'; },
      "weight 'inner_dense/kernel' has dtype string \"double\"; the dtypes are 'float32', 'int32', 'bool', 'string', 'complex64'."],
  ] as Array<[string, (s: Json) => void, string]>) {
    it(`a weight spec with ${what}: names model.json and the weight`, async () => {
      editJSON((json) => edit(json.weightsManifest[0].weights[0]));
      await expectLoadError(dir, `Cannot load a model from ${file}: ${detail}`);
    });
  }

  it('a topology without class_name or config', async () => {
    const shape = "a layers model's topology is {class_name: 'Sequential' or 'Model', config: {…}}, as tf.LayersModel saves it.";
    editJSON((json) => delete json.modelTopology.class_name);
    await expectLoadError(dir, `The modelTopology of ${file} has no class_name: ${shape}`);
    editJSON((json) => {
      json.modelTopology.class_name = 'Model';
      delete json.modelTopology.config;
    });
    await expectLoadError(dir, `The modelTopology of ${file} has no config: ${shape}`);
  });

  const layerOf = (json: Json, name: string) => json.modelTopology.config.layers.find((l: Json) => l.name === name);

  it('a PrunableDense config without units: names the layer and model.json', async () => {
    editJSON((json) => delete layerOf(json, 'hidden').config.units);
    await expectLoadError(dir, `The PrunableDense 'hidden' in ${file} must have a positive integer units in its config; received undefined.`);
  });

  it('a plain-layer config TF.js rejects: TF.js\'s message, prefixed with model.json', async () => {
    editJSON((json) => delete layerOf(json, 'logits').config.units);
    await expectLoadError(dir, `TensorFlow.js could not build the model in ${file}: Expected units to be a positive integer, but got undefined.`);
  });

  it('a model saved with trainableOnly: names model.json, the layer and the missing mask', async () => {
    const trainableDir = tempDir();
    await model.save(fileSystem(trainableDir), { trainableOnly: true });
    dir = trainableDir;
    await expectLoadError(trainableDir, `The model in ${join(trainableDir, 'model.json')} has no weight 'inner_dense/mask', ` +
      "the mask of the kernel of PrunableDense 'inner_dense': a model saved with {trainableOnly: true} has no masks " +
      '(they are non-trainable weights). Save it without trainableOnly, or load it with {strict: false} to start from masks of ones.');
  });
});
