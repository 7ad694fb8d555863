import * as tf from '@tensorflow/tfjs-core';
import { checkPrunableArtifacts, GRAPH_MODEL_ADVICE, recordArtifactsSource } from './check_prunable_artifacts';
import { checkWeightSpecs, joinWeightData } from './weight_layout';

/*
 * A model's files as TF.js writes them: a model.json (topology and weight
 * manifest) and the weight files its manifest names. Reading them is the
 * same work wherever the bytes come from (Node's file system, a page's
 * File objects or fetches): these functions do it once, naming the files in
 * every message.
 */

/** `text`, the contents of `file`, parsed as a model.json, with its weight manifest checked. */
export function parseModelJSON(text: string, file: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot load a model from ${file}: it is not valid JSON (${(error as Error).message}).`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || (json as tf.io.ModelJSON).modelTopology == null) {
    throw new Error(`Cannot load a model from ${file}: it is not a TensorFlow.js model.json (it has no modelTopology).`);
  }
  // Before its weights: a graph model's would only distract from what is wrong.
  const topology = (json as tf.io.ModelJSON).modelTopology as { node?: unknown };
  if ((json as tf.io.ModelJSON).format === 'graph-model' || Array.isArray(topology.node)) {
    throw new Error(`Cannot load a model from ${file}: it is a graph model (tensorflowjs_converter's "graph-model" format), ` +
      `not a layers model: ${GRAPH_MODEL_ADVICE}`);
  }
  const manifest = (json as tf.io.ModelJSON).weightsManifest;
  const validGroup = (g: tf.io.WeightsManifestConfig[number]) =>
    g != null && Array.isArray(g.paths) && g.paths.every((p: unknown) => typeof p === 'string') && Array.isArray(g.weights);
  if (manifest != null && !(Array.isArray(manifest) && manifest.every(validGroup))) {
    throw new Error(`Cannot load a model from ${file}: its weightsManifest must be a list of {paths, weights} groups.`);
  }
  const modelJSON = json as tf.io.ModelJSON;
  checkWeightSpecs((modelJSON.weightsManifest ?? []).flatMap((group) => group.weights), `Cannot load a model from ${file}: `);
  return modelJSON;
}

/** The weight file names of `modelJSON`'s manifest, in the order of its weights. */
export function weightPaths(modelJSON: tf.io.ModelJSON): string[] {
  return (modelJSON.weightsManifest ?? []).flatMap((group) => group.paths);
}

/**
 * The model artifacts of `modelJSON`, read from `file`, with `buffers` the
 * bytes of its {@link weightPaths} in order: weight files that hold more or
 * fewer bytes than the manifest describes are an error naming them, and a
 * model with prunable layers is checked (registered classes, masks of 0 and 1).
 */
export async function artifactsFromModelJSON(modelJSON: tf.io.ModelJSON, buffers: ArrayBuffer[], file: string): Promise<tf.io.ModelArtifacts> {
  const specs = (modelJSON.weightsManifest ?? []).flatMap((group) => group.weights);
  const names = weightPaths(modelJSON);
  const { data } = joinWeightData(specs, buffers, (held, described) =>
    `Cannot load a model from ${file}: ${names.join(', ')} hold${names.length === 1 ? 's' : ''} ` +
    `${held} bytes, but its weightsManifest describes ${described}: ` +
    `${names.length === 1 ? 'the file is' : 'they are'} truncated or from another save.`);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async () => [specs, data]);
  recordArtifactsSource(artifacts, file);
  checkPrunableArtifacts(artifacts, file);
  return artifacts;
}
