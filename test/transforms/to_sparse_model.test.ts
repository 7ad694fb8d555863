import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { sparseKernels } from '../../src/kernels/sparse/sparse_kernels';
import { SparseDense } from '../../src/layers/sparse_dense';
import { pruneModel } from '../../src/pruning/prune_model';
import { makePrunable } from '../../src/transforms/make_prunable';
import { stripPruning } from '../../src/transforms/strip_pruning';
import { toSparseModel } from '../../src/transforms/to_sparse_model';
import { loadSparseModel } from '../../src/io/load_sparse_model';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomWeights } from '../support/random';

/** An MLP over [6, 20] inputs (Dense on rank 3 too) with relu, relu6, tanh and softmax units. */
function mlp(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: 48, activation: 'relu', inputShape: [6, 20], name: 'h1' }),
    tf.layers.dense({ units: 40, activation: 'relu6', name: 'h2' }),
    tf.layers.dense({ units: 30, activation: 'tanh', useBias: false, name: 'h3' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax', name: 'out' }),
  ] });
}

/** A small CNN: a 3x3 stem, 1x1 Conv2D with BN, a SeparableConv2D, a Conv1D of kernel 1 over the rows, and a Dense head. */
function cnn(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 24, kernelSize: 1, useBias: false, name: 'pw1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.separableConv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'sep' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [16, 32] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv1d({ filters: 20, kernelSize: 1, activation: 'relu', name: 'pw1d' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 5, name: 'head' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/** Gives `model` random weights (BN statistics too), then prunes `sparsity` of every prunable weight by magnitude; returns it stripped. */
function prunedCopy(model: tf.LayersModel, sparsity: number, seed: number): tf.LayersModel {
  model.setWeights(model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const values = randomWeights(tf.util.sizeFromShape(shape), seed + i, 'normal');
    return tf.tensor(w.name.includes('variance') ? values.map(Math.abs) : values, shape);
  }));
  const prunable = makePrunable(model);
  pruneModel(prunable, { method: 'weight', sparsity });
  const stripped = stripPruning(prunable);
  prunable.dispose();
  return stripped;
}

/** Asserts `actual` equals `expected` to 1e-5 of its largest magnitude, NaN and infinities in the same places. */
function expectClose(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  expect(actual.shape, what).to.deep.equal(expected.shape);
  const [a, e] = [actual.dataSync(), expected.dataSync()];
  const scale = Math.max(1e-30, ...Array.from(e).filter(Number.isFinite).map(Math.abs));
  e.forEach((v, i) => {
    if (Number.isFinite(v)) expect(Math.abs(a[i] - v), `${what}[${i}]`).to.be.at.most(1e-5 * scale);
    else expect(a[i], `${what}[${i}]`).to.deep.equal(v);
  });
}

const sparseNames = (model: tf.LayersModel) => model.layers.filter((l) => l instanceof SparseDense).map((l) => l.name);

describeOnBackends('toSparseModel', (backend) => {
  it('runs an MLP\'s pruned Dense layers on the sparse kernels, computing the dense outputs at batch 1 and larger', async () => {
    const dense = prunedCopy(mlp(), 0.8, 1);
    const sparse = await toSparseModel(dense);
    try {
      expect(sparseNames(sparse)).to.deep.equal(['h1', 'h2', 'h3', 'out']);
      for (const batch of [1, 3, 17, 40]) {
        tf.tidy(() => {
          const x = tf.tensor(randomWeights(batch * 120, batch, 'normal'), [batch, 6, 20]);
          expectClose(sparse.predict(x) as tf.Tensor, dense.predict(x) as tf.Tensor, `batch ${batch}`);
        });
      }
    } finally {
      sparse.dispose();
      dense.dispose();
    }
  });

  it('runs the 1x1 convolutions (Conv2D, Conv1D) and a SeparableConv2D\'s pointwise half on the sparse kernels, computing the dense outputs', async () => {
    const dense = prunedCopy(cnn(), 0.9, 2);
    const sparse = await toSparseModel(dense);
    try {
      // The 3x3 stem stays dense whatever its sparsity.
      expect(sparseNames(sparse)).to.deep.equal(['pw1', 'sep', 'pw1d', 'head']);
      for (const batch of [1, 5]) {
        tf.tidy(() => {
          const x = tf.tensor(randomWeights(batch * 192, 10 + batch, 'normal'), [batch, 8, 8, 3]);
          expectClose(sparse.predict(x) as tf.Tensor, dense.predict(x) as tf.Tensor, `batch ${batch}`);
        });
      }
    } finally {
      sparse.dispose();
      dense.dispose();
    }
  });

  it('takes a still-prunable model (masks folded in), converting only layers with at least minSparsity zeros', async () => {
    const prunable = makePrunable(mlp());
    pruneModel(prunable, { method: 'weight', sparsity: 0.5, layers: ['h1', 'h2'] });
    pruneModel(prunable, { method: 'weight', sparsity: 0.75, layers: ['h3', 'out'] });
    const x = tf.tensor(randomWeights(2 * 120, 4, 'normal'), [2, 6, 20]);
    // A prunable layer keeps the masked kernel of its last predict: predict once before counting.
    tf.dispose(prunable.predict(x));
    const tensors = tf.memory().numTensors;
    const byDefault = await toSparseModel(prunable);
    const low = await toSparseModel(prunable, { minSparsity: 0.5 });
    try {
      expect(sparseNames(byDefault)).to.deep.equal(['h3', 'out']);
      expect(sparseNames(low)).to.deep.equal(['h1', 'h2', 'h3', 'out']);
      tf.tidy(() => expectClose(low.predict(x) as tf.Tensor, prunable.predict(x) as tf.Tensor, 'prunable'));
    } finally {
      byDefault.dispose();
      low.dispose();
    }
    // The stripped copy made on the way is gone, and the prunable model untouched.
    expect(tf.memory().numTensors).to.equal(tensors);
    x.dispose();
    prunable.dispose();
  });

  it('propagates NaN and infinite inputs as the dense product does', async () => {
    // On wasm, TF.js's relu and relu6 kernels turn NaN into 0 or 6, unevenly across lanes: the dense model
    // there is compared without them (the sparse layers keep NaN, as cpu's do).
    const dense = prunedCopy(backend === 'cpu' ? mlp() : tf.sequential({ layers: [
      tf.layers.dense({ units: 48, inputShape: [6, 20], name: 'h1' }),
      tf.layers.dense({ units: 40, activation: 'tanh', name: 'h2' }),
    ] }), 0.9, 3);
    const sparse = await toSparseModel(dense);
    try {
      tf.tidy(() => {
        const values = randomWeights(4 * 120, 5, 'normal');
        values[3] = NaN;
        values[120 + 7] = Infinity;
        values[240 + 50] = -Infinity;
        const x = tf.tensor(values, [4, 6, 20]);
        // The first layer's outputs: NaN, infinities and finite values all occur.
        const first = (m: tf.LayersModel) => tf.model({ inputs: m.inputs, outputs: m.getLayer('h1').output as tf.SymbolicTensor });
        const h1 = first(dense).predict(x) as tf.Tensor;
        const kinds = new Set(Array.from(h1.dataSync()).map((v) => (Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'finite' : 'infinite')));
        expect([...kinds]).to.include.members(['NaN', 'finite']);
        expectClose(first(sparse).predict(x) as tf.Tensor, h1, 'h1');
        expectClose(sparse.predict(x) as tf.Tensor, dense.predict(x) as tf.Tensor, 'output');
      });
    } finally {
      sparse.dispose();
      dense.dispose();
    }
  });

  it('computes act(bias) for an all-zero layer', async () => {
    const dense = mlp();
    dense.getLayer('h2').setWeights([tf.zeros([48, 40]), tf.tensor(randomWeights(40, 1, 'normal'))]);
    const sparse = await toSparseModel(dense);
    try {
      expect(sparseNames(sparse)).to.deep.equal(['h2']);
      tf.tidy(() => {
        const x = tf.tensor(randomWeights(3 * 120, 4, 'normal'), [3, 6, 20]);
        expectClose(sparse.predict(x) as tf.Tensor, dense.predict(x) as tf.Tensor, 'output');
      });
    } finally {
      sparse.dispose();
      dense.dispose();
    }
  });

  it('predicts without leaking tensors or growing the kernels\' memory, and dispose() frees the weights\' memory', async () => {
    const dense = prunedCopy(cnn(), 0.9, 4);
    const { memory } = sparseKernels('test');
    const x = tf.tensor(randomWeights(3 * 192, 1, 'normal'), [3, 8, 8, 3]);
    const cycle = async () => {
      const sparse = await toSparseModel(dense);
      await expectNoTensorLeak(() => {
        for (let i = 0; i < 30; i++) tf.dispose(sparse.predict(x));
      });
      sparse.dispose();
    };
    await cycle();
    const size = memory.buffer.byteLength;
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await cycle();
    expect(memory.buffer.byteLength).to.equal(size);
    expect(tf.memory().numTensors).to.equal(tensors);
    x.dispose();
    dense.dispose();
  });
});

describe('toSparseModel: what TF.js never disposes, and what a sparse model refuses', () => {
  /** A model of `layer` (a Dense 512x512 at 90% zeros, 1 MB of kernel) inside a TimeDistributed, or applied twice. */
  const wrapped = () => tf.sequential({ layers: [tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 512 }), inputShape: [2, 512] })] });
  const shared = () => {
    const input = tf.input({ shape: [512] });
    const dense = tf.layers.dense({ units: 512 });
    return tf.model({ inputs: input, outputs: dense.apply(dense.apply(input)) as tf.SymbolicTensor });
  };
  for (const [name, build] of [['inside a TimeDistributed', wrapped], ['applied twice', shared]] as const) {
    it(`frees the kernels' memory of a layer ${name} when the model is disposed`, async () => {
      const dense = prunedCopy(build(), 0.9, 3);
      const { memory } = sparseKernels('test');
      const cycle = async () => (await toSparseModel(dense)).dispose();
      await cycle();
      const size = memory.buffer.byteLength;
      // Each cycle allocates more than a megabyte: without the frees, four would grow the memory.
      for (let i = 0; i < 4; i++) await cycle();
      expect(memory.buffer.byteLength).to.equal(size);
      dense.dispose();
    });
  }

  it('refuses to save or copy a sparse model, and to convert one again, naming its sparse layers', async () => {
    const dense = prunedCopy(mlp(), 0.9, 2);
    const sparse = await toSparseModel(dense);
    const name = sparse.layers.find((l) => l instanceof SparseDense)!.name;
    const error = await sparse.save(tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })))
      .then(() => null, (e: Error) => e);
    expect(error?.message).to.match(new RegExp(`SparseDense '${name}': a sparse model is not saved or copied`));
    let again: Error | null = null;
    await toSparseModel(sparse).catch((e: Error) => (again = e));
    expect(again!.message).to.match(new RegExp(`toSparseModel: the model is already sparse \\(SparseDense layers '${name}'`));
    sparse.dispose();
    dense.dispose();
  });
});

describe('toSparseModel on a backend whose tensors live off the CPU', () => {
  // A stand-in for webgl or webgpu: cpu's kernels under a name the sparse kernels do not run on.
  const OFF_CPU = 'off-cpu-test';
  let previous: string;
  before(async () => {
    previous = tf.getBackend();
    tf.registerBackend(OFF_CPU, tf.findBackendFactory('cpu')!);
    for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: OFF_CPU });
  });
  after(async () => {
    await tf.setBackend(previous);
    for (const kernel of tf.getKernelsForBackend(OFF_CPU)) tf.unregisterKernel(kernel.kernelName, OFF_CPU);
    tf.removeBackend(OFF_CPU);
  });

  it('converts no layer there (a dense copy), and a converted layer called there throws naming the backend', async () => {
    const dense = prunedCopy(mlp(), 0.9, 7);
    await tf.setBackend('cpu');
    const converted = await toSparseModel(dense);
    await tf.setBackend(OFF_CPU);
    const copy = await toSparseModel(dense);
    try {
      expect(sparseNames(copy)).to.deep.equal([]);
      expect(sparseNames(converted)).to.deep.equal(['h1', 'h2', 'h3', 'out']);
      const x = tf.tensor(randomWeights(120, 9, 'normal'), [1, 6, 20]);
      tf.tidy(() => expectClose(copy.predict(x) as tf.Tensor, dense.predict(x) as tf.Tensor, 'dense copy'));
      const tensors = tf.memory().numTensors;
      expect(() => converted.predict(x)).to.throw(`SparseDense 'h1': the sparse kernels run on the cpu and wasm backends, not on '${OFF_CPU}'`);
      expect(tf.memory().numTensors).to.equal(tensors);
      x.dispose();
    } finally {
      copy.dispose();
      converted.dispose();
      dense.dispose();
    }
  });
});

describe('loadSparseModel', () => {
  it('loads saved files and converts them in one call, leaving no dense copy behind; refuses bad options before loading', async () => {
    const dense = prunedCopy(mlp(), 0.9, 6);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await dense.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }));
    const tensors = tf.memory().numTensors;
    const sparse = await loadSparseModel(tf.io.fromMemory(artifacts!), { minSparsity: 0.8 });
    try {
      expect(sparseNames(sparse)).to.deep.equal(['h1', 'h2', 'h3', 'out']);
      tf.tidy(() => {
        const x = tf.tensor(randomWeights(2 * 120, 8, 'normal'), [2, 6, 20]);
        expectClose(sparse.predict(x) as tf.Tensor, dense.predict(x) as tf.Tensor, 'loaded');
      });
    } finally {
      sparse.dispose();
    }
    expect(tf.memory().numTensors).to.equal(tensors);
    let loads = 0;
    const handler = { load: async () => { loads++; return artifacts!; } };
    let error: unknown;
    await loadSparseModel(handler, { sparsity: 0.8 } as never).catch((e) => { error = e; });
    expect(String(error)).to.match(/loadSparseModel: unknown option 'sparsity'; options are minSparsity/);
    expect(loads).to.equal(0);
    dense.dispose();
  });

  const loadErrors: [string, () => Promise<unknown>, RegExp][] = [
    ['a handler without load', () => loadSparseModel({} as tf.io.IOHandler),
      /^TypeError: loadSparseModel: pathOrIOHandler must be a URL string or an IOHandler with a load method; received/],
    ['a path no handler accepts', () => loadSparseModel('no-scheme/model.json'),
      /^TypeError: loadSparseModel: pathOrIOHandler must be a URL that a TensorFlow.js load handler accepts/],
    ['an unknown load option', () => loadSparseModel({ load: async () => ({}) }, {}, { strikt: true } as never),
      /^Error: loadSparseModel: unknown option 'strikt'; options are requestInit/],
  ];
  for (const [what, call, message] of loadErrors) {
    it(`names itself, not loadPrunableModel, when it refuses ${what}, creating nothing`, async () => {
      const tensors = tf.memory().numTensors;
      let error: unknown;
      await call().catch((e) => { error = e; });
      expect(String(error)).to.match(message);
      expect(tf.memory().numTensors).to.equal(tensors);
    });
  }
});

describe('toSparseModel: errors', () => {
  let model: tf.LayersModel;
  before(() => {
    model = prunedCopy(mlp(), 0.9, 5);
  });
  after(() => model.dispose());

  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['a model that is not one', () => toSparseModel({} as tf.LayersModel), /toSparseModel: model must be a tf.LayersModel/],
    ['an unknown option', () => toSparseModel(model, { minSparsty: 0.5 } as never), /toSparseModel: unknown option 'minSparsty'; options are minSparsity/],
    ['minSparsity above 1', () => toSparseModel(model, { minSparsity: 1.5 }), /minSparsity must be a number in \[0, 1\]; received 1.5/],
    ['minSparsity as a string', () => toSparseModel(model, { minSparsity: '0.5' as never }), /minSparsity must be a number in \[0, 1\]; received string "0.5"/],
    ['options that are no object', () => toSparseModel(model, 0.7 as never), /toSparseModel: options must be an object \{minSparsity\?\}/],
  ];
  for (const [what, call, message] of cases) {
    it(`rejects ${what}, creating nothing`, async () => {
      const tensors = tf.memory().numTensors;
      let error: unknown;
      await call().catch((e) => { error = e; });
      expect(String(error)).to.match(message);
      expect(tf.memory().numTensors).to.equal(tensors);
    });
  }
});
