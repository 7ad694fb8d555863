import { promises as fs, Stats } from 'fs';
import { join } from 'path';

/*
 * A saved model is two files in one directory, `model.json` and
 * `weights.bin`, and the JSON's weight manifest describes the bytes of that
 * one weights file. Replacing both must never leave a directory that pairs
 * the JSON of one save with the weights of another: a loader would read the
 * wrong weights silently whenever the shapes agree, as they do between two
 * checkpoints of a model. A rename replaces one file atomically, but no
 * order of two renames does, so the protocol keeps the previous JSON under a
 * backup name while the weights change hands:
 *   1. Write `weights.bin.tmp`, then `model.json.tmp`, each flushed to disk
 *      (fsync); flush the directory.
 *   2. Rename `model.json` to `model.json.bak` (skipped when there is none);
 *      flush the directory. The commit begins.
 *   3. Rename `weights.bin.tmp` to `weights.bin`; flush the directory. This
 *      rename is the commit point: before it the previous model holds, after
 *      it the new one.
 *   4. Rename `model.json.tmp` to `model.json`, delete `model.json.bak`,
 *      flush the directory.
 * The flushes between the renames keep a power loss from persisting a later
 * rename without an earlier one. A failure before the commit point renames
 * the backup back and deletes the temps (the directory is then byte for byte
 * what it was); a failure after it finishes steps 4. Either way the error
 * says which model the directory holds.
 *
 * What the directory holds, read from which names exist (`decide`; every
 * state a crash can leave is one of these, as the comments of `decide` show):
 *   - `model.json` exists: the model is `model.json` with `weights.bin`; any
 *     temp or backup beside it is a leftover.
 *   - else, no `weights.bin.tmp` and a `model.json.tmp` that parses: the
 *     commit happened; the new model is `model.json.tmp` with `weights.bin`.
 *   - else, `model.json.bak` exists: the commit did not happen; the previous
 *     model is `model.json.bak` with `weights.bin`.
 *   - else: no model (a first save that did not commit).
 * Loading reads the model where it is, writing nothing; the next save
 * settles the directory first (`settleInterruptedSave`: rolls forward or back
 * to a plain `model.json` and `weights.bin`). Clean-ups delete
 * `model.json.tmp` before `weights.bin.tmp`, and the backup only once
 * `model.json` exists, so that a crash during a clean-up leaves a state that
 * decides the same way.
 *
 * Saves and loads of one directory within a process run one at a time
 * (`withDirectoryLock`). Across processes, a reader that reads the JSON
 * before a commit and `weights.bin` after it must notice that the files
 * changed meanwhile and read again (NodeFileSystem.load compares the stats of
 * every file of the protocol before and after); two processes must not save
 * into one directory at the same time.
 */

/** Name of the model topology and manifest file, as tfjs-node names it. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file, as tfjs-node names it. */
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Every file-system call that saving and loading make, so that a test can
 * fail any one of them (the k-th call, or every call from the k-th on, as a
 * crash would). Internal: not part of the public API.
 */
export interface FileCalls {
  open(path: string, flags: 'r' | 'w'): Promise<fs.FileHandle>;
  write(handle: fs.FileHandle, data: string | Uint8Array): Promise<void>;
  sync(handle: fs.FileHandle): Promise<void>;
  close(handle: fs.FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** Creates one directory (not its parents). */
  mkdir(dir: string): Promise<void>;
  rmdir(dir: string): Promise<void>;
  stat(path: string): Promise<Stats>;
  readFile(file: string): Promise<Buffer>;
}

/** Node's calls, looked up on `fs.promises` at each call (so a test's patch of it applies). */
export const nodeFileCalls: FileCalls = {
  open: (path, flags) => fs.open(path, flags),
  write: (handle, data) => handle.writeFile(data),
  sync: (handle) => handle.sync(),
  close: (handle) => handle.close(),
  rename: (from, to) => fs.rename(from, to),
  // Not fs.rm: on EPERM (an immutable file) rm retries the path as a directory and reports that ENOTDIR instead.
  unlink: (file) => fs.unlink(file),
  mkdir: async (dir) => {
    await fs.mkdir(dir);
  },
  rmdir: (dir) => fs.rmdir(dir),
  stat: (path) => fs.stat(path),
  readFile: (file) => fs.readFile(file),
};

/**
 * Writes `data` to `file`, replacing it, and flushes it to disk before resolving.
 *
 * ```js
 * const writeFile = async (file, data) => { written.push(file); await writeDurably(file, data); };
 * await model.save(fileSystem('./checkpoint', {writeFile}));
 * ```
 */
export type FileWriter = (file: string, data: string | Uint8Array) => Promise<void>;

/** The default {@link FileWriter}: write, then fsync. */
export const writeDurably: FileWriter = (file, data) => writeDurablyWith(nodeFileCalls, file, data);

/** {@link writeDurably} through `calls`. */
export async function writeDurablyWith(calls: FileCalls, file: string, data: string | Uint8Array): Promise<void> {
  const handle = await calls.open(file, 'w');
  try {
    await calls.write(handle, data);
    await calls.sync(handle);
  } catch (error) {
    await calls.close(handle).catch(() => undefined); // The write's error is the one to report.
    throw error;
  }
  await calls.close(handle);
}

/**
 * Thrown when a save fails: `cause` is the failing call's own error, and
 * `committed` says which model the directory now holds (the new one if true,
 * else the previous one, if any).
 */
export class SaveError extends Error {
  /** Why the directories a failed save into a new path created could not be removed, if they could not. */
  removalError?: Error;

  constructor(readonly step: string, readonly cause: Error, readonly committed: boolean,
    readonly cleanupError?: Error) {
    super(`${step}: ${cause.message}`);
  }
}

/** Runs `call`, turning its failure into a {@link SaveError} naming `step`. */
async function step<T>(what: string, committed: boolean, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof SaveError ? error : new SaveError(what, asError(error), committed);
  }
}

/**
 * Replaces the model in `dir` (an existing directory) with `modelJson` and
 * `weights` by the protocol above. Throws a {@link SaveError} when a call
 * fails, after rolling back (before the commit point) or forward (after it).
 */
export async function replaceModelFiles(dir: string, modelJson: string, weights: Uint8Array, write: FileWriter,
  calls: FileCalls = nodeFileCalls): Promise<void> {
  const paths = modelPaths(dir);
  let committed = false;
  try {
    await step('could not settle the interrupted save found there', false, () => settleInterruptedSave(dir, calls));
    const [model, current] = await step('could not read the directory', false,
      () => Promise.all([statIfPresent(paths.model, calls), statIfPresent(paths.weights, calls)]));
    for (const [file, info] of [[paths.model, model], [paths.weights, current]] as const) {
      if (info != null && !info.isFile()) {
        const what = info.isDirectory() ? 'a directory' : 'not a regular file';
        throw new SaveError(`${file} is ${what}`, new Error('move it away or save the model elsewhere'), false);
      }
    }
    await step(`could not write ${paths.weightsTemp}`, false, () => write(paths.weightsTemp, weights));
    await step(`could not write ${paths.modelTemp}`, false, () => write(paths.modelTemp, modelJson));
    await step('could not flush the directory', false, () => syncDirectory(dir, calls));
    if (model != null) {
      await step(`could not rename ${MODEL_JSON} to ${paths.backup}`, false, () => calls.rename(paths.model, paths.backup));
      await step('could not flush the directory', false, () => syncDirectory(dir, calls));
    }
    await step(`could not rename ${paths.weightsTemp} to ${WEIGHTS_BIN}`, false, () => calls.rename(paths.weightsTemp, paths.weights));
    committed = true;
    await step('could not flush the directory', true, () => syncDirectory(dir, calls));
    await step(`could not rename ${paths.modelTemp} to ${MODEL_JSON}`, true, () => calls.rename(paths.modelTemp, paths.model));
    if (model != null) await step(`could not delete ${paths.backup}`, true, () => calls.unlink(paths.backup));
    await step('could not flush the directory', true, () => syncDirectory(dir, calls));
  } catch (error) {
    const failure = error as SaveError;
    // Rolls back before the commit point, forward after it (decided from the files, as a load decides).
    const cleanupError = await settleInterruptedSave(dir, calls).then(() => undefined, asError);
    throw new SaveError(failure.step, failure.cause, committed, cleanupError);
  }
}

/** The names of the protocol in `dir`. */
function modelPaths(dir: string) {
  return {
    model: join(dir, MODEL_JSON),
    weights: join(dir, WEIGHTS_BIN),
    modelTemp: join(dir, `${MODEL_JSON}.tmp`),
    weightsTemp: join(dir, `${WEIGHTS_BIN}.tmp`),
    backup: join(dir, `${MODEL_JSON}.bak`),
  };
}

/** The files of the protocol in a directory, each with its stat or null. */
interface DirectoryState {
  model: Stats | null;
  modelTemp: Stats | null;
  weightsTemp: Stats | null;
  backup: Stats | null;
  /** Whether `model.json.tmp` parses; read only when the decision depends on it. */
  modelTempParses: boolean;
}

async function readState(dir: string, calls: FileCalls): Promise<DirectoryState> {
  const paths = modelPaths(dir);
  const [model, modelTemp, weightsTemp, backup] = await Promise.all(
    [paths.model, paths.modelTemp, paths.weightsTemp, paths.backup].map((file) => statIfPresent(file, calls)));
  const modelTempParses = model == null && weightsTemp == null && modelTemp != null && (await parses(paths.modelTemp, calls));
  return { model, modelTemp, weightsTemp, backup, modelTempParses };
}

/** Which model a directory holds (see the table at the top). */
type Decision = 'current' | 'committed' | 'previous' | 'none';

function decide(state: DirectoryState): Decision {
  // model.json is renamed away only after both temps are complete, and back (or replaced) before anything is deleted.
  if (state.model != null) return 'current';
  // weights.bin.tmp leaves by the commit rename, or after model.json.tmp is deleted, so its absence beside a whole JSON temp is a commit.
  if (state.weightsTemp == null && state.modelTempParses) return 'committed';
  // Before the commit point, the previous JSON is the backup; weights.bin is still the previous one.
  if (state.backup != null) return 'previous';
  return 'none';
}

/**
 * Brings `dir` back to a plain `model.json` and `weights.bin` (or no model)
 * after a save that died or failed: finishes a committed save, restores the
 * backup of one that did not commit, deletes leftover temps. Writes nothing
 * when there is nothing to settle.
 */
export async function settleInterruptedSave(dir: string, calls: FileCalls = nodeFileCalls): Promise<void> {
  const paths = modelPaths(dir);
  const state = await readState(dir, calls);
  if (state.modelTemp == null && state.weightsTemp == null && state.backup == null) return;
  const decision = decide(state);
  if (decision === 'committed') await calls.rename(paths.modelTemp, paths.model);
  if (decision === 'previous') await calls.rename(paths.backup, paths.model);
  // From here model.json exists (but for 'none'), so the order below no longer decides anything; the JSON temp goes first for 'none'.
  if (decision !== 'committed' && state.modelTemp != null) await unlinkIfPresent(paths.modelTemp, calls);
  if (state.weightsTemp != null) await unlinkIfPresent(paths.weightsTemp, calls);
  if (decision !== 'previous' && state.backup != null) await unlinkIfPresent(paths.backup, calls);
  await syncDirectory(dir, calls);
}

/** Where a load reads a model: its JSON file, and the directory its weight paths are relative to. */
export interface ModelLocation {
  modelJson: string;
  dir: string;
}

/**
 * Where the model of `dir` is: `model.json`, or, after a save that died or
 * failed partway, the JSON that the table at the top names; or null when `dir`
 * holds no model. Writes nothing.
 */
export async function locateModel(dir: string, calls: FileCalls = nodeFileCalls): Promise<ModelLocation | null> {
  const paths = modelPaths(dir);
  const modelJson = { current: paths.model, committed: paths.modelTemp, previous: paths.backup, none: null }[decide(await readState(dir, calls))];
  return modelJson == null ? null : { modelJson, dir };
}

/**
 * The stats (inode, size, modification time) of `files` and of every file
 * of the protocol in `dir`, as one string: it changes when a save commits.
 */
export async function fingerprint(dir: string, files: readonly string[], calls: FileCalls): Promise<string> {
  const paths = modelPaths(dir);
  const all = [...new Set([...files, paths.model, paths.weights, paths.modelTemp, paths.weightsTemp, paths.backup])];
  const stats = await Promise.all(all.map((file) => statIfPresent(file, calls)));
  return stats.map((s) => (s == null ? '-' : `${s.ino}:${s.size}:${s.mtimeMs}`)).join(' ');
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task on `dir` (an absolute path) in this process has finished. */
export async function withDirectoryLock<T>(dir: string, task: () => Promise<T>): Promise<T> {
  const previous = locks.get(dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(task);
  locks.set(dir, run);
  try {
    return await run;
  } finally {
    if (locks.get(dir) === run) locks.delete(dir);
  }
}

/** The stat of `path`, or null if it does not exist; other errors propagate. */
export async function statIfPresent(path: string, calls: FileCalls = nodeFileCalls): Promise<Stats | null> {
  try {
    return await calls.stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function parses(file: string, calls: FileCalls): Promise<boolean> {
  let text: string;
  try {
    text = (await calls.readFile(file)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error; // An unreadable temp must not count as a cut-off one: that could decide wrongly.
  }
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function unlinkIfPresent(file: string, calls: FileCalls): Promise<void> {
  try {
    await calls.unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** fsync error codes of file systems that cannot flush a directory: nothing to flush there. */
const CANNOT_SYNC_DIRECTORY = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);

/** Flushes `dir`'s entries (names created, renamed, deleted) to disk, where the platform allows it. */
async function syncDirectory(dir: string, calls: FileCalls): Promise<void> {
  if (process.platform === 'win32') return; // Windows cannot open a directory to flush it.
  const handle = await calls.open(dir, 'r');
  try {
    await calls.sync(handle);
  } catch (error) {
    if (!CANNOT_SYNC_DIRECTORY.has((error as NodeJS.ErrnoException).code ?? '')) {
      await calls.close(handle).catch(() => undefined);
      throw error;
    }
  }
  await calls.close(handle);
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
