import * as tf from '@tensorflow/tfjs-core';
import { Stats } from 'fs';
import { basename, dirname, isAbsolute, relative, resolve, sep, win32 } from 'path';
import { quantizeArtifacts } from '../io/quantize_artifacts';
import { checkWeightQuantization, WeightQuantization } from '../io/weight_quantization';
import { artifactsFromModelJSON, parseModelJSON, weightPaths } from '../io/model_json';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import {
  FileCalls, FileWriter, fingerprint, locateModel, MODEL_JSON, ModelLocation, nodeFileCalls, replaceModelFiles, SaveError,
  WEIGHTS_BIN, withDirectoryLock, writeDurablyWith,
} from './model_files';

/**
 * Options of {@link fileSystem}.
 *
 * ```js
 * await model.save(fileSystem('./deploy', {quantization: {dtype: 'float16'}}));
 * ```
 */
export interface FileSystemArgs {
  /**
   * Writes one file and flushes it to disk: the step where a full disk or a
   * missing permission shows. Replace it to write through another layer or
   * to simulate such failures in tests. Default: write, then fsync.
   */
  writeFile?: FileWriter;
  /**
   * Saves the model's float32 weights quantized, as tensorflowjs_converter's
   * `--quantize_float16` / `--quantize_uint8` / `--quantize_uint16` do:
   * `{dtype: 'float16'}` halves `weights.bin`, `'uint8'` quarters it. Plain
   * `tf.loadLayersModel` reads the files in any TF.js; pruned zeros and masks
   * load exactly (see {@link WeightQuantization} for the error of other
   * values). Optimizer state (`includeOptimizer`) stays float32.
   * Loading needs no option. Default: none, float32 weights bit for bit.
   */
  quantization?: WeightQuantization;
}

/** A file was replaced during a load: read again. */
class ModelChangedError extends Error {}

const LOAD_ATTEMPTS = 3;

/** The file-system calls of handlers made by {@link withFileCalls}; others use Node's. */
const injectedCalls = new WeakMap<NodeFileSystem, FileCalls>();

/** Internal (tests): makes `handler` go through `calls` for every file-system call of its saves and loads. */
export function withFileCalls(handler: NodeFileSystem, calls: FileCalls): NodeFileSystem {
  injectedCalls.set(handler, calls);
  return handler;
}

/**
 * A TF.js IOHandler for a model directory in the Node file system that reads
 * and writes exactly the files of tfjs-node's `file://` handler: `model.json`
 * (`{modelTopology, weightsManifest: [{paths: ['weights.bin'], weights}],
 * format, generatedBy, convertedBy, trainingConfig?, signature?,
 * userDefinedMetadata?}`) and the raw `weights.bin`. They load with
 * `tf.loadLayersModel` in browsers, in tfjs-node and in `tensorflowjs_converter`.
 *
 * Saving creates the directory if needed and replaces both files so that
 * no reader ever sees the JSON of one save beside the weights of another,
 * even if the process dies mid-save; a failed save leaves the previous model
 * byte for byte, or, failing after its commit point, the new one, and says
 * which (see ./model_files.ts). Loading accepts the directory or its
 * `model.json` (tfjs-node's form), checks the files (missing, malformed,
 * truncated, directories in their place, weight paths outside the directory)
 * and the PrunableDense masks, and fails with an error that names the file
 * before TF.js creates anything.
 *
 * ```js
 * await model.save(new NodeFileSystem('./checkpoint')); // as fileSystem('./checkpoint')
 * ```
 */
export class NodeFileSystem implements tf.io.IOHandler {
  /** The model directory (for loading, the directory or a model JSON file), as an absolute path. */
  readonly path: string;
  private readonly writeFile: FileWriter | undefined;
  private readonly quantization: WeightQuantization | undefined;

  constructor(path: string, args: FileSystemArgs = {}) {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`fileSystem: path must be a non-empty string naming a directory; received ${describeValue(path)}.`);
    }
    checkOptions(args, 'fileSystem: options must be an object {writeFile?, quantization?}');
    checkOptionNames(args, 'fileSystem', ['writeFile', 'quantization']);
    if (args.writeFile !== undefined && typeof args.writeFile !== 'function') {
      throw new TypeError(`fileSystem: writeFile must be a function (file, data) => Promise<void>; received ${describeValue(args.writeFile)}.`);
    }
    if (args.quantization !== undefined) checkWeightQuantization(args.quantization, 'fileSystem: quantization');
    this.path = resolve(path);
    this.quantization = args.quantization === undefined ? undefined : { dtype: args.quantization.dtype };
    this.writeFile = args.writeFile;
  }

  private get calls(): FileCalls {
    return injectedCalls.get(this) ?? nodeFileCalls;
  }

  /** Writes the model's `model.json` and `weights.bin` into the directory (what `model.save(handler)` calls). */
  async save(original: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    const dir = this.path;
    if (original.modelTopology instanceof ArrayBuffer) {
      throw new Error(`Cannot save to ${dir}: a binary (GraphDef) model topology is not supported; save a tf.LayersModel.`);
    }
    let artifacts = original;
    if (this.quantization != null) {
      // Before anything is written: a weight that cannot be quantized fails the save with nothing changed.
      try {
        artifacts = quantizeArtifacts(original, this.quantization);
      } catch (error) {
        throw new Error(`Saving the model to ${dir} failed: ${(error as Error).message.replace(/\.$/, '')}; nothing was written.`);
      }
    }
    // Field for field, in tfjs-node's order.
    const modelJSON: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs as tf.io.WeightsManifestEntry[] }],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    };
    if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
    if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
    if (artifacts.userDefinedMetadata != null) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
    const weights = artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const calls = this.calls;
    const write = this.writeFile ?? ((file: string, data: string | Uint8Array) => writeDurablyWith(calls, file, data));
    try {
      await withDirectoryLock(dir, async () => {
        const created = await createDirectory(dir, calls);
        try {
          await replaceModelFiles(dir, JSON.stringify(modelJSON), new Uint8Array(weights), write, calls);
        } catch (error) {
          if (created.length > 0 && !(error as SaveError).committed) {
            (error as SaveError).removalError = await removeDirectories(created, calls);
          }
          throw error;
        }
      });
    } catch (error) {
      throw saveError(dir, error);
    }
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  /** Reads and checks the model's files (what `tf.loadLayersModel(handler)` and {@link loadPrunableModel} call). */
  async load(): Promise<tf.io.ModelArtifacts> {
    const calls = this.calls;
    try {
      const dir = (await isDirectory(this.path, calls)) ? this.path : dirname(this.path);
      return await withDirectoryLock(dir, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await this.loadOnce(calls);
          } catch (error) {
            if (!(error instanceof ModelChangedError)) throw error;
            if (attempt === LOAD_ATTEMPTS) {
              throw new Error(`Cannot load a model from ${this.path}: its files were replaced while being read, ` +
                `${LOAD_ATTEMPTS} times; is another process saving there?`);
            }
          }
        }
      });
    } catch (error) {
      // A failing call (EIO, EACCES) names its path; the message adds the model's.
      if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
      throw Object.assign(new Error(`Cannot load a model from ${this.path}: ${(error as Error).message}.`), { cause: error });
    }
  }

  /** Reads the model once, throwing ModelChangedError if a save committed meanwhile. */
  private async loadOnce(calls: FileCalls): Promise<tf.io.ModelArtifacts> {
    const location = await this.locate(calls);
    const file = location.modelJson;
    const before = await fingerprint(location.dir, [file], calls);
    const changed = async () => (await fingerprint(location.dir, [file], calls)) !== before;
    const text = await readFileOf(file, calls, `Cannot load a model from ${file}: it`);
    if (text == null) {
      if (await changed()) throw new ModelChangedError();
      throw new Error(`Cannot load a model from ${file}: no such file or directory.`);
    }
    const modelJSON = parseModelJSON(text.toString('utf8'), file);
    // Every path is checked before any file is read.
    const paths = weightPaths(modelJSON).map((name) => weightFilePath(location.dir, name, file));
    const buffers: ArrayBuffer[] = [];
    for (const path of paths) {
      const bytes = await readFileOf(path, calls, `Cannot load a model from ${file}: its weight file ${path}`);
      if (bytes == null) {
        if (await changed()) throw new ModelChangedError();
        throw new Error(`Cannot load a model from ${file}: its weight file ${path} does not exist.`);
      }
      // A Buffer may view part of a larger ArrayBuffer; CompositeArrayBuffer.join reads whole ones.
      const whole = bytes.byteLength === bytes.buffer.byteLength;
      buffers.push((whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer);
    }
    if (await changed()) throw new ModelChangedError();
    return artifactsFromModelJSON(modelJSON, buffers, file);
  }

  /** The model to read: that of the directory (or of the directory of a path to its model.json), or the given JSON file. */
  private async locate(calls: FileCalls): Promise<ModelLocation> {
    const path = this.path;
    if (await isDirectory(path, calls)) {
      const location = await locateModel(path, calls);
      if (location != null) return location;
      // fileSystem('m/model.json') where model.json is a directory.
      if (basename(path) === MODEL_JSON) throw new Error(`Cannot load a model from ${path}: it is a directory, not a file.`);
      throw new Error(`Cannot load a model from ${path}: the directory has no ${MODEL_JSON}.`);
    }
    const dir = dirname(path);
    if (basename(path) === MODEL_JSON && (await isDirectory(dir, calls))) {
      const location = await locateModel(dir, calls);
      if (location == null) throw new Error(`Cannot load a model from ${dir}: the directory has no ${MODEL_JSON}.`);
      return location;
    }
    if ((await statForLoad(path, calls)) != null) return { modelJson: path, dir };
    throw new Error(`Cannot load a model from ${path}: no such file or directory.`);
  }
}

/**
 * A save and load handler for a model directory in the Node file system,
 * writing exactly tfjs-node's files (`model.json` and `weights.bin`); see
 * {@link NodeFileSystem}. Importing `tfjs-prune/node` also routes
 * `'file://…'` URLs to it when tfjs-node does not handle them.
 *
 * ```js
 * const { fileSystem, loadPrunableModel } = require('tfjs-prune/node');
 * await model.save(fileSystem('./checkpoints/pruned'), {includeOptimizer: true});
 * const restored = await loadPrunableModel(fileSystem('./checkpoints/pruned'));
 * await stripPruning(restored).save(fileSystem('./deploy', {quantization: {dtype: 'uint8'}})); // a 4x smaller weights.bin
 * ```
 */
export function fileSystem(path: string, args?: FileSystemArgs): NodeFileSystem {
  return new NodeFileSystem(path, args);
}

/**
 * Creates `dir` (absolute) and its missing parents, one at a time, unless it
 * exists; returns those it created, outermost first. A failure partway
 * (ENOSPC, a name too long further down) removes them again.
 */
async function createDirectory(dir: string, calls: FileCalls): Promise<string[]> {
  const fail = (error: unknown, removalError?: Error) =>
    Object.assign(new SaveError('cannot create the directory', error as Error, false), { removalError });
  const missing: string[] = [];
  try {
    const info = await statForLoad(dir, calls, ['ENOENT']);
    if (info != null) {
      if (!info.isDirectory()) throw new Error('cannot create the directory: it exists and is not a directory');
      return [];
    }
    missing.push(dir);
    for (let parent = dirname(dir); parent !== missing[0] && (await statForLoad(parent, calls, ['ENOENT'])) == null; parent = dirname(parent)) {
      missing.unshift(parent);
    }
  } catch (error) {
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw fail(error);
  }
  const created: string[] = [];
  for (const each of missing) {
    try {
      await calls.mkdir(each);
      created.push(each);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // Made meanwhile by someone else: not ours to remove.
      throw fail(error, await removeDirectories(created, calls));
    }
  }
  return created;
}

/** rmdir codes that mean someone else's files are there now: the directory stays, silently. */
const IN_USE = new Set(['ENOTEMPTY', 'EEXIST']);

/**
 * Removes `created` (outermost first, as {@link createDirectory} returns
 * them) innermost first, as long as they are empty; returns the error of a
 * removal that failed otherwise.
 */
async function removeDirectories(created: string[], calls: FileCalls): Promise<Error | undefined> {
  for (const each of [...created].reverse()) {
    try {
      await calls.rmdir(each);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT') continue;
      return IN_USE.has(code) ? undefined : (error as Error);
    }
  }
  return undefined;
}

/** The message of a failed save: the failing call's own, then which model the directory holds. */
function saveError(dir: string, error: unknown): Error {
  if (!(error instanceof SaveError)) return new Error(`Saving the model to ${dir} failed: ${(error as Error).message}.`);
  const removal = error.removalError;
  const parts = [`Saving the model to ${dir} failed: ${error.message}.`,
    error.committed ? 'The new model was saved before that failure and is what loads from there.'
      : 'The previous model there, if any, is unchanged.'];
  if (error.cleanupError != null) {
    parts.push(`Cleaning up failed too (${error.cleanupError.message}): loads still read that model, and the next save there finishes the clean-up.`);
  }
  if (removal != null) parts.push(`The directory it created could not be removed (${removal.message}).`);
  return Object.assign(new Error(parts.join(' ')), { cause: error.cause });
}

/** The stat of `path`, or null when it does not exist (`absent` codes; by default also a path through a file). */
async function statForLoad(path: string, calls: FileCalls, absent = ['ENOENT', 'ENOTDIR']): Promise<Stats | null> {
  try {
    return await calls.stat(path);
  } catch (error) {
    if (absent.includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
}

async function isDirectory(path: string, calls: FileCalls): Promise<boolean> {
  return (await statForLoad(path, calls))?.isDirectory() ?? false;
}

/** The contents of `file`, or null if it does not exist; `what` starts the message of other failures. */
async function readFileOf(file: string, calls: FileCalls, what: string): Promise<Buffer | null> {
  try {
    return await calls.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new Error(`${what} is a directory, not a file.`);
    throw Object.assign(new Error(`${what} cannot be read: ${(error as Error).message}.`), { cause: error });
  }
}

/**
 * The path of weight file `name` from the manifest of `file`, which must lie
 * inside `dir`: a model.json may come from anyone, and must not make a load
 * read (and report the size of) a file elsewhere.
 */
function weightFilePath(dir: string, name: string, file: string): string {
  const path = resolve(dir, name);
  const inside = relative(dir, path);
  const problem = name === '' ? 'is empty'
    : name.includes('\0') ? 'holds a NUL character'
      : isAbsolute(name) || win32.isAbsolute(name) ? 'is absolute'
        : inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? "leads out of the model's directory"
          : null;
  if (problem == null) return path;
  throw new Error(`Cannot load a model from ${file}: its weightsManifest names the weight file ${JSON.stringify(name)}, which ${problem}; ` +
    `weight files must be named by relative paths to files inside ${dir}, such as "${WEIGHTS_BIN}".`);
}
