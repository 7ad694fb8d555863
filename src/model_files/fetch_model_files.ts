import type * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../checks';
import { artifactsFromModelJSON, parseModelJSON, weightPaths } from '../io/model_json';
import { aboutSubject, ModelFileError } from './model_file_error';

/**
 * The model artifacts of the model.json at `url` and the weight files its
 * manifest names (resolved against `url`, fetched in parallel), read as
 * {@link readModelFiles} reads files: what the operations of this folder take.
 * Every problem is a {@link ModelFileError} naming the file: model.json or a
 * weight file that cannot be fetched (with the HTTP status, or the network
 * error), a file that is not JSON or not a layers model, a weight file of the
 * wrong size. Browser-safe (the global `fetch`; Node 20 has it too); nothing
 * is built.
 *
 * ```js
 * const artifacts = await fetchModelFiles('https://example.com/model/model.json');
 * const {layers} = await summarizeModelFile(artifacts, {source: 'model.json'});
 * ```
 */
export async function fetchModelFiles(url: string): Promise<tf.io.ModelArtifacts> {
  let location: URL;
  try {
    location = new URL(url);
  } catch {
    throw new ModelFileError(`url must be an absolute URL of a model.json; received ${describeValue(url)}.`, 'url');
  }
  const file = location.href;
  return aboutSubject(file, async () => {
    const failure = `Cannot load a model from ${file}: it`;
    const modelJSON = parseModelJSON(new TextDecoder().decode(await fetchBytes(location, file, failure)), file);
    const buffers = await Promise.all(weightPaths(modelJSON).map((path) => {
      const shard = new URL(path, location);
      return fetchBytes(shard, path, `Cannot load a model from ${file}: its weight file ${path} (${shard.href})`);
    }));
    return artifactsFromModelJSON(modelJSON, buffers, file);
  });
}

/** The bytes at `url`; an error about `subject`, `what` (a sentence's start) followed by why, when the fetch fails or answers other than 2xx. */
async function fetchBytes(url: URL, subject: string, what: string): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url);
    if (response.ok) return await response.arrayBuffer();
  } catch (error) {
    throw new ModelFileError(`${what} could not be fetched: ${(error as Error).message}.`, subject, { cause: error });
  }
  throw new ModelFileError(`${what} could not be fetched: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`, subject);
}
