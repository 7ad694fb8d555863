import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import { artifactsSource, checkPrunableArtifacts } from './check_prunable_artifacts';
import { weightLayout } from './weight_layout';

/**
 * `tf.loadLayersModel` for models with PrunableDense layers, from any URL or
 * IOHandler (`'file://…'` in Node with `tfjs-prune/node`, `'http…'`,
 * `'indexeddb://…'`, `tf.io.fromMemory(…)`). Before TF.js builds the model it
 * checks what it loaded and fails with a clear error, creating nothing, when
 * PrunableDense is not registered (TF.js alone says `Unknown layer: PrunableDense.`),
 * when the topology or a weight spec is malformed, when the weight data is
 * shorter or longer than its specs, when a mask is missing (a `trainableOnly`
 * save) or has the wrong shape or values other than 0 and 1. If TF.js still
 * fails to build the model, the error names the source and nothing TF.js
 * created is left behind. `options` are `tf.loadLayersModel`'s.
 *
 * ```js
 * const model = await loadPrunableModel('https://example.com/pruned/model.json');
 * ```
 */
export async function loadPrunableModel(
  pathOrIOHandler: string | tf.io.IOHandler,
  options?: tf.io.LoadOptions,
): Promise<tfl.LayersModel> {
  return loadCheckedModel(pathOrIOHandler, options, 'loadPrunableModel');
}

/** {@link loadPrunableModel} for `caller` (`'loadSparseModel'`), which its argument errors name. @internal */
export async function loadCheckedModel(
  pathOrIOHandler: string | tf.io.IOHandler,
  options: tf.io.LoadOptions | undefined,
  caller: string,
): Promise<tfl.LayersModel> {
  if (options !== undefined) {
    checkOptions(options, `${caller}: options must be an object of tf.loadLayersModel's options`);
    checkOptionNames(options, caller, LOAD_OPTIONS);
  }
  const handler = resolveLoadHandler(pathOrIOHandler, options, caller);
  const url = typeof pathOrIOHandler === 'string' ? pathOrIOHandler : null;
  const artifacts = await loadArtifacts(handler, url);
  const source = artifactsSource(artifacts) ?? (url != null ? `'${url}'` : 'the model artifacts');
  checkPrunableArtifacts(artifacts, source, { requireMasks: options?.strict !== false });
  return buildModel(artifacts, options, source);
}

/** The options of `tf.loadLayersModel` (TF.js 4.22's `tf.io.LoadOptions`). */
const LOAD_OPTIONS: ReadonlyArray<keyof tf.io.LoadOptions> = [
  'requestInit', 'onProgress', 'fetchFunc', 'strict', 'weightPathPrefix', 'fromTFHub', 'weightUrlConverter', 'streamWeights',
];

/** The handler `tf.loadLayersModel` would use for `pathOrIOHandler`, resolved the same way. */
function resolveLoadHandler(pathOrIOHandler: string | tf.io.IOHandler, options: tf.io.LoadOptions | undefined,
  caller: string): tf.io.IOHandler {
  if (typeof pathOrIOHandler !== 'string') {
    if (pathOrIOHandler == null || typeof pathOrIOHandler.load !== 'function') {
      throw new TypeError(`${caller}: pathOrIOHandler must be a URL string or an IOHandler with a load method; ` +
        `received ${describeValue(pathOrIOHandler)}.`);
    }
    return pathOrIOHandler;
  }
  const url = pathOrIOHandler;
  const handlers = tf.io.getLoadHandlers(url, options);
  if (handlers.length > 1) {
    throw new Error(`${caller}: ${handlers.length} load handlers match '${url}'; ` +
      'TensorFlow.js needs exactly one (is a file:// router registered twice?).');
  }
  if (handlers.length === 1) return handlers[0];
  // A browser fetches a URL without a scheme relative to the page; elsewhere only http(s) URLs reach the network.
  if (tf.env().getBool('IS_BROWSER') || /^https?:\/\//i.test(url)) return tf.io.http(url, options);
  const hint = url.startsWith('file://')
    ? "file:// URLs load in Node once 'tfjs-prune/node' (or @tensorflow/tfjs-node) is imported"
    : `in Node, use a file:// URL ('file://${url}', with 'tfjs-prune/node' imported) or fileSystem('${url}') of 'tfjs-prune/node'; ` +
      'over the network, an http:// or https:// URL';
  throw new TypeError(`${caller}: pathOrIOHandler must be a URL that a TensorFlow.js load handler accepts, or an IOHandler ` +
    `(such as tf.io.fromMemory(artifacts)); no handler accepts ${describeValue(url)}: ${hint}.`);
}

/** The artifacts of `handler`; a network error (`fetch failed`) gets the URL it concerns. */
async function loadArtifacts(handler: tf.io.IOHandler, url: string | null): Promise<tf.io.ModelArtifacts> {
  try {
    return await (handler.load as tf.io.LoadHandler)();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (url == null || !/^https?:\/\//i.test(url) || message.includes(url)) throw error;
    const reason = (error as { cause?: { message?: string } }).cause?.message;
    throw Object.assign(new Error(`Cannot load a model from '${url}': ${message}${reason != null ? ` (${reason})` : ''}.`), { cause: error });
  }
}

/**
 * `tf.loadLayersModel` of loaded, checked artifacts. If TF.js throws (a layer
 * config it rejects, weights that do not fit the layers), the error names the
 * source and everything TF.js created meanwhile is disposed: it would leave
 * the variables of the layers built so far and the decoded weights behind.
 *
 * What TF.js created is what appeared during the build: the variables
 * registered since it began, and the tensors tracked in an engine scope
 * opened around it. Nothing else can create any meanwhile, because the build
 * runs in a task of its own and never waits for another task (TF.js builds
 * synchronously once the in-memory handler has answered; the optimizer's
 * weights, whose `setWeights` awaits a read, are set afterwards, here).
 */
async function buildModel(artifacts: tf.io.ModelArtifacts, options: tf.io.LoadOptions | undefined,
  source: string): Promise<tfl.LayersModel> {
  const { model: modelArtifacts, optimizer } = splitOptimizerWeights(artifacts);
  await nextTask();
  let ownTask = true;
  void nextTask().then(() => {
    ownTask = false;
  });
  const engine = tf.engine();
  const variables = new Set(Object.keys(engine.state.registeredVariables));
  engine.startScope('loadPrunableModel');
  const scope = engine.state.activeScope;
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: async () => modelArtifacts }, options);
  } catch (error) {
    // Had another task run meanwhile (a TF.js that waits), what was created might not all be the build's: keep it all.
    if (ownTask) scope.track.forEach((tensor) => tensor.dispose());
    engine.endScope(ownTask ? undefined : scope.track);
    if (ownTask) {
      for (const [name, variable] of Object.entries(engine.state.registeredVariables)) {
        if (!variables.has(name)) variable.dispose();
      }
    }
    throw buildError(error, source);
  }
  engine.endScope(scope.track); // Keeps every tensor, as TF.js would.
  if (optimizer == null || model.optimizer == null) return model; // TF.js ignores optimizer weights without a training config.
  const decoded = tf.io.decodeWeights(optimizer.data, optimizer.specs);
  try {
    await model.optimizer.setWeights(optimizer.specs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name] })));
  } catch (error) {
    model.optimizer.dispose(); // The optimizer from the training config is not the model's to dispose.
    model.dispose();
    throw buildError(error, source);
  } finally {
    tf.dispose(Object.values(decoded));
  }
  return model;
}

/** The weights of the optimizer (group 'optimizer', saved by `includeOptimizer`), split off the model's. */
function splitOptimizerWeights(artifacts: tf.io.ModelArtifacts): {
  model: tf.io.ModelArtifacts;
  optimizer: { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } | null;
} {
  const { weightSpecs: specs, weightData } = artifacts;
  if (specs == null || weightData == null || !specs.some((spec) => spec.group === 'optimizer')) return { model: artifacts, optimizer: null };
  const data = tf.io.CompositeArrayBuffer.join(weightData);
  const layout = weightLayout(specs, data);
  const part = (optimizer: boolean) => {
    const indices = specs.map((_, i) => i).filter((i) => (specs[i].group === 'optimizer') === optimizer);
    return {
      specs: indices.map((i) => specs[i]),
      data: tf.io.CompositeArrayBuffer.join(indices.map((i) => data.slice(layout.offsets[i], layout.offsets[i] + layout.byteLengths[i]))),
    };
  };
  const own = part(false);
  return { model: { ...artifacts, weightSpecs: own.specs, weightData: own.data }, optimizer: part(true) };
}

function buildError(error: unknown, source: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(`TensorFlow.js could not build the model in ${source}: ${message}`), { cause: error });
}

/** Resolves in a later task (macrotask), after every microtask queued so far. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
