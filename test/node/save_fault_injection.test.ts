// Saves and loads with a failure injected at each file-system call (through the
// internal FileCalls seam): once, as a transient error, or from that call on, as a
// crash. After each, the directory must load as exactly the previous model or
// exactly the new one, as the error says, with no temporary file left behind.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { join } from 'path';
import { loadPrunableModel } from '../../src';
import { fileSystem, withFileCalls } from '../../src/node/file_system';
import { FileCalls, nodeFileCalls } from '../../src/node/model_files';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';
import { nestedPrunableModel, weightValues } from '../io/fixtures';
import { snapshot, useTempDirs } from './temp_dirs';

type CallName = keyof FileCalls;
const CALL_NAMES = Object.keys(nodeFileCalls) as CallName[];

interface Injection {
  calls: FileCalls;
  /** Every call made, in order. */
  log: CallName[];
  /** The errors thrown instead of calling. */
  injected: Error[];
}

/** Node's calls, but the n-th (counting from 1), the `ordinal`-th of its kind, throws EIO where `fails` says so. */
function inject(fails: (n: number, name: CallName, ordinal: number) => boolean): Injection {
  const log: CallName[] = [];
  const injected: Error[] = [];
  const calls = {} as Record<CallName, (...args: unknown[]) => Promise<unknown>>;
  for (const name of CALL_NAMES) {
    calls[name] = async (...args: unknown[]) => {
      log.push(name);
      if (fails(log.length, name, log.filter((each) => each === name).length)) {
        // close(2) releases the descriptor even when it reports an error.
        if (name === 'close') await nodeFileCalls.close(args[0] as never);
        const target = typeof args[0] === 'string' ? ` '${args[0]}'` : '';
        const error = Object.assign(new Error(`EIO: i/o error (injected), ${name}${target}`), { code: 'EIO', syscall: name });
        injected.push(error);
        throw error;
      }
      // fsync changes nothing a load can see, and thousands of them would slow the suite: counted, not made.
      if (name === 'sync') return undefined;
      return (nodeFileCalls[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return { calls: calls as unknown as FileCalls, log, injected };
}

const TAGS = ['A', 'B', 'C'] as const;

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
type Tag = (typeof TAGS)[number];

describe('fileSystem: a save or load failing at any file-system call', function () {
  this.timeout(300_000);
  const tempDir = useTempDirs();
  const models = {} as Record<Tag, tf.LayersModel>;
  const files = {} as Record<Tag, { json: string; weights: Buffer }>;

  before(async () => {
    const scratch = fs.mkdtempSync(join(require('os').tmpdir(), 'tfjs-prune-test-'));
    TAGS.forEach((tag, i) => {
      models[tag] = nestedPrunableModel(31 + i);
      models[tag].setUserDefinedMetadata({ tag });
    });
    for (const tag of TAGS) {
      await models[tag].save(fileSystem(join(scratch, tag)));
      files[tag] = { json: fs.readFileSync(join(scratch, tag, 'model.json'), 'utf8'), weights: fs.readFileSync(join(scratch, tag, 'weights.bin')) };
    }
    fs.rmSync(scratch, { recursive: true });
  });
  after(() => Object.values(models).forEach((m) => m.dispose()));

  /**
   * Which model `dir` loads as, through the real file system: a tag, after
   * checking that every weight and the topology are exactly that model's, or
   * 'none'. Asserts that loading changes no file.
   */
  async function loaded(dir: string): Promise<Tag | 'none'> {
    const before = fs.existsSync(dir) ? snapshot(dir) : null;
    let model: tf.LayersModel;
    try {
      model = await loadPrunableModel(fileSystem(dir));
    } catch (error) {
      expect((error as Error).message).to.match(/no such file or directory|the directory has no model\.json/);
      return 'none';
    }
    const tag = (model.getUserDefinedMetadata() as { tag: Tag }).tag;
    expect(weightValues(model), `the weights of model ${tag}`).to.deep.equal(weightValues(models[tag]));
    expect(model.toJSON(null, false)).to.deep.equal(models[tag].toJSON(null, false));
    model.dispose();
    expect(fs.existsSync(dir) ? snapshot(dir) : null, 'a load writes nothing').to.deep.equal(before);
    return tag;
  }

  /** Asserts that `dir` holds exactly the files of a clean save of model `tag`, byte for byte, and nothing else. */
  function expectOnly(dir: string, tag: Tag, what: string): void {
    expect(fs.readdirSync(dir).sort(), what).to.deep.equal(['model.json', 'weights.bin']);
    expect(fs.readFileSync(join(dir, 'model.json'), 'utf8'), what).to.equal(files[tag].json);
    expect(fs.readFileSync(join(dir, 'weights.bin')).equals(files[tag].weights), what).to.equal(true);
  }

  /** Where the new model goes, and what the directory holds before. */
  interface Scenario {
    title: string;
    /** Prepares a fresh directory; returns it and the tag it loads as. */
    setup(): { dir: string; parent: string; previous: Tag | 'none' };
    /** The model the save writes. */
    next: Tag;
  }

  const scenarios: Scenario[] = [
    {
      title: 'a directory holding model A',
      next: 'B',
      setup: () => {
        const parent = tempDir();
        fs.writeFileSync(join(parent, 'model.json'), files.A.json);
        fs.writeFileSync(join(parent, 'weights.bin'), files.A.weights);
        return { dir: parent, parent, previous: 'A' };
      },
    },
    {
      title: 'a new directory (two levels created)',
      next: 'B',
      setup: () => {
        const parent = tempDir();
        return { dir: join(parent, 'new', 'model'), parent, previous: 'none' };
      },
    },
    {
      title: 'a directory left by a save of B that stopped after its commit',
      next: 'C',
      setup: () => {
        const parent = tempDir();
        fs.writeFileSync(join(parent, 'model.json.bak'), files.A.json);
        fs.writeFileSync(join(parent, 'weights.bin'), files.B.weights);
        fs.writeFileSync(join(parent, 'model.json.tmp'), files.B.json);
        return { dir: parent, parent, previous: 'B' };
      },
    },
    {
      title: 'a directory left by a save of B that stopped before its commit',
      next: 'C',
      setup: () => {
        const parent = tempDir();
        fs.writeFileSync(join(parent, 'model.json.bak'), files.A.json);
        fs.writeFileSync(join(parent, 'weights.bin'), files.A.weights);
        fs.writeFileSync(join(parent, 'weights.bin.tmp'), files.B.weights);
        fs.writeFileSync(join(parent, 'model.json.tmp'), files.B.json);
        return { dir: parent, parent, previous: 'A' };
      },
    },
  ];

  /** The calls a clean save makes in `scenario`. */
  async function cleanSaveCalls(scenario: Scenario): Promise<CallName[]> {
    const { dir } = scenario.setup();
    const recording = inject(() => false);
    await models[scenario.next].save(withFileCalls(fileSystem(dir), recording.calls));
    expect(await loaded(dir)).to.equal(scenario.next);
    return recording.log;
  }

  /** Asserts what a failed save says and leaves; returns which model it said the directory holds. */
  async function expectFailedSave(scenario: Scenario, dir: string, parent: string, previous: Tag | 'none',
    before: Record<string, string> | null, injection: Injection, error: Error, what: string, transient = true): Promise<void> {
    const first = injection.injected[0];
    expect(first, `${what}: a call failed`).to.be.an('error');
    // The failing call's own error, not that of a later call or of the clean-up.
    expect(error.message, what).to.match(new RegExp(`^Saving the model to ${dir} failed: `));
    expect(error.message, what).to.include(first.message);
    expect((error as Error & { cause?: unknown }).cause, what).to.equal(first);
    const saved = error.message.includes('The new model was saved before that failure and is what loads from there.');
    const unchanged = error.message.includes('The previous model there, if any, is unchanged.');
    expect(saved !== unchanged, `${what}: the message says which model is there: ${error.message}`).to.equal(true);
    expect(await loaded(dir), `${what}: ${error.message}`).to.equal(saved ? scenario.next : previous);
    if (!transient) return;
    // A single failure: the clean-up ran, leaving the files of exactly one model and nothing else.
    if (saved) {
      expect(fs.readdirSync(dir).sort(), what).to.deep.equal(['model.json', 'weights.bin']);
    } else if (previous === 'none') {
      expect(fs.readdirSync(parent), `${what}: no directory left`).to.deep.equal([]);
    } else if (scenario.title.startsWith('a directory holding')) {
      expect(snapshot(dir), `${what}: byte for byte as before`).to.deep.equal(before);
    } else if (!isEqual(snapshot(dir), before)) {
      // The leftovers of the earlier save stay only if the save failed before touching anything.
      expect(fs.readdirSync(dir).sort(), what).to.deep.equal(['model.json', 'weights.bin']);
    }
  }

  for (const scenario of scenarios) {
    describe(`saving into ${scenario.title}`, () => {
      let clean: CallName[];
      before(async () => {
        clean = await cleanSaveCalls(scenario);
      });

      it('fails at each call once (every call of a clean save, one at a time): exactly the previous model or the new one, as the error says', async () => {
        expect(clean.length).to.be.above(20);
        for (let k = 1; k <= clean.length; k++) {
          const { dir, parent, previous } = scenario.setup();
          const before = fs.existsSync(dir) ? snapshot(dir) : null;
          const injection = inject((n) => n === k);
          const error = await rejection(models[scenario.next].save(withFileCalls(fileSystem(dir), injection.calls)));
          await expectFailedSave(scenario, dir, parent, previous, before, injection, error, `call ${k} (${clean[k - 1]})`);
        }
      });

      it('fails at the j-th call of each kind', async () => {
        const kinds = [...new Set(clean)];
        const expectedKinds = scenario.title.startsWith('a new') ? ['mkdir', 'stat', 'open', 'write', 'sync', 'close', 'rename'] : ['stat', 'open', 'write', 'sync', 'close', 'rename', 'unlink'];
        expect(kinds).to.include.members(expectedKinds);
        for (const kind of kinds) {
          const count = clean.filter((name) => name === kind).length;
          for (let j = 1; j <= count; j++) {
            const { dir, parent, previous } = scenario.setup();
            const before = fs.existsSync(dir) ? snapshot(dir) : null;
            const injection = inject((_, name, ordinal) => name === kind && ordinal === j);
            const error = await rejection(models[scenario.next].save(withFileCalls(fileSystem(dir), injection.calls)));
            await expectFailedSave(scenario, dir, parent, previous, before, injection, error, `${kind} #${j}`);
          }
        }
      });

      it('crashes at each call (it and every later call fail): a fresh load gives the previous model or the new one, and a clean save then leaves only its own', async () => {
        for (let k = 1; k <= clean.length; k++) {
          const { dir, parent, previous } = scenario.setup();
          const injection = inject((n) => n >= k);
          const error = await rejection(models[scenario.next].save(withFileCalls(fileSystem(dir), injection.calls)));
          await expectFailedSave(scenario, dir, parent, previous, null, injection, error, `crash at call ${k} (${clean[k - 1]})`, false);
          const next: Tag = scenario.next === 'B' ? 'C' : 'A';
          await models[next].save(withFileCalls(fileSystem(dir), inject(() => false).calls));
          expectOnly(dir, next, `after the crash at call ${k}`);
        }
      });

      it('fails once at each call, then crashes at each call of the clean-up that follows: still the model the error names', async () => {
        for (let k = 1; k <= clean.length; k++) {
          const probe = scenario.setup();
          const once = inject((n) => n === k);
          await rejection(models[scenario.next].save(withFileCalls(fileSystem(probe.dir), once.calls)));
          for (let crash = k + 1; crash <= once.log.length; crash++) {
            const { dir, parent, previous } = scenario.setup();
            const injection = inject((n) => n === k || n >= crash);
            const error = await rejection(models[scenario.next].save(withFileCalls(fileSystem(dir), injection.calls)));
            const what = `call ${k} (${clean[k - 1]}) failing, then a crash at call ${crash} (${once.log[crash - 1]})`;
            await expectFailedSave(scenario, dir, parent, previous, null, injection, error, what, false);
            await models.A.save(withFileCalls(fileSystem(dir), inject(() => false).calls));
            expectOnly(dir, 'A', what);
          }
        }
      });
    });
  }

  it('a failing rmdir (removing the new directory after a failed write) keeps the write\'s error as the cause and says so', async () => {
    const scenario = scenarios[1];
    for (let j = 1; j <= 2; j++) {
      const { dir, parent } = scenario.setup();
      const injection = inject((_, name, ordinal) => (name === 'write' && ordinal === 1) || (name === 'rmdir' && ordinal === j));
      const error = await rejection(models.B.save(withFileCalls(fileSystem(dir), injection.calls)));
      expect(injection.log.filter((name) => name === 'rmdir')).to.have.length(j);
      expect((error as Error & { cause?: unknown }).cause).to.equal(injection.injected[0]);
      expect(error.message).to.equal(`Saving the model to ${dir} failed: could not write ${join(dir, 'weights.bin.tmp')}: ` +
        `${injection.injected[0].message}. The previous model there, if any, is unchanged. ` +
        `The directory it created could not be removed (${injection.injected[1].message}).`);
      // What is left is empty directories, no file.
      const left = j === 1 ? dir : join(parent, 'new');
      expect(fs.readdirSync(left)).to.deep.equal([]);
    }
  });

  it('a load failing at any call names the model and the failing call, keeps it as the cause, and leaks nothing', async () => {
    const dir = tempDir();
    await models.A.save(fileSystem(dir));
    const before = snapshot(dir);
    const recording = inject(() => false);
    (await loadPrunableModel(withFileCalls(fileSystem(dir), recording.calls))).dispose();
    expect(recording.log).to.include.members(['stat', 'readFile']);
    for (let k = 1; k <= recording.log.length; k++) {
      const injection = inject((n) => n === k);
      await expectNoTensorLeak(async () => {
        const error = await rejection(loadPrunableModel(withFileCalls(fileSystem(dir), injection.calls)));
        expect(error.message, `call ${k}`).to.match(/^Cannot load a model from /);
        expect(error.message, `call ${k}`).to.include(injection.injected[0].message);
        expect((error as Error & { cause?: unknown }).cause, `call ${k}`).to.equal(injection.injected[0]);
      });
      expect(snapshot(dir)).to.deep.equal(before);
    }
  });
});

/** Makes `file` impossible to replace or rename (the immutable attribute, as root), returning the undo, or null. */
function makeImmutable(file: string): (() => void) | null {
  if (process.getuid?.() !== 0) return null;
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return () => execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
}

describe('fileSystem: saves over files that cannot be replaced keep the previous model', () => {
  const tempDir = useTempDirs();
  const models: tf.LayersModel[] = [];
  before(() => models.push(nestedPrunableModel(41), nestedPrunableModel(42)));
  after(() => models.forEach((m) => m.dispose()));

  async function expectModel(dir: string, model: tf.LayersModel): Promise<void> {
    const loaded = await loadPrunableModel(fileSystem(dir));
    expect(weightValues(loaded)).to.deep.equal(weightValues(model));
    loaded.dispose();
  }

  for (const name of ['weights.bin', 'model.json']) {
    it(`an immutable ${name}: reports the EPERM of the failing rename (not an ENOTDIR of a clean-up), byte for byte unchanged`, async function () {
      const dir = tempDir();
      await models[0].save(fileSystem(dir));
      const before = snapshot(dir);
      const undo = makeImmutable(join(dir, name));
      if (undo == null) this.skip(); // Not root, or no chattr here.
      let error: Error;
      try {
        error = await rejection(models[1].save(fileSystem(dir)));
      } finally {
        undo!();
      }
      const renamed = name === 'weights.bin' ? ['weights.bin.tmp', 'weights.bin'] : ['model.json', 'model.json.bak'];
      expect(error.message).to.match(new RegExp(`^Saving the model to ${dir} failed: could not rename .*: EPERM: operation not permitted, ` +
        `rename '${join(dir, renamed[0])}' -> '${join(dir, renamed[1])}'\\. The previous model there, if any, is unchanged\\.$`));
      expect((error as Error & { cause?: { code?: string } }).cause?.code).to.equal('EPERM');
      expect(snapshot(dir)).to.deep.equal(before);
      await expectModel(dir, models[0]);
      // The next save works once the file can be replaced again.
      await models[1].save(fileSystem(dir));
      await expectModel(dir, models[1]);
    });

    it(`a directory in place of ${name}: refused before anything is written`, async () => {
      const dir = tempDir();
      await models[0].save(fileSystem(dir));
      fs.rmSync(join(dir, name));
      fs.mkdirSync(join(dir, name));
      fs.writeFileSync(join(dir, name, 'inside'), 'x');
      const before = snapshot(join(dir, name));
      const error = await rejection(models[1].save(fileSystem(dir)));
      expect(error.message).to.equal(`Saving the model to ${dir} failed: ${join(dir, name)} is a directory: ` +
        'move it away or save the model elsewhere. The previous model there, if any, is unchanged.');
      expect(fs.readdirSync(dir).sort()).to.deep.equal(['model.json', 'weights.bin']);
      expect(snapshot(join(dir, name))).to.deep.equal(before);
    });
  }
});
