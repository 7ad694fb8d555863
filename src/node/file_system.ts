import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { checkPrunableArtifacts } from '../io/check_prunable_artifacts';
import { quantizeArtifacts } from '../io/quantize_artifacts';
import { checkWeightQuantization, WeightQuantization } from '../io/weight_quantization';
import { joinWeightData } from '../io/weight_layout';
import { checkOptions, describeValue } from '../checks';
import {
  exists, FileWriter, locateModel, MODEL_JSON, ModelLocation, replaceModelFiles, WEIGHTS_BIN, withDirectoryLock,
  WriteError, writeDurably,
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
 * even if the process dies mid-save; a failed save leaves the previous
 * model intact (see ./model_files.ts). Loading accepts the directory or its
 * `model.json` (tfjs-node's form), checks the files (missing, malformed,
 * truncated) and the PrunableDense masks, and fails with an error that names
 * the file before TF.js creates anything.
 *
 * ```js
 * await model.save(new NodeFileSystem('./checkpoint')); // as fileSystem('./checkpoint')
 * ```
 */
export class NodeFileSystem implements tf.io.IOHandler {
  /** The model directory (for loading, the directory or a model JSON file), as an absolute path. */
  readonly path: string;
  private readonly writeFile: FileWriter;
  private readonly quantization: WeightQuantization | undefined;

  constructor(path: string, args: FileSystemArgs = {}) {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`fileSystem: path must be a non-empty string naming a directory; received ${describeValue(path)}.`);
    }
    checkOptions(args, 'fileSystem: options must be an object {writeFile?, quantization?}');
    if (args.writeFile !== undefined && typeof args.writeFile !== 'function') {
      throw new TypeError(`fileSystem: writeFile must be a function (file, data) => Promise<void>; received ${describeValue(args.writeFile)}.`);
    }
    if (args.quantization !== undefined) checkWeightQuantization(args.quantization, 'fileSystem: quantization');
    this.path = resolve(path);
    this.quantization = args.quantization === undefined ? undefined : { dtype: args.quantization.dtype };
    this.writeFile = args.writeFile ?? writeDurably;
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
    try {
      await withDirectoryLock(dir, async () => {
        const created = await createDirectory(dir);
        try {
          await replaceModelFiles(dir, JSON.stringify(modelJSON), new Uint8Array(weights), this.writeFile);
        } catch (error) {
          if (created !== undefined) await removeEmptyDirectories(dir, created);
          throw error;
        }
      });
    } catch (error) {
      const unchanged = error instanceof WriteError ? ' The previous model there, if any, is unchanged.' : '';
      throw new Error(`Saving the model to ${dir} failed: ${(error as Error).message}.${unchanged}`);
    }
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  /** Reads and checks the model's files (what `tf.loadLayersModel(handler)` and {@link loadPrunableModel} call). */
  async load(): Promise<tf.io.ModelArtifacts> {
    const dir = (await isDirectory(this.path)) ? this.path : dirname(this.path);
    return withDirectoryLock(dir, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.loadOnce();
        } catch (error) {
          if (!(error instanceof ModelChangedError)) throw error;
          if (attempt === LOAD_ATTEMPTS) {
            throw new Error(`Cannot load a model from ${this.path}: its files were replaced while being read, ` +
              `${LOAD_ATTEMPTS} times; is another process saving there?`);
          }
        }
      }
    });
  }

  /** Reads the model once, throwing ModelChangedError if its JSON was replaced meanwhile. */
  private async loadOnce(): Promise<tf.io.ModelArtifacts> {
    const location = await this.locate();
    const file = location.modelJson;
    const before = await fs.stat(file).catch(() => null);
    if (before == null) throw new ModelChangedError();
    const changed = async () => {
      const after = await fs.stat(file).catch(() => null);
      return after == null || after.ino !== before.ino || after.size !== before.size || after.mtimeMs !== before.mtimeMs;
    };
    const modelJSON = parseModelJSON(await fs.readFile(file, 'utf8'), file);
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    const weightFiles: string[] = [];
    for (const group of modelJSON.weightsManifest ?? []) {
      for (const name of group.paths) {
        const buffer = await readFirst(location.weightFiles(name));
        if (buffer == null) {
          if (await changed()) throw new ModelChangedError();
          throw new Error(`Cannot load a model from ${file}: its weight file ${location.weightFiles(name).pop()} does not exist.`);
        }
        buffers.push(buffer);
        weightFiles.push(name);
      }
      specs.push(...group.weights);
    }
    if (await changed()) throw new ModelChangedError();
    const { data } = joinWeightData(specs, buffers, (held, described) =>
      `Cannot load a model from ${file}: ${weightFiles.join(', ')} hold${weightFiles.length === 1 ? 's' : ''} ` +
      `${held} bytes, but its weightsManifest describes ${described}: ` +
      `${weightFiles.length === 1 ? 'the file is' : 'they are'} truncated or from another save.`);
    const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async () => [specs, data]);
    checkPrunableArtifacts(artifacts, file);
    return artifacts;
  }

  /** The model to read: that of the directory (or of the directory of a path to its model.json), or the given JSON file. */
  private async locate(): Promise<ModelLocation> {
    const path = this.path;
    const dir = (await isDirectory(path)) ? path : basename(path) === MODEL_JSON ? dirname(path) : null;
    if (dir != null && (await isDirectory(dir))) {
      const location = await locateModel(dir);
      if (location == null) throw new Error(`Cannot load a model from ${dir}: the directory has no ${MODEL_JSON}.`);
      return location;
    }
    if (await exists(path)) return { modelJson: path, weightFiles: (name) => [join(dirname(path), name)] };
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

/** Creates `dir` (absolute) unless it exists; returns the first directory it created, if any. */
async function createDirectory(dir: string): Promise<string | undefined> {
  let created: string | undefined;
  try {
    if (await exists(dir)) {
      if (!(await isDirectory(dir))) throw new Error('it exists and is not a directory');
      return undefined;
    }
    created = dir;
    while (dirname(created) !== created && !(await exists(dirname(created)))) created = dirname(created);
    await fs.mkdir(dir, { recursive: true });
    return created;
  } catch (error) {
    // mkdir may fail after creating some of the directories (ENOSPC, a name too long further down).
    if (created !== undefined) await removeEmptyDirectories(dir, created);
    throw new Error(`cannot create the directory: ${(error as Error).message}`);
  }
}

/** Error codes of rmdir for a path that names no directory. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG']);

/** Removes `dir` and its parents up to `created`, those a failed save created, as long as they are empty. */
async function removeEmptyDirectories(dir: string, created: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    // rmdir refuses a directory that is not empty: whatever else appeared there stays. One never created is skipped.
    const removed = await fs.rmdir(current).then(() => true, (error) => ABSENT.has((error as NodeJS.ErrnoException).code ?? ''));
    if (!removed || current === created || current === dirname(current)) return;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  const info = await fs.stat(path).catch(() => null);
  return info != null && info.isDirectory();
}

function parseModelJSON(text: string, file: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot load a model from ${file}: it is not valid JSON (${(error as Error).message}).`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || (json as tf.io.ModelJSON).modelTopology == null) {
    throw new Error(`Cannot load a model from ${file}: it is not a TensorFlow.js model.json (it has no modelTopology).`);
  }
  const manifest = (json as tf.io.ModelJSON).weightsManifest;
  const validGroup = (g: tf.io.WeightsManifestConfig[number]) =>
    g != null && Array.isArray(g.paths) && g.paths.every((p: unknown) => typeof p === 'string') && Array.isArray(g.weights);
  if (manifest != null && !(Array.isArray(manifest) && manifest.every(validGroup))) {
    throw new Error(`Cannot load a model from ${file}: its weightsManifest must be a list of {paths, weights} groups.`);
  }
  return json as tf.io.ModelJSON;
}

/** The contents of the first of `files` that exists, or null if none does. */
async function readFirst(files: string[]): Promise<ArrayBuffer | null> {
  for (const file of files) {
    try {
      const bytes = await fs.readFile(file);
      // A Buffer may view part of a larger ArrayBuffer; CompositeArrayBuffer.join reads whole ones.
      const whole = bytes.byteLength === bytes.buffer.byteLength;
      return (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}
