import type * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../checks';
import { artifactsFromModelJSON, parseModelJSON, weightPaths } from '../io/model_json';
import { aboutSubject, ModelFileError } from './model_file_error';

/**
 * One file of a saved model, by name, with its bytes: what a page gets from
 * a file input, a drop or a fetch.
 *
 * ```js
 * const files = await Promise.all([...input.files].map(async (f) => ({name: f.name, data: await f.arrayBuffer()})));
 * ```
 */
export interface NamedFile {
  /** The file's name; weight files are matched to the manifest's paths by it (the part after the last `/`). */
  name: string;
  /** Its contents. */
  data: ArrayBuffer;
}

/**
 * The model artifacts of a model's files: exactly one `.json` file (the
 * model.json) and the weight files its manifest names, in any order (others
 * are ignored). What the operations of this folder take, read as
 * `tf.io.browserFiles` reads them, but every problem is a
 * {@link ModelFileError} that names the file: no model.json, a file that is
 * not JSON or not a model.json, a weight file missing or of the wrong size,
 * a prunable layer's bad mask. Browser-safe; nothing is built.
 *
 * ```js
 * const artifacts = await readModelFiles(files);
 * const report = await summarizeModelFile(artifacts, {source: 'model.json'});
 * ```
 */
export async function readModelFiles(files: readonly NamedFile[]): Promise<tf.io.ModelArtifacts> {
  if (!Array.isArray(files) || !files.every((f) => f != null && typeof f.name === 'string' && f.data instanceof ArrayBuffer)) {
    throw new ModelFileError(`files must be a list of {name, data: ArrayBuffer}; received ${describeValue(files)}.`, 'files');
  }
  const names = files.map((f) => f.name).join(', ') || 'none';
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (json.length !== 1) {
    throw new ModelFileError(json.length === 0
      ? `No model.json among the files given (${names}): give the model's model.json with its weight files.`
      : `Give one model.json at a time; the files given hold ${json.length}: ${json.map((f) => f.name).join(', ')}.`, 'files');
  }
  const file = json[0].name;
  return aboutSubject(file, async () => {
    const modelJSON = parseModelJSON(new TextDecoder().decode(json[0].data), file);
    const byName = new Map(files.map((f) => [f.name, f.data]));
    const buffers = weightPaths(modelJSON).map((path) => {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const data = byName.get(name);
      if (data === undefined) {
        throw new ModelFileError(`Cannot load a model from ${file}: its weight file ${name} is missing; ` +
          `give it with ${file} (given: ${names}).`, name);
      }
      return data;
    });
    return artifactsFromModelJSON(modelJSON, buffers, file);
  });
}
