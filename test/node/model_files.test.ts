import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as fs from 'fs';
import { join } from 'path';
import { loadPrunableModel } from '../../src';
import { fileSystem } from '../../src/node/file_system';
import { FileWriter, locateModel, replaceModelFiles, settleInterruptedSave, writeDurably } from '../../src/node/model_files';
import { nestedPrunableModel, weightValues } from '../io/fixtures';
import { snapshot, useTempDirs } from './temp_dirs';

/** The two files a save of `model` writes, tagged through userDefinedMetadata so that a load tells the saves apart. */
async function savedFiles(model: tf.LayersModel, tag: string, scratch: string): Promise<{ json: string; weights: Buffer }> {
  model.setUserDefinedMetadata({ tag });
  await model.save(fileSystem(scratch));
  return { json: fs.readFileSync(join(scratch, 'model.json'), 'utf8'), weights: fs.readFileSync(join(scratch, 'weights.bin')) };
}

/** Loads `dir` and returns the tag of the save it came from, checking the weights are that save's. */
async function loadedTag(dir: string, expected: Record<string, Array<[string, number[]]>>): Promise<string> {
  const model = await loadPrunableModel(fileSystem(dir));
  const tag = (model.getUserDefinedMetadata() as { tag: string }).tag;
  expect(weightValues(model), `weights of a load tagged '${tag}'`).to.deep.equal(expected[tag]);
  model.dispose();
  return tag;
}

function copyDirectory(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) fs.copyFileSync(join(from, name), join(to, name));
}

describe('model files: crash-safe replacement of model.json and weights.bin', () => {
  const tempDir = useTempDirs();
  const models: tf.LayersModel[] = [];
  const expected: Record<string, Array<[string, number[]]>> = {};
  let oldFiles: { json: string; weights: Buffer };
  let newFiles: { json: string; weights: Buffer };

  before(async () => {
    const scratch = fs.mkdtempSync(join(require('os').tmpdir(), 'tfjs-prune-test-'));
    models.push(nestedPrunableModel(21), nestedPrunableModel(22));
    oldFiles = await savedFiles(models[0], 'old', scratch);
    newFiles = await savedFiles(models[1], 'new', scratch);
    expected.old = weightValues(models[0]);
    expected.new = weightValues(models[1]);
    fs.rmSync(scratch, { recursive: true });
  });
  after(() => models.forEach((m) => m.dispose()));

  function directoryWith(files: Record<string, string | Buffer>): string {
    const dir = tempDir();
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(join(dir, name), data);
    return dir;
  }

  it('at every step of a save, the directory loads as the old model or the new one, never a mix', async () => {
    const dir = directoryWith({ 'model.json': oldFiles.json, 'weights.bin': oldFiles.weights });
    // Capture the directory after each file operation of the save: each copy is what a crash would leave.
    const states: string[] = [];
    const capture = () => {
      const state = join(tempDir(), 'state');
      copyDirectory(dir, state);
      states.push(state);
    };
    const promises = fs.promises as unknown as Record<'rename' | 'unlink', (...args: unknown[]) => Promise<void>>;
    const original = { rename: promises.rename, unlink: promises.unlink };
    const write: FileWriter = async (file, data) => {
      await writeDurably(file, data);
      capture();
    };
    for (const op of ['rename', 'unlink'] as const) {
      promises[op] = async (...args: unknown[]) => {
        await original[op].apply(fs.promises, args);
        capture();
      };
    }
    try {
      await replaceModelFiles(dir, newFiles.json, newFiles.weights, write);
    } finally {
      Object.assign(promises, original);
    }
    // Two writes, three renames (model.json to its backup, then both temps into place), the removal of the backup.
    expect(states.length).to.equal(6);
    const tags: string[] = [];
    for (const state of states) {
      const before = snapshot(state);
      tags.push(await loadedTag(state, expected));
      expect(snapshot(state), 'a load writes nothing').to.deep.equal(before);
      // The next save finishes or discards what the crash left: the same model, and no temps.
      await settleInterruptedSave(state);
      expect(fs.readdirSync(state).sort()).to.deep.equal(['model.json', 'weights.bin']);
      expect(await loadedTag(state, expected)).to.equal(tags[tags.length - 1]);
    }
    // The commit point is the rename of weights.bin.tmp to weights.bin.
    expect(tags).to.deep.equal(['old', 'old', 'old', 'new', 'new', 'new']);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
  });

  it('writes the weights temp before the JSON temp', async () => {
    const dir = tempDir();
    const written: string[] = [];
    await replaceModelFiles(dir, newFiles.json, newFiles.weights, async (file, data) => {
      written.push(file);
      await writeDurably(file, data);
    });
    expect(written).to.deep.equal([join(dir, 'weights.bin.tmp'), join(dir, 'model.json.tmp')]);
  });

  it('restores the previous model of a save cut off after model.json was moved to its backup (weights temp still there)', async () => {
    const dir = directoryWith({ 'model.json.bak': oldFiles.json, 'weights.bin': oldFiles.weights, 'weights.bin.tmp': newFiles.weights, 'model.json.tmp': newFiles.json });
    expect(await loadedTag(dir, expected)).to.equal('old');
    await settleInterruptedSave(dir);
    expect(snapshot(dir)).to.deep.equal(snapshot(directoryWith({ 'model.json': oldFiles.json, 'weights.bin': oldFiles.weights })));
  });

  it('finishes a commit cut off after the weights were renamed, removing the backup', async () => {
    const dir = directoryWith({ 'model.json.bak': oldFiles.json, 'weights.bin': newFiles.weights, 'model.json.tmp': newFiles.json });
    expect(await loadedTag(dir, expected)).to.equal('new');
    await settleInterruptedSave(dir);
    expect(snapshot(dir)).to.deep.equal(snapshot(directoryWith({ 'model.json': newFiles.json, 'weights.bin': newFiles.weights })));
  });

  it('finishes the commit of a first save cut off after the weights were renamed', async () => {
    const dir = directoryWith({ 'weights.bin': newFiles.weights, 'model.json.tmp': newFiles.json });
    expect(await loadedTag(dir, expected)).to.equal('new');
    await settleInterruptedSave(dir);
    expect(await loadedTag(dir, expected)).to.equal('new');
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
  });

  it('ignores, then deletes, the temps of a save that died while writing them', async () => {
    const partial = newFiles.json.slice(0, 100);
    const dir = directoryWith({ 'model.json': oldFiles.json, 'weights.bin': oldFiles.weights, 'weights.bin.tmp': newFiles.weights, 'model.json.tmp': partial });
    expect(await loadedTag(dir, expected)).to.equal('old');
    await settleInterruptedSave(dir);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
    // A first save that died mid-JSON leaves no model.
    const first = directoryWith({ 'weights.bin.tmp': newFiles.weights, 'model.json.tmp': partial });
    expect(await locateModel(first)).to.equal(null);
    await settleInterruptedSave(first);
    expect(fs.readdirSync(first)).to.deep.equal([]);
  });

  it('re-reads when another process replaces the model between reading model.json and weights.bin', async () => {
    const dir = directoryWith({ 'model.json': oldFiles.json, 'weights.bin': oldFiles.weights });
    const promises = fs.promises as unknown as Record<'readFile', (...args: unknown[]) => Promise<unknown>>;
    const readFile = promises.readFile;
    let saves = 0;
    let maxSaves = 1;
    // Another process's save lands right after each read of model.json, before the weights are read.
    promises.readFile = async (...args: unknown[]) => {
      const result = await readFile.apply(fs.promises, args);
      if (String(args[0]).endsWith('model.json') && saves < maxSaves) {
        const files = saves % 2 === 0 ? newFiles : oldFiles;
        saves++;
        await replaceModelFiles(dir, files.json, files.weights, writeDurably);
      }
      return result;
    };
    try {
      expect(await loadedTag(dir, expected)).to.equal('new');
      expect(saves).to.equal(1);
      maxSaves = 4;
      const error = await loadPrunableModel(fileSystem(dir)).then(() => null, (e: Error) => e);
      expect(error?.message).to.equal(`Cannot load a model from ${dir}: its files were replaced while being read, 3 times; ` +
        'is another process saving there?');
    } finally {
      promises.readFile = readFile;
    }
  });

  it('runs concurrent saves and loads of one directory one at a time: every load is one whole save', async () => {
    const dir = tempDir();
    await models[0].save(fileSystem(dir));
    const saves: Array<Promise<unknown>> = [];
    const loads: Array<Promise<string>> = [];
    for (let i = 0; i < 4; i++) {
      saves.push(models[i % 2].save(fileSystem(dir)));
      loads.push(loadedTag(dir, expected)); // Checks that the weights are those of the save the JSON names.
    }
    await Promise.all(saves);
    for (const tag of await Promise.all(loads)) expect(tag).to.be.oneOf(['old', 'new']);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
    // Which save lands last depends on when each model.save reaches the handler; whichever it is, it is whole.
    expect(await loadedTag(dir, expected)).to.be.oneOf(['old', 'new']);
  });
});
