// loadPrunableModel on artifacts that may come from anyone: every bad case fails
// before TF.js builds anything, with a message naming the weight, layer or field,
// and a failure inside TF.js's build leaves no tensor or variable behind.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as http from 'http';
import { AddressInfo } from 'net';
import { loadPrunableModel, makePrunable, PrunableDense } from '../../src';
import { expectNoTensorLeak } from '../support/memory';
import { rejection } from '../support/rejection';
import { artifactsOf, convolutionalModels, expectSameModel, nestedPrunableModel, randomizeModel, weightValues } from './fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A deep copy of `artifacts` with `edit` applied to its (snake_case) topology and specs. */
function edited(artifacts: tf.io.ModelArtifacts, edit: (topology: Json, specs: Json[]) => void): tf.io.ModelArtifacts {
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
  const specs = JSON.parse(JSON.stringify(artifacts.weightSpecs));
  edit(topology, specs);
  return { ...artifacts, modelTopology: topology, weightSpecs: specs };
}

/** The entry of layer `name` in a functional topology. */
function layer(topology: Json, name: string): Json {
  return topology.config.layers.find((l: Json) => l.name === name);
}

/** Asserts that loading fails with `message` (a string: exactly), creating no tensor and no variable. */
async function expectLoadError(load: () => Promise<unknown>, message: string | RegExp): Promise<Error> {
  const variables = Object.keys(tf.engine().state.registeredVariables).length;
  let error: Error | undefined;
  await expectNoTensorLeak(async () => {
    error = await rejection(load());
  });
  if (typeof message === 'string') expect(error!.message).to.equal(message);
  else expect(error!.message).to.match(message);
  expect(Object.keys(tf.engine().state.registeredVariables).length, 'variables left').to.equal(variables);
  return error!;
}

describe('loadPrunableModel: artifacts that may come from anyone', () => {
  let model: tf.LayersModel;
  let artifacts: tf.io.ModelArtifacts;
  before(async () => {
    model = nestedPrunableModel(51);
    artifacts = await artifactsOf(model);
  });
  after(() => model.dispose());

  const load = (a: tf.io.ModelArtifacts, options?: tf.io.LoadOptions) => () => loadPrunableModel(tf.io.fromMemory(a), options);

  it('a trainableOnly save (no masks): names the layer and the missing mask, before TF.js builds anything', async () => {
    const trainable = await artifactsOf(model, { trainableOnly: true });
    expect(trainable.weightSpecs!.map((s) => s.name)).to.not.include('hidden/mask');
    await expectLoadError(load(trainable), "The model in the model artifacts has no weight 'inner_dense/mask', the mask of the kernel " +
      "of PrunableDense 'inner_dense': a model saved with {trainableOnly: true} has no masks (they are non-trainable weights). " +
      'Save it without trainableOnly, or load it with {strict: false} to start from masks of ones.');
    // Non-strict, TF.js starts the masks from their initializer: ones.
    const loaded = await loadPrunableModel(tf.io.fromMemory(trainable), { strict: false });
    const mask = (loaded.getLayer('hidden') as PrunableDense).getMask();
    expect(Array.from(mask.dataSync()).every((v) => v === 1)).to.equal(true);
    expect(weightValues(loaded).find(([n]) => n === 'hidden/kernel')).to.deep.equal(weightValues(model).find(([n]) => n === 'hidden/kernel'));
    mask.dispose();
    loaded.dispose();
  });

  it('a mask that is not float32: names the layer and the allowed dtype', async () => {
    await expectLoadError(load(edited(artifacts, (_, specs) => {
      specs.find((s) => s.name === 'hidden/mask')!.dtype = 'int32';
    })), "The mask of PrunableDense 'hidden' in the model artifacts must have dtype 'float32'; received string \"int32\".");
  });

  const specCases: Array<[string, (spec: Json) => void, string]> = [
    ['no shape', (s) => delete s.shape, "weight 'inner_dense/kernel' must have a shape, an array of non-negative integers; received undefined."],
    ['a negative dimension', (s) => { s.shape = [6, -5]; }, "weight 'inner_dense/kernel' must have a shape, an array of non-negative integers; received [6,-5]."],
    ['a fractional dimension', (s) => { s.shape = [6, 2.5]; }, "weight 'inner_dense/kernel' must have a shape, an array of non-negative integers; received [6,2.5]."],
    ['no name', (s) => delete s.name, 'weight spec 0 must have a name, a non-empty string; received undefined.'],
    ['an unknown dtype', (s) => { s.dtype = 'float64'; },
      "weight 'inner_dense/kernel' has dtype string \"float64\"; the dtypes are 'float32', 'int32', 'bool', 'string', 'complex64'."],
    ['an unknown quantization dtype', (s) => { s.quantization = { dtype: 'int4' }; },
      "weight 'inner_dense/kernel' has quantization dtype string \"int4\"; the quantized dtypes are 'uint8', 'uint16', 'float16'."],
    ['uint8 quantization without scale', (s) => { s.quantization = { dtype: 'uint8', min: 0 }; },
      "weight 'inner_dense/kernel' is quantized as 'uint8' but lacks the numbers quantization.scale and quantization.min."],
  ];
  for (const [what, edit, detail] of specCases) {
    it(`a weight spec with ${what}: names the weight and what is allowed`, async () => {
      await expectLoadError(load(edited(artifacts, (_, specs) => edit(specs[0]))), `The weight specs of the model artifacts are invalid: ${detail}`);
    });
  }

  it('a weight named twice', async () => {
    await expectLoadError(load(edited(artifacts, (_, specs) => { specs[1].name = specs[0].name; })),
      "The weight specs of the model artifacts are invalid: weight 'inner_dense/kernel' appears more than once; each weight name must be unique.");
  });

  it('a topology without class_name or config, or none, or a graph model\'s', async () => {
    const shape = "a layers model's topology is {class_name: 'Sequential' or 'Model', config: {…}}, as tf.LayersModel saves it.";
    await expectLoadError(load(edited(artifacts, (t) => delete t.class_name)), `The modelTopology of the model artifacts has no class_name: ${shape}`);
    await expectLoadError(load(edited(artifacts, (t) => delete t.config)), `The modelTopology of the model artifacts has no config: ${shape}`);
    await expectLoadError(load({ ...artifacts, modelTopology: undefined }), 'The model in the model artifacts has no modelTopology.');
    await expectLoadError(load({ ...artifacts, format: 'graph-model', modelTopology: { node: [] } }),
      `The modelTopology of the model artifacts has no class_name: ${shape} It looks like a graph model ` +
      '(tensorflowjs_converter\'s "graph-model" format): pruning works on layers models: convert the Keras model with tensorflowjs_converter ' +
      '--output_format tfjs_layers_model (a graph model loads with tf.loadGraphModel).');
  });

  it('a PrunableDense config without units, with bad units, or without a config: names the layer and the field', async () => {
    await expectLoadError(load(edited(artifacts, (t) => delete layer(t, 'hidden').config.units)),
      "The PrunableDense 'hidden' in the model artifacts must have a positive integer units in its config; received undefined.");
    await expectLoadError(load(edited(artifacts, (t) => { layer(t, 'hidden').config.units = '4'; })),
      "The PrunableDense 'hidden' in the model artifacts must have a positive integer units in its config; received string \"4\".");
    await expectLoadError(load(edited(artifacts, (t) => { layer(t, 'inner').config.layers[0].config.units = 0; })),
      "The PrunableDense 'inner_dense' in the model artifacts must have a positive integer units in its config; received 0.");
    await expectLoadError(load(edited(artifacts, (t) => delete layer(t, 'hidden').config)),
      "The PrunableDense 'hidden' in the model artifacts has no config: a saved layer is {class_name, config: {name, …}}; received config undefined.");
  });

  it('a plain-layer config TF.js rejects: TF.js\'s message, prefixed with the source; the layers built before it are disposed', async () => {
    // logits comes after inner_dense and hidden, whose variables TF.js has created by then.
    const error = await expectLoadError(load(edited(artifacts, (t) => delete layer(t, 'logits').config.units)),
      'TensorFlow.js could not build the model in the model artifacts: Expected units to be a positive integer, but got undefined.');
    expect((error as Error & { cause?: Error }).cause?.message).to.equal('Expected units to be a positive integer, but got undefined.');
  });

  it('weights that do not fit the layers (found only once TF.js built them): the built model and the decoded weights are disposed', async () => {
    // A plain model: no mask check applies. Without its non-trainable weights, TF.js's strict loading fails after decoding.
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.batchNormalization()] });
    const trainable = await artifactsOf(plain, { trainableOnly: true });
    await expectLoadError(load(trainable),
      /^TensorFlow\.js could not build the model in the model artifacts: 2 of 6 weights are not set: .*moving_mean,.*moving_variance$/);
    // An extra weight TF.js has no variable for.
    const extra = await artifactsOf(plain);
    const data = new Uint8Array((extra.weightData as ArrayBuffer).byteLength + 4);
    data.set(new Uint8Array(extra.weightData as ArrayBuffer));
    await expectLoadError(load({ ...extra, weightSpecs: [...extra.weightSpecs!, { name: 'stray/w', shape: [1], dtype: 'float32' }], weightData: data.buffer }),
      'TensorFlow.js could not build the model in the model artifacts: Provided weight data has no target variable: stray/w');
    plain.dispose();
  });

  it('optimizer weights the optimizer refuses: the compiled model and its optimizer are disposed', async () => {
    const compiled = nestedPrunableModel(52);
    compiled.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const saved = await artifactsOf(compiled, { includeOptimizer: true });
    expect(saved.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name)).to.deep.equal(['iter']);
    const data = new Uint8Array((saved.weightData as ArrayBuffer).byteLength + 4);
    data.set(new Uint8Array(saved.weightData as ArrayBuffer));
    const stray = { name: 'stray/momentum', shape: [1], dtype: 'float32' as const, group: 'optimizer' as const };
    await expectLoadError(load({ ...saved, weightSpecs: [...saved.weightSpecs!, stray], weightData: data.buffer }),
      'TensorFlow.js could not build the model in the model artifacts: SGD optimizer does not have settable weights.');
    // The same artifacts without the stray weight load, optimizer state included.
    const loaded = await loadPrunableModel(tf.io.fromMemory(saved));
    expectSameModel(loaded, compiled);
    expect(loaded.optimizer.getClassName()).to.equal('SGD');
    [compiled, loaded].forEach((m) => m.dispose());
  });

  it('a failed load leaves the next load and the models already loaded working', async () => {
    const first = await loadPrunableModel(tf.io.fromMemory(artifacts));
    await expectLoadError(load(edited(artifacts, (t) => delete layer(t, 'logits').config.units)), /^TensorFlow\.js could not build/);
    expectSameModel(first, model);
    const second = await loadPrunableModel(tf.io.fromMemory(artifacts));
    expectSameModel(second, model);
    [first, second].forEach((m) => m.dispose());
  });
});

describe('loadPrunableModel: URLs', () => {
  it('a path without a scheme: says which URLs and handlers are accepted', async () => {
    const error = await rejection(loadPrunableModel('some/dir'));
    expect(error).to.be.instanceOf(TypeError);
    expect(error.message).to.equal('loadPrunableModel: pathOrIOHandler must be a URL that a TensorFlow.js load handler accepts, ' +
      'or an IOHandler (such as tf.io.fromMemory(artifacts)); no handler accepts string "some/dir": in Node, use a file:// URL ' +
      "('file://some/dir', with 'tfjs-prune/node' imported) or fileSystem('some/dir') of 'tfjs-prune/node'; " +
      'over the network, an http:// or https:// URL.');
  });

  describe('over http', () => {
    let server: http.Server;
    let base: string;
    let files: Record<string, Buffer>;
    let model: tf.LayersModel;

    before(async () => {
      model = nestedPrunableModel(53);
      const a = await artifactsOf(model);
      files = {
        '/m/model.json': Buffer.from(JSON.stringify({
          modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        })),
        '/m/weights.bin': Buffer.from(a.weightData as ArrayBuffer),
      };
      server = http.createServer((request, response) => {
        const body = files[request.url ?? ''];
        response.writeHead(body == null ? 404 : 200).end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      model.dispose();
      await new Promise((resolve) => server.close(resolve));
    });

    it('loads a model served over http', async () => {
      const loaded = await loadPrunableModel(`${base}/m/model.json`);
      expectSameModel(loaded, model);
      loaded.dispose();
    });

    it('a network error names the URL and its cause', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const url = `http://127.0.0.1:${port}/m/model.json`;
      const error = await expectLoadError(() => loadPrunableModel(url),
        `Cannot load a model from '${url}': fetch failed (connect ECONNREFUSED 127.0.0.1:${port}).`);
      expect((error as Error & { cause?: unknown }).cause).to.be.an('error');
    });

    it('a missing file: TF.js\'s message, which names the URL', async () => {
      await expectLoadError(() => loadPrunableModel(`${base}/none/model.json`), new RegExp(`${base}/none/model\\.json failed with status code 404`));
    });
  });
});

describe('loadPrunableModel: convolutional models', () => {
  let model: tf.LayersModel;
  let artifacts: tf.io.ModelArtifacts;
  before(async () => {
    const [plain] = convolutionalModels(52);
    model = makePrunable(plain);
    plain.dispose();
    randomizeModel(model, 53);
    artifacts = await artifactsOf(model);
  });
  after(() => model.dispose());

  const load = (a: tf.io.ModelArtifacts) => () => loadPrunableModel(tf.io.fromMemory(a));

  it('loads every kind with its masks exactly', async () => {
    const loaded = await loadPrunableModel(tf.io.fromMemory(artifacts));
    expect(weightValues(loaded)).to.deep.equal(weightValues(model));
    loaded.dispose();
  });

  it('a trainableOnly save: names the missing mask of a layer with two', async () => {
    await expectLoadError(load(await artifactsOf(model, { trainableOnly: true })),
      /^The model in the model artifacts has no weight 'conv\/kernel_mask', the mask of the kernel of PrunableConv2D 'conv': /);
    // Every weight but the pointwise kernel's mask, specs and data alike.
    const { specs, data } = await tf.io.encodeWeights(Object.fromEntries(model.weights
      .filter((w) => w.originalName !== 'sep/pointwise_kernel_mask').map((w) => [w.originalName, w.read()])));
    expect(specs).to.have.length(artifacts.weightSpecs!.length - 1);
    await expectLoadError(load({ ...artifacts, weightSpecs: specs, weightData: data }),
      /^The model in the model artifacts has no weight 'sep\/pointwise_kernel_mask', the mask of the pointwise_kernel of PrunableSeparableConv2D 'sep': /);
  });

  it('a mask that is not 0/1: names the layer and, where it has two, the weight', async () => {
    const maskIndex = artifacts.weightSpecs!.findIndex((s) => s.name === 'sep/depthwise_kernel_mask');
    const data = new Float32Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!).slice(0));
    const offset = artifacts.weightSpecs!.slice(0, maskIndex).reduce((n, s) => n + tf.util.sizeFromShape(s.shape), 0);
    data[offset + 2] = 0.5;
    await expectLoadError(load({ ...artifacts, weightData: data.buffer }),
      "The mask of the depthwise_kernel of PrunableSeparableConv2D 'sep' in the model artifacts must hold only 0 and 1; found 0.5 at flat index 2");
  });

  it('a convolution without filters: names the layer and the field', async () => {
    await expectLoadError(load(edited(artifacts, (topology) => {
      delete layer(topology, 'up').config.filters;
    })), "The PrunableConv2DTranspose 'up' in the model artifacts must have a positive integer filters in its config; received undefined.");
  });
});
