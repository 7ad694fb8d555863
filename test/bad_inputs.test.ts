// Bad inputs across the public API, as a new user makes them: each gets an
// error that names the argument (or layer, or option) and what is allowed,
// and changes nothing: the model's weights and masks, the number of tensors
// and of variables stay as they were. (Files: test/node, test/io.)
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  combineCallbacks, ConstantSparsity, findPrunableLayers, layerPruningReport, loadPrunableModel, magnitudeMask, makePrunable,
  maskOptimizerState, PolynomialDecay, prunableConv1d, prunableConv2d, prunableConv2dTranspose, prunableDense,
  prunableDepthwiseConv2d, PrunableLayer, prunableSeparableConv2d, pruneLayer, pruneModel, PruningScheduleCallback, pruningSummary,
  scheduleFromConfig, selectMagnitudeMask, selectUnitMask, stripPruning, compactUnits, unitMask, unitPruning, weightPruning,
  proposeSparsities, selectBlockMask, selectNMMask, selectRandomMask, sensitivityScan,
} from '../src';
import { fileSystem } from '../src/node';
import { rejection } from './support/rejection';

/** Tensors a case creates as arguments: disposed after its call, before the state is compared. */
const argumentTensors: tf.Tensor[] = [];

/** `tensor`, as an argument of a bad call. */
function arg<T extends tf.Tensor>(tensor: T): T {
  argumentTensors.push(tensor);
  return tensor;
}

/** A complex tensor, made on the cpu backend (wasm has no Complex kernel). */
async function complexArgument(shape: number[]): Promise<tf.Tensor> {
  const backend = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return arg(tf.tidy(() => tf.complex(tf.ones(shape), tf.zeros(shape))));
  } finally {
    await tf.setBackend(backend);
  }
}

/** A bad call and the error it must raise: a string must appear in the message, a RegExp match it. */
interface BadInput {
  what: string;
  call: () => unknown;
  error: string | RegExp;
}

/** input[6, 6, 1] → conv (PrunableConv2D) → sep (PrunableSeparableConv2D) → flatten → hidden (PrunableDense) → out (Dense). */
function fixture(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      prunableConv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1], name: 'conv' }),
      prunableSeparableConv2d({ filters: 3, kernelSize: 2, name: 'sep' }),
      tf.layers.flatten({ name: 'flat' }),
      prunableDense({ units: 5, activation: 'relu', name: 'hidden' }),
      tf.layers.dropout({ rate: 0.1, name: 'drop' }),
      tf.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  pruneModel(model, { sparsity: 0.5 });
  return model;
}

/** Everything a bad call must leave as it was. */
function state(model: tf.LayersModel): unknown {
  return {
    weights: model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]),
    tensors: tf.memory().numTensors,
    variables: Object.keys(tf.engine().state.registeredVariables).length,
  };
}

function expectError(error: Error | undefined, expected: string | RegExp, what: string): void {
  expect(error, `${what}: no error`).to.be.instanceOf(Error);
  if (typeof expected === 'string') expect(error!.message, what).to.include(expected);
  else expect(error!.message, what).to.match(expected);
}

describe('bad inputs: a clear error, and nothing changed', () => {
  let model: tf.LayersModel;
  let plain: tf.LayersModel;
  before(() => {
    model = fixture();
    plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'plain' })] });
  });
  after(() => {
    model.dispose();
    plain.dispose();
  });
  const layer = (name: string) => findPrunableLayers(model, [name])[0];
  const tensor = (values: number[] | string[], shape?: number[]) => arg(shape === undefined ? tf.tensor(values) : tf.tensor(values, shape));
  const ones = (shape: number[]) => arg(tf.ones(shape));
  const schedule = () => new ConstantSparsity({ targetSparsity: 0.5 });

  const kinds: Array<[string, (args: never) => PrunableLayer, Record<string, unknown>]> = [
    ['PrunableDense', prunableDense as never, { units: 3 }],
    ['PrunableConv1D', prunableConv1d as never, { filters: 2, kernelSize: 3 }],
    ['PrunableConv2D', prunableConv2d as never, { filters: 2, kernelSize: 3 }],
    ['PrunableConv2DTranspose', prunableConv2dTranspose as never, { filters: 2, kernelSize: 3 }],
    ['PrunableDepthwiseConv2D', prunableDepthwiseConv2d as never, { kernelSize: 3 }],
    ['PrunableSeparableConv2D', prunableSeparableConv2d as never, { filters: 2, kernelSize: 3 }],
  ];

  const cases: BadInput[] = [
    // Layer options, every kind.
    ...kinds.flatMap(([name, make, args]): BadInput[] => [
      { what: `${name}: a misspelt option`, call: () => make({ ...args, activaton: 'relu' } as never),
        error: new RegExp(`^${name} '.*': unknown option 'activaton'; options are .*activation.*useBias`) },
      { what: `${name}: useBias as a string`, call: () => make({ ...args, useBias: 'false' } as never),
        error: new RegExp(`^${name} '.*': useBias must be true or false; received string "false"\\.$`) },
      { what: `${name}: trainable as a number`, call: () => make({ ...args, trainable: 1 } as never),
        error: new RegExp(`^${name} '.*': trainable must be true or false; received 1\\.$`) },
      { what: `${name}: no options`, call: () => make(null as never),
        error: new RegExp(`^${name} needs an options object, as [A-Za-z0-9]+ takes; received null\\.$`) },
      { what: `${name}: an unknown activation`, call: () => make({ ...args, activation: 'swish2' } as never), error: 'swish2' },
    ]),
    { what: 'PrunableConv2D: no kernelSize', call: () => prunableConv2d({ filters: 2 } as never), error: 'kernelSize' },
    { what: 'PrunableConv2D: filters 0', call: () => prunableConv2d({ filters: 0, kernelSize: 3 }), error: 'filters' },
    { what: 'PrunableDense: units 2.5', call: () => prunableDense({ units: 2.5 }), error: 'units' },
    { what: 'PrunableConv1D: causal padding', call: () => prunableConv1d({ filters: 2, kernelSize: 3, padding: 'causal' }),
      error: "padding 'causal' is not supported: tf.layers.conv1d of TF.js 4.22 throws on it" },
    { what: 'PrunableConv2D: strides and dilation both above 1', call: () => prunableConv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }),
      error: 'strides [2,2] and dilationRate [2,2] cannot both exceed 1' },
    { what: 'PrunableDepthwiseConv2D: dilation', call: () => prunableDepthwiseConv2d({ kernelSize: 3, dilationRate: 2 }),
      error: 'dilationRate [2,2] is not supported: tf.layers.depthwiseConv2d of TF.js 4.22 ignores it' },
    { what: 'PrunableSeparableConv2D: depthMultiplier 2', call: () => prunableSeparableConv2d({ filters: 2, kernelSize: 3, depthMultiplier: 2 }),
      error: 'depthMultiplier 2 is not supported' },

    // Masks of layers.
    { what: 'setMask: a tensor of another shape', call: () => layer('conv').setMask(ones([3, 3, 1, 3])),
      error: "PrunableConv2D 'conv': mask must have the kernel's shape [3,3,1,4]; received shape [3,3,1,3]." },
    { what: 'setMask: too few flat values', call: () => layer('hidden').setMask(new Float32Array(7)),
      error: "PrunableDense 'hidden': mask must hold 135 values (kernel shape [27,5]); received 7." },
    { what: 'setMask: a value other than 0 and 1', call: () => layer('hidden').setMask(new Float32Array(135).fill(0.5)),
      error: "PrunableDense 'hidden': mask must hold only 0 and 1; found 0.5 at flat index 0" },
    { what: 'setMask: NaN', call: () => layer('hidden').setMask(new Float32Array(135).fill(NaN)), error: 'must hold only 0 and 1; found NaN' },
    { what: 'setMask: a string tensor', call: () => layer('hidden').setMask(tensor(['a'])),
      error: "PrunableDense 'hidden': mask must be a real-valued tensor (float32, int32 or bool); received dtype string." },
    { what: 'setMask: a complex tensor', call: async () => layer('hidden').setMask(await complexArgument([27, 5])),
      error: 'must be a real-valued tensor (float32, int32 or bool); received dtype complex64' },
    { what: 'setMask: a disposed tensor', call: () => {
      const mask = tf.ones([27, 5]);
      mask.dispose();
      layer('hidden').setMask(mask);
    }, error: "PrunableDense 'hidden': mask is a disposed tensor; pass one that is still allocated." },
    { what: 'setMask: a BigInt64Array', call: () => layer('hidden').setMask(new BigInt64Array(135) as never),
      error: "PrunableDense 'hidden': mask must be a tf.Tensor, a typed array or an array of numbers; received a BigInt64Array" },
    { what: 'setMask: null', call: () => layer('hidden').setMask(null as never), error: 'received null' },
    { what: 'setMask: a string in an array', call: () => layer('hidden').setMask([...new Array(134).fill(1), '1'] as never),
      error: 'received an array holding string "1" at index 134' },
    { what: 'setMask: nested arrays of another shape', call: () => layer('hidden').setMask([[1, 0], [0, 1]]),
      error: "PrunableDense 'hidden': mask must be nested arrays of shape [27,5]; at the top expected 27 entries, received 2." },
    { what: 'setMask: an unknown weight name', call: () => layer('sep').setMask(ones([1, 1, 4, 3]), 'kernel'),
      error: "PrunableSeparableConv2D 'sep': setMask needs the name of a masked weight, 'depthwise_kernel', 'pointwise_kernel'; received string \"kernel\"." },
    { what: 'getMask of a layer with two masks, unnamed', call: () => layer('sep').getMask(),
      error: "getMask needs the name of a masked weight, 'depthwise_kernel', 'pointwise_kernel'; received undefined." },
    { what: 'getMask of an unbuilt layer', call: () => prunableConv2d({ filters: 2, kernelSize: 3, name: 'unbuilt' }).getMask(),
      error: "PrunableConv2D 'unbuilt': getMask needs a built layer; add it to a model or call build(inputShape) first." },
    { what: 'sparsity of an unbuilt layer', call: () => prunableDense({ units: 2, name: 'unbuilt_dense' }).sparsity(),
      error: "PrunableDense 'unbuilt_dense': sparsity needs a built layer" },

    // The tensor API of mask selection.
    { what: 'magnitudeMask of an array', call: () => magnitudeMask([0.3, -0.1] as never, 0.5),
      error: 'w must be a tf.Tensor; received an array. For arrays of values, use selectMagnitudeMask.' },
    { what: 'unitMask of null', call: () => unitMask(null as never, 0.5), error: 'w must be a tf.Tensor; received null. For arrays of values, use selectUnitMask.' },
    { what: 'weightPruning of a string', call: () => weightPruning('w' as never, 0.5), error: 'w must be a tf.Tensor; received string "w".' },
    { what: 'unitPruning of a rank-1 tensor', call: () => unitPruning(tensor([1, 2, 3]), 0.5),
      error: 'w must be a kernel of rank 2 or more, its units on the last axis, for unit pruning; received rank 1 (shape [3])' },
    { what: 'magnitudeMask of a string tensor', call: () => magnitudeMask(tensor(['a', 'b']), 0.5),
      error: 'w must be a real-valued tensor (float32, int32 or bool); received dtype string.' },
    { what: 'magnitudeMask of a complex tensor', call: async () => magnitudeMask(await complexArgument([2]), 0.5), error: 'received dtype complex64' },
    { what: 'magnitudeMask of a disposed tensor', call: () => {
      const w = tensor([1, 2]);
      w.dispose();
      magnitudeMask(w, 0.5);
    }, error: 'w is a disposed tensor; pass one that is still allocated.' },
    { what: 'magnitudeMask with k 1.5', call: () => magnitudeMask(tensor([1, 2]), 1.5), error: 'k must be a number in [0, 1]; received 1.5' },
    { what: "magnitudeMask with k '0.5'", call: () => magnitudeMask(tensor([1, 2]), '0.5' as never), error: 'k must be a number in [0, 1]; received string "0.5"' },
    { what: 'unitMask with a current mask of another shape', call: () => unitMask(ones([2, 3]), 0.5, ones([3, 2])),
      error: 'currentMask must have shape [2, 3]; received shape [3, 2]' },
    { what: 'unitMask with a current mask as an array', call: () => unitMask(ones([2, 3]), 0.5, [1, 1, 1, 1, 1, 1] as never),
      error: 'currentMask must be a tf.Tensor; received an array.' },

    // Pure selection over arrays.
    { what: 'selectMagnitudeMask of a string', call: () => selectMagnitudeMask('abc' as never, 0.5),
      error: 'values must be a typed array or an array of numbers; received string "abc"' },
    { what: 'selectMagnitudeMask of an array holding a string', call: () => selectMagnitudeMask([1, '2'] as never, 0.5),
      error: 'values must be a typed array or an array of numbers; received an array holding string "2" at index 1' },
    { what: 'selectMagnitudeMask of NaN weights', call: () => selectMagnitudeMask([1, NaN, 3], 0.5),
      error: 'weights must not hold NaN or Infinity; found NaN at flat index 1' },
    { what: 'selectMagnitudeMask with k -0.1', call: () => selectMagnitudeMask([1, 2], -0.1), error: 'k must be a number in [0, 1]; received -0.1' },
    { what: 'selectMagnitudeMask with a mask of another length', call: () => selectMagnitudeMask([1, 2, 3], 0.5, [1, 1]),
      error: 'currentMask must have 3 elements (one per weight); received 2' },
    { what: 'selectMagnitudeMask with a mask entry 0.5', call: () => selectMagnitudeMask([1, 2], 0.5, [1, 0.5]),
      error: 'currentMask must hold only 0 and 1; found 0.5 at flat index 1' },
    { what: 'selectUnitMask with rows · cols not the length', call: () => selectUnitMask([1, 2, 3], 2, 2, 0.5),
      error: 'values must have 4 elements (rows * cols); received 3' },
    { what: 'selectUnitMask with rows -1', call: () => selectUnitMask([1, 2], -1, 2, 0.5), error: 'rows must be a non-negative integer; received -1' },

    // Schedules.
    { what: 'PolynomialDecay: a misspelt option', call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, frequncy: 5 } as never),
      error: "PolynomialDecay: unknown option 'frequncy'; options are initialSparsity, finalSparsity, beginStep, endStep, power, frequency." },
    { what: 'PolynomialDecay: finalSparsity 1', call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 1, beginStep: 0, endStep: 10 }),
      error: 'PolynomialDecay: finalSparsity must be a number in [0, 1); received 1' },
    { what: 'PolynomialDecay: finalSparsity below initialSparsity', call: () => new PolynomialDecay({ initialSparsity: 0.5, finalSparsity: 0.2, beginStep: 0, endStep: 10 }),
      error: 'PolynomialDecay: finalSparsity must be >= initialSparsity (0.5), since masks only grow; received 0.2' },
    { what: 'PolynomialDecay: beginStep -1', call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: -1, endStep: 10 }),
      error: 'PolynomialDecay: beginStep must be a non-negative integer; received -1' },
    { what: 'PolynomialDecay: endStep not after beginStep', call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 10, endStep: 10 }),
      error: 'PolynomialDecay: endStep must be greater than beginStep (10); received 10' },
    { what: 'PolynomialDecay: power 0', call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, power: 0 }),
      error: 'PolynomialDecay: power must be a finite number > 0; received 0' },
    { what: "PolynomialDecay: power '3'", call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, power: '3' as never }),
      error: 'PolynomialDecay: power must be a finite number > 0; received string "3"' },
    { what: 'PolynomialDecay: frequency 0', call: () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, frequency: 0 }),
      error: 'PolynomialDecay: frequency must be an integer >= 1; received 0' },
    { what: 'PolynomialDecay: no options', call: () => new PolynomialDecay(undefined as never),
      error: 'PolynomialDecay needs options {initialSparsity, finalSparsity, beginStep, endStep, power?, frequency?}; received undefined.' },
    { what: 'ConstantSparsity: a misspelt option', call: () => new ConstantSparsity({ targetSparsity: 0.5, frequncy: 5 } as never),
      error: "ConstantSparsity: unknown option 'frequncy'; options are targetSparsity, beginStep, endStep, frequency." },
    { what: 'ConstantSparsity: targetSparsity 1', call: () => new ConstantSparsity({ targetSparsity: 1 }),
      error: 'ConstantSparsity: targetSparsity must be a number in [0, 1); received 1' },
    { what: 'ConstantSparsity: endStep before beginStep', call: () => new ConstantSparsity({ targetSparsity: 0.5, beginStep: 10, endStep: 5 }),
      error: 'ConstantSparsity: endStep must be -1 (no end) or an integer >= beginStep (10); received 5' },
    { what: 'ConstantSparsity: frequency 1.5', call: () => new ConstantSparsity({ targetSparsity: 0.5, frequency: 1.5 }),
      error: 'ConstantSparsity: frequency must be an integer >= 1; received 1.5' },
    { what: 'scheduleFromConfig: an unknown class', call: () => scheduleFromConfig('Linear', {}),
      error: "className must name a registered pruning schedule ('ConstantSparsity', 'PolynomialDecay'); received string \"Linear\"." },

    // The callback.
    { what: 'PruningScheduleCallback: a misspelt option', call: () => new PruningScheduleCallback({ schedule: schedule(), layer: ['conv'] } as never),
      error: "PruningScheduleCallback: unknown option 'layer'; options are schedule, schedules, method, methods, layers, verbose, initialStep, scope, n, m, seed, blockShape, roundTo." },
    { what: 'PruningScheduleCallback: no schedule', call: () => new PruningScheduleCallback({} as never),
      error: 'PruningScheduleCallback: schedule must be a PruningSchedule such as new PolynomialDecay({...}) or new ConstantSparsity({...}); received undefined.' },
    { what: 'PruningScheduleCallback: a schedule as a plain object', call: () => new PruningScheduleCallback({ schedule: { targetSparsity: 0.5 } as never }),
      error: 'schedule must be a PruningSchedule' },
    { what: "PruningScheduleCallback: method 'weights'", call: () => new PruningScheduleCallback({ schedule: schedule(), method: 'weights' as never }),
      error: "PruningScheduleCallback: method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"weights\"." },
    { what: 'PruningScheduleCallback: methods with a bad method', call: () => new PruningScheduleCallback({ schedule: schedule(), methods: { conv: 'filter' as never } }),
      error: "PruningScheduleCallback: methods['conv'] must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"filter\"." },
    { what: "PruningScheduleCallback: verbose 'false'", call: () => new PruningScheduleCallback({ schedule: schedule(), verbose: 'false' as never }),
      error: 'PruningScheduleCallback: verbose must be true, false, 1 or 0; received string "false".' },
    { what: 'PruningScheduleCallback: initialStep -1', call: () => new PruningScheduleCallback({ schedule: schedule(), initialStep: -1 }),
      error: 'PruningScheduleCallback: initialStep must be a non-negative integer; received -1' },
    { what: 'PruningScheduleCallback: layers as a string', call: () => new PruningScheduleCallback({ schedule: schedule(), layers: 'conv' as never }),
      error: 'PruningScheduleCallback: layers must be an array of layer names or prunable layers; received string "conv".' },
    { what: 'PruningScheduleCallback: an empty layers', call: () => new PruningScheduleCallback({ schedule: schedule(), layers: [] }),
      error: 'PruningScheduleCallback: layers must select at least one layer; received an empty array.' },

    // pruneModel and pruneLayer.
    { what: 'pruneModel: a misspelt option', call: () => pruneModel(model, { sparsity: 0.5, layer: ['hidden'] } as never),
      error: "pruneModel: unknown option 'layer'; options are method, sparsity, layers, scope, n, m, seed, blockShape, roundTo." },
    { what: "pruneModel: method 'units'", call: () => pruneModel(model, { method: 'units' as never, sparsity: 0.5 }),
      error: "method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"units\"." },
    { what: 'pruneModel: sparsity 90', call: () => pruneModel(model, { sparsity: 90 }), error: 'sparsity must be a number in [0, 1]; received 90' },
    { what: "pruneModel: sparsity '0.5'", call: () => pruneModel(model, { sparsity: '0.5' as never }), error: 'sparsity must be a number in [0, 1] or an object mapping layer names to such numbers; received string "0.5".' },
    { what: 'pruneModel: an unknown layer name', call: () => pruneModel(model, { sparsity: 0.5, layers: ['hiden'] }),
      error: "layers: the model has no layer named 'hiden'; its prunable layers are: 'conv', 'sep', 'hidden'." },
    { what: 'pruneModel: a layer that is not prunable', call: () => pruneModel(model, { sparsity: 0.5, layers: ['drop'] }),
      error: "layers: 'drop' is a Dropout, not a prunable layer; convert the model with makePrunable first." },
    { what: 'pruneModel: a model without prunable layers', call: () => pruneModel(plain, { sparsity: 0.5 }),
      error: 'pruneModel: the model has no prunable layer to prune; build it with prunable layers (prunableDense instead of tf.layers.dense, ' +
        'prunableConv2d instead of tf.layers.conv2d...) or convert it with makePrunable.' },
    { what: 'pruneModel: no options', call: () => pruneModel(model, null as never),
      error: "pruneModel needs options {method?: 'weight' | 'unit' | 'nm' | 'random' | 'channel', sparsity: a number in [0, 1] or {[layer]: number}, layers?, scope?, n?, m?, seed?, blockShape?, roundTo?}; received null." },
    { what: 'pruneModel: not a model', call: () => pruneModel({} as never, { sparsity: 0.5 }),
      error: 'pruneModel: model must be a tf.LayersModel (from tf.sequential, tf.model or tf.loadLayersModel); received an object.' },
    { what: "pruneModel: 'nm' on an input axis m does not divide", call: () => pruneModel(model, { method: 'nm', layers: ['hidden'] }),
      error: "PrunableDense 'hidden': 'kernel': the input axis (axis 0 of shape [27, 5], length 27) must be a multiple of m = 4 for N:M pruning" },
    { what: "pruneModel: 'nm' with n > m", call: () => pruneModel(model, { method: 'nm', n: 4, m: 2 }),
      error: 'n must be an integer in [1, m = 2] (the entries each group of m keeps); received 4.' },
    { what: "pruneModel: 'nm' with a sparsity", call: () => pruneModel(model, { method: 'nm', sparsity: 0.5 }),
      error: "sparsity does not apply to method 'nm', whose pattern sets it (1 - n/m = 0.5); received 0.5. Leave it out." },
    { what: 'pruneModel: blockShape [0, 2]', call: () => pruneModel(model, { sparsity: 0.5, blockShape: [0, 2] }),
      error: 'blockShape must be [rows, cols], two positive integers; received [0, 2].' },
    { what: "pruneModel: a seed for 'unit'", call: () => pruneModel(model, { method: 'unit', sparsity: 0.5, seed: 1 }),
      error: "seed applies to method 'random' only; the method is 'unit'." },
    { what: "pruneModel: scope 'all'", call: () => pruneModel(model, { sparsity: 0.5, scope: 'all' as never }),
      error: "scope must be one of 'layer', 'global'; received string \"all\"." },
    { what: 'pruneModel: a sparsity map naming an unknown layer', call: () => pruneModel(model, { sparsity: { conv: 0.5, hiden: 0.5 } }),
      error: "sparsity names 'hiden', which is not a selected layer; the selected layers are 'conv', 'sep', 'hidden'." },
    { what: "pruneModel: a sparsity map with scope 'global'", call: () => pruneModel(model, { sparsity: { conv: 0.5 }, scope: 'global' }),
      error: "scope 'global' ranks all the selected layers to one sparsity" },
    { what: 'PruningScheduleCallback: a schedules entry that is no schedule', call: () => new PruningScheduleCallback({ schedule: schedule(), schedules: { conv: 0.5 as never } }),
      error: "PruningScheduleCallback: schedules['conv'] must be a PruningSchedule such as new PolynomialDecay({...}) or new ConstantSparsity({...}); received 0.5." },
    { what: 'sensitivityScan: evaluate not a function', call: () => sensitivityScan(model, 'accuracy' as never),
      error: 'sensitivityScan: evaluate must be a function (model) => number or Promise<number>, higher is better; received string "accuracy".' },
    { what: 'sensitivityScan: evaluate returning a string', call: () => sensitivityScan(model, () => '0.9' as never, { sparsities: [0.5] }),
      error: 'sensitivityScan: evaluate must return a finite number (higher is better) or a promise of one; it returned string "0.9".' },
    { what: 'sensitivityScan: evaluate failing on a trial', call: () => {
      let calls = 0;
      return sensitivityScan(model, () => {
        if (++calls === 3) throw new Error('evaluation failed');
        return 1;
      }, { sparsities: [0.5, 0.9] });
    }, error: 'evaluation failed' },
    { what: 'proposeSparsities: a target beyond the scan', call: () => proposeSparsities({ baseline: 1, rows: [{ layer: 'conv', sparsity: 0.5, score: 1, weights: 36 }] }, 0.6),
      error: 'proposeSparsities: target 0.6 exceeds 0.5, the overall sparsity with every layer at its largest scanned sparsity; scan higher sparsities.' },
    { what: 'selectNMMask with n > m', call: () => selectNMMask([1, 2, 3, 4], [4, 1], 0, 3, 2), error: 'n must be an integer in [1, m = 2]' },
    { what: 'selectBlockMask with a block of 1.5 rows', call: () => selectBlockMask([1, 2, 3, 4], [2, 2], [1.5, 1], 0.5),
      error: 'blockShape must be [rows, cols], two positive integers; received [1.5, 1].' },
    { what: 'selectRandomMask with seed -2', call: () => selectRandomMask(4, 0.5, -2), error: 'seed must be an integer in [0, 4294967295]; received -2.' },
    { what: 'pruneLayer: a plain Dense', call: () => pruneLayer(plain.layers[0] as never, { sparsity: 0.5 }),
      error: "pruneLayer: layer must be a prunable layer (such as prunableDense or prunableConv2d, or from makePrunable, which converts " +
        "'Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Embedding', 'SimpleRNN', 'LSTM', 'GRU'); received a Dense layer 'plain'." },
    { what: "pruneLayer: method 'filters'", call: () => pruneLayer(layer('conv'), { method: 'filters' as never, sparsity: 0.5 }),
      error: "method must be one of 'weight', 'unit', 'nm', 'random', 'channel'; received string \"filters\"." },
    { what: 'pruneLayer: sparsity NaN', call: () => pruneLayer(layer('conv'), { sparsity: NaN }), error: 'sparsity must be a number in [0, 1]; received NaN' },
    { what: 'layerPruningReport: an object', call: () => layerPruningReport({} as never), error: 'layerPruningReport: layer must be a prunable layer' },

    // Transforms, summary, optimizer state.
    { what: 'makePrunable: a misspelt option', call: () => makePrunable(model, { filtr: () => true } as never),
      error: "makePrunable: unknown option 'filtr'; options are filter." },
    { what: 'makePrunable: a filter that is not a function', call: () => makePrunable(model, { filter: 'conv' as never }),
      error: 'makePrunable: filter must be a function (layer) => boolean; received string "conv".' },
    { what: 'makePrunable: options as an array', call: () => makePrunable(model, [] as never),
      error: 'makePrunable: options must be an object {filter?}; received an array.' },
    { what: 'makePrunable: not a model', call: () => makePrunable(null as never), error: 'makePrunable: model must be a tf.LayersModel' },
    { what: 'stripPruning: not a model', call: () => stripPruning('model' as never), error: 'stripPruning: model must be a tf.LayersModel' },
    { what: 'compactUnits: not a model', call: () => compactUnits(undefined as never), error: 'compactUnits: model must be a tf.LayersModel' },
    { what: 'pruningSummary: a misspelt option', call: () => pruningSummary(model, { metod: 'weight' } as never),
      error: "pruningSummary: unknown option 'metod'; options are method, methods, print, printFn, compaction." },
    { what: "pruningSummary: print 'yes'", call: () => pruningSummary(model, { print: 'yes' as never }),
      error: 'pruningSummary: print must be true or false; received string "yes".' },
    { what: 'pruningSummary: printFn 3', call: () => pruningSummary(model, { printFn: 3 as never }),
      error: 'pruningSummary: printFn must be a function (line: string) => void; received 3.' },
    { what: 'pruningSummary: methods naming no prunable layer', call: () => pruningSummary(model, { methods: { out: 'weight' } }),
      error: "pruningSummary: methods names 'out', not a prunable layer of the model; its prunable layers are: 'conv', 'sep', 'hidden'." },
    { what: 'maskOptimizerState: not a model', call: () => maskOptimizerState(3 as never), error: 'maskOptimizerState: model must be a tf.LayersModel' },
    { what: 'maskOptimizerState: a bad selection', call: () => maskOptimizerState(model, ['flat']),
      error: "layers: 'flat' is a Flatten, not a prunable layer" },

    // Files and callbacks.
    { what: 'fileSystem: a misspelt option', call: () => fileSystem('/tmp/x', { quantisation: { dtype: 'uint8' } } as never),
      error: "fileSystem: unknown option 'quantisation'; options are writeFile, quantization." },
    { what: 'fileSystem: an empty path', call: () => fileSystem(''), error: 'fileSystem: path must be a non-empty string naming a directory; received string "".' },
    { what: "fileSystem: quantization dtype 'int8'", call: () => fileSystem('/tmp/x', { quantization: { dtype: 'int8' as never } }),
      error: "fileSystem: quantization.dtype must be one of 'float16', 'uint8', 'uint16'; received string \"int8\"." },
    { what: 'fileSystem: quantization with another key', call: () => fileSystem('/tmp/x', { quantization: { dtype: 'uint8', bits: 4 } as never }),
      error: "fileSystem: quantization: unknown option 'bits'; options are dtype." },
    { what: 'fileSystem: writeFile not a function', call: () => fileSystem('/tmp/x', { writeFile: 'fs' as never }),
      error: 'fileSystem: writeFile must be a function (file, data) => Promise<void>; received string "fs".' },
    { what: 'loadPrunableModel: a misspelt option', call: () => loadPrunableModel(tf.io.fromMemory({}), { stric: false } as never),
      error: "loadPrunableModel: unknown option 'stric'; options are requestInit, onProgress, fetchFunc, strict, weightPathPrefix, fromTFHub, weightUrlConverter, streamWeights." },
    { what: 'loadPrunableModel: a handler without load', call: () => loadPrunableModel({ save: async () => ({}) } as never),
      error: 'loadPrunableModel: pathOrIOHandler must be a URL string or an IOHandler with a load method' },
    { what: 'combineCallbacks: an unknown hook', call: () => combineCallbacks({ onEpochStart: () => undefined } as never),
      error: "combineCallbacks: callbacks[0] has an unknown hook 'onEpochStart'; hooks are onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onYield." },
    { what: 'combineCallbacks: a hook that is not a function', call: () => combineCallbacks({ onEpochEnd: 'log' } as never),
      error: 'combineCallbacks: callbacks[0].onEpochEnd must be a function; received string "log".' },
    { what: 'combineCallbacks: a number', call: () => combineCallbacks(3 as never), error: 'combineCallbacks: callbacks[0] must be a tf.Callback or an object of hook functions' },
  ];

  it(`has well over 100 cases (${cases.length})`, () => {
    expect(cases.length).to.be.above(100);
  });

  for (const c of cases) {
    it(c.what, async () => {
      const before = state(model);
      let error: Error | undefined;
      try {
        const result = c.call();
        if (result instanceof Promise) error = await rejection(result);
      } catch (e) {
        error = e as Error;
      }
      tf.dispose(argumentTensors.splice(0));
      expectError(error, c.error, c.what);
      expect(state(model), 'the model, tensors or variables changed').to.deep.equal(before);
    });
  }

  it('the callback refuses, when training begins, a model without prunable layers and methods naming no pruned layer, changing nothing', async () => {
    const x = tf.ones([4, 3]);
    const y = tf.ones([4, 2]);
    plain.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const fit = (m: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, callback: PruningScheduleCallback) =>
      m.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [callback] });
    expectError(await rejection(fit(plain, x, y, new PruningScheduleCallback({ schedule: schedule() }))),
      'PruningScheduleCallback: the model has no prunable layer to prune', 'no prunable layer');
    const images = tf.ones([4, 6, 6, 1]);
    const before = state(model);
    expectError(await rejection(fit(model, images, y, new PruningScheduleCallback({ schedule: schedule(), methods: { out: 'unit' } }))),
      "PruningScheduleCallback: methods names 'out', which is not a pruned layer; the pruned layers are 'conv', 'sep', 'hidden'.", 'methods');
    expect(state(model)).to.deep.equal(before);
    tf.dispose([x, y, images]);
  });
});
