import { promises as fs } from 'fs';
import { join } from 'path';

/*
 * A saved model is two files in one directory, `model.json` and
 * `weights.bin`, and the JSON's weight manifest describes the bytes of that
 * one weights file. Replacing both must never leave a directory that pairs
 * the JSON of one save with the weights of another: a loader would read the
 * wrong weights silently whenever the shapes agree, as they do between two
 * checkpoints of a model. A rename replaces one file atomically, but no
 * order of two renames does: rename weights and then the JSON, and a crash
 * in between leaves the new weights beside the old JSON.
 *
 * The protocol makes the absence of `model.json` the "commit in progress"
 * state, so that a directory shows either a complete pair or no model.json:
 *   1. Write `weights.bin.tmp`, then `model.json.tmp`, each flushed to disk
 *      (fsync). A failure here (disk full, no permission) removes the temps
 *      and leaves the previous model untouched.
 *   2. Delete `model.json`: the commit begins. Readers now find no model.json.
 *   3. Rename `weights.bin.tmp` to `weights.bin`.
 *   4. Rename `model.json.tmp` to `model.json`: the commit is done.
 * At no point does the directory hold a `model.json` whose weights are not in
 * `weights.bin`: the old JSON leaves before the old weights do, and the new
 * JSON arrives after the new weights.
 *
 * A process that dies between steps 2 and 4 leaves no `model.json` and a
 * complete `model.json.tmp` (the weights temp is written and flushed before
 * it, so a complete JSON implies complete weights): the new model, committed
 * but not yet in place. Loading reads it where it is (`locateModel`: the JSON
 * temp, with `weights.bin.tmp` while that still exists, else `weights.bin`),
 * writing nothing; the next save finishes the commit first
 * (`settleInterruptedSave`: step 3 if `weights.bin.tmp` is still there, then
 * step 4). Temps beside an existing `model.json` are the leftovers of a save
 * that died in step 1, and the next save deletes them; so it does with a JSON
 * temp that does not parse, cut off in step 1 of a directory's first save.
 *
 * Saves and loads of one directory within a process run one at a time
 * (`withDirectoryLock`). Across processes, a reader that reads `model.json`
 * before a commit and `weights.bin` after it must notice that `model.json`
 * changed meanwhile and read again (NodeFileSystem.load does); two processes
 * must not save into one directory at the same time.
 */

/** Name of the model topology and manifest file, as tfjs-node names it. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file, as tfjs-node names it. */
export const WEIGHTS_BIN = 'weights.bin';
const TEMP_SUFFIX = '.tmp';

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
export const writeDurably: FileWriter = async (file, data) => {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Thrown when writing the new files fails; the previous model is then intact. */
export class WriteError extends Error {
  constructor(readonly file: string, readonly cause: Error) {
    super(`could not write ${file}: ${cause.message}`);
  }
}

/**
 * Replaces the model in `dir` (an existing directory) with `modelJson` and
 * `weights` by the protocol above. Throws a {@link WriteError} when writing
 * the new files fails, leaving the previous model as it was.
 */
export async function replaceModelFiles(dir: string, modelJson: string, weights: Uint8Array, write: FileWriter): Promise<void> {
  const paths = modelPaths(dir);
  await settleInterruptedSave(dir);
  for (const [file, data] of [[paths.weightsTemp, weights], [paths.modelTemp, modelJson]] as const) {
    try {
      await write(file, data);
    } catch (error) {
      await Promise.all([removeIfPresent(paths.weightsTemp), removeIfPresent(paths.modelTemp)]).catch(() => undefined);
      throw new WriteError(file, error as Error);
    }
  }
  await syncDirectory(dir);
  await removeIfPresent(paths.model);
  await fs.rename(paths.weightsTemp, paths.weights);
  await fs.rename(paths.modelTemp, paths.model);
  await syncDirectory(dir);
}

/**
 * Finishes a commit that a dead process left between steps 2 and 4, or
 * deletes the temps of a save that died before committing. Does nothing (and
 * writes nothing) when there are no temps.
 */
export async function settleInterruptedSave(dir: string): Promise<void> {
  const paths = modelPaths(dir);
  const [modelTemp, weightsTemp] = await Promise.all([exists(paths.modelTemp), exists(paths.weightsTemp)]);
  if (!modelTemp && !weightsTemp) return;
  if (modelTemp && !(await exists(paths.model)) && (await parses(paths.modelTemp))) {
    if (weightsTemp) await fs.rename(paths.weightsTemp, paths.weights);
    await fs.rename(paths.modelTemp, paths.model);
    await syncDirectory(dir);
  } else {
    await Promise.all([removeIfPresent(paths.modelTemp), removeIfPresent(paths.weightsTemp)]);
  }
}

/** Where a load reads a model: its JSON file and, for each weight file its manifest names, the paths to try in order. */
export interface ModelLocation {
  modelJson: string;
  weightFiles(name: string): string[];
}

/**
 * Where the model of `dir` is: `model.json` and the weight files beside it;
 * or, when a save died mid-commit, the committed temps (see above); or null
 * when `dir` holds neither. Writes nothing.
 */
export async function locateModel(dir: string): Promise<ModelLocation | null> {
  const paths = modelPaths(dir);
  const beside = (name: string) => [join(dir, name)];
  if (await exists(paths.model)) return { modelJson: paths.model, weightFiles: beside };
  if (!(await exists(paths.modelTemp)) || !(await parses(paths.modelTemp))) return null;
  // The weights temp may be renamed into place while the load reads: then the new weights are weights.bin.
  return { modelJson: paths.modelTemp, weightFiles: (name) => (name === WEIGHTS_BIN ? [paths.weightsTemp, paths.weights] : beside(name)) };
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

function modelPaths(dir: string) {
  return {
    model: join(dir, MODEL_JSON),
    weights: join(dir, WEIGHTS_BIN),
    modelTemp: join(dir, MODEL_JSON + TEMP_SUFFIX),
    weightsTemp: join(dir, WEIGHTS_BIN + TEMP_SUFFIX),
  };
}

/** Whether `file` exists; errors other than "not found" propagate. */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function parses(file: string): Promise<boolean> {
  try {
    JSON.parse(await fs.readFile(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

async function removeIfPresent(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/** Flushes `dir`'s entries (names created, renamed, deleted) to disk, where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory: the flush is then skipped.
  } finally {
    await handle?.close();
  }
}
