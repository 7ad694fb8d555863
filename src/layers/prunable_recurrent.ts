import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { InputSpecArgs, SymbolicTensor } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { GRULayerArgs, LSTMLayerArgs, RNNCell, SimpleRNNLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/recurrent';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { ObjectOption } from './layer_options';
import { CallWeights, Initializer, PrunableKind, PrunableLayer, WeightDefinition } from './prunable_layer';

/*
 * The recurrent layers: SimpleRNN, LSTM and GRU, with tf.layers' options,
 * weights (`kernel`, `recurrent_kernel`, `bias`) and configs; the two
 * kernels carry masks, the bias none (as in tfmot).
 *
 * Each runs tf.layers' own RNN machinery (the time loop, initial states,
 * masking, goBackwards, statefulness) with a cell of tf.layers' own class,
 * both from public API (`tf.layers.rnn`, the serialization registry), so
 * that they compute exactly what tf.layers computes. The cell has no weights:
 * at the start of each call the layer computes each masked kernel once
 * (kept across inference calls, see PrunableLayer), and the cell's
 * `kernel.read()` and `recurrentKernel.read()` return it at every time step.
 * The tape sums the steps' gradients into that one product, whose gradient
 * is zero wherever the mask is.
 */

/**
 * Options of {@link PrunableSimpleRNN}: exactly those of `tf.layers.simpleRNN`,
 * with the same defaults (`activation: 'tanh'`, `useBias: true`,
 * `kernelInitializer: 'glorotNormal'`, `recurrentInitializer: 'orthogonal'`,
 * `biasInitializer: 'zeros'`, no dropout, `returnSequences`, `returnState`,
 * `goBackwards`, `stateful` and `unroll` false). The masks need no option:
 * they start as ones.
 *
 * ```js
 * const args = {units: 32, returnSequences: true};
 * const layer = prunableSimpleRNN(args); // where the model had tf.layers.simpleRNN(args)
 * ```
 */
export type PrunableSimpleRNNLayerArgs = Omit<SimpleRNNLayerArgs, 'cell'>;
/**
 * Options of {@link PrunableLSTM}: exactly those of `tf.layers.lstm`, with the
 * same defaults (those of {@link PrunableSimpleRNNLayerArgs}, and
 * `recurrentActivation: 'hardSigmoid'`, `unitForgetBias: false`).
 *
 * ```js
 * const layer = prunableLSTM({units: 64, dropout: 0.1, unitForgetBias: true});
 * ```
 */
export type PrunableLSTMLayerArgs = Omit<LSTMLayerArgs, 'cell'>;
/**
 * Options of {@link PrunableGRU}: exactly those of `tf.layers.gru`, with the
 * same defaults (those of {@link PrunableSimpleRNNLayerArgs}, and
 * `recurrentActivation: 'hardSigmoid'`; like tf.layers' GRU it refuses `resetAfter`).
 *
 * ```js
 * const layer = prunableGRU({units: 64, returnSequences: true, goBackwards: true});
 * ```
 */
export type PrunableGRULayerArgs = Omit<GRULayerArgs, 'cell'>;

/** What a cell's `call` reads a weight through. */
interface Readable {
  read(): tf.Tensor;
}

/** A tf.layers cell (SimpleRNNCell, LSTMCell, GRUCell), with the fields this file gives it or clears. */
type Cell = Omit<RNNCell, 'dropoutMask' | 'recurrentDropoutMask'> & {
  kernel: Readable | null;
  recurrentKernel: Readable | null;
  bias: Readable | null;
  dropoutMask: tf.Tensor | tf.Tensor[] | null;
  recurrentDropoutMask: tf.Tensor | tf.Tensor[] | null;
};

/** The classes {@link weightlessCell} made, by tf.layers cell class name. */
const weightlessCells = new Map<string, new (args: object) => Cell>();

/**
 * tf.layers' cell class `className` (`'LSTMCell'`), but building no weights:
 * they are the prunable layer's, handed to the cell for each call. Taken
 * from the serialization registry, where the one copy of tfjs-layers
 * registers it (a deep import would load a second copy).
 */
function weightlessCell(className: string): new (args: object) => Cell {
  let cls = weightlessCells.get(className);
  if (cls === undefined) {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
    if (entry == null) throw new Error(`tf.layers' ${className} is not registered: is @tensorflow/tfjs-layers loaded?`);
    const Base = entry[0] as unknown as new (args: object) => tfl.layers.Layer;
    cls = class extends Base {
      override build(): void {
        this.built = true;
      }
    } as unknown as new (args: object) => Cell;
    weightlessCells.set(className, cls);
  }
  return cls;
}

/**
 * LSTM's bias initializer with `unitForgetBias`, as tf.layers' LSTMCell
 * builds it: `initializer` for the input, cell and output gates, ones for
 * the forget gate (gates in the order i, f, c, o).
 */
function unitForgetBias(initializer: Initializer, units: number): Initializer {
  return {
    apply: (_shape: number[], dtype?: tf.DataType) => tf.tidy(() => tf.concat([
      initializer.apply([units], dtype), tf.ones([units], dtype), initializer.apply([2 * units], dtype),
    ])),
  } as unknown as Initializer;
}

const BOOLEANS = ['useBias', 'trainable', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll'];

/** The object options of a recurrent layer (activityRegularizer is none: tf.layers' recurrent layers ignore it). */
function objects(gated: boolean): Record<string, ObjectOption> {
  return {
    activation: { type: 'activation', default: 'tanh' },
    ...(gated ? { recurrentActivation: { type: 'activation', default: 'hardSigmoid' } as ObjectOption } : {}),
    kernelInitializer: { type: 'initializer', default: 'glorotNormal' },
    recurrentInitializer: { type: 'initializer', default: 'orthogonal' },
    biasInitializer: { type: 'initializer', default: 'zeros' },
    kernelRegularizer: { type: 'regularizer', default: null },
    recurrentRegularizer: { type: 'regularizer', default: null },
    biasRegularizer: { type: 'regularizer', default: null },
    kernelConstraint: { type: 'constraint', default: null },
    recurrentConstraint: { type: 'constraint', default: null },
    biasConstraint: { type: 'constraint', default: null },
  };
}

/** A recurrent kind; `gates` is the number of gate blocks in the kernels' columns (LSTM 4, GRU 3, SimpleRNN 1). */
function kind(plainClassName: string, plain: (args: object) => tfl.layers.Layer, gates: number): PrunableKind {
  return {
    plainClassName,
    options: {
      plain,
      objects: objects(gates > 1),
      booleans: plainClassName === 'LSTM' ? [...BOOLEANS, 'unitForgetBias'] : BOOLEANS,
      // Options tf.layers leaves out of its config (dropoutFunc) or ignores: inputDim, inputLength, and cell,
      // which its factories replace and write into the options object they are given.
      extra: ['dropoutFunc', 'inputDim', 'inputLength', 'cell'],
    },
    maskedWeights: [
      { weight: 'kernel', mask: 'kernel_mask', unitAxes: [], inputAxis: 0 },
      { weight: 'recurrent_kernel', mask: 'recurrent_kernel_mask', unitAxes: [], inputAxis: 0 },
    ],
    sizes: ['units'],
    unitPruningRefusal: "a hidden unit spans every gate's columns of both kernels and a row of the recurrent kernel, " +
      "and a unit whose entries are all pruned still computes from its biases; prune recurrent layers by 'weight'",
  };
}

const GATES: Readonly<Record<string, number>> = { SimpleRNN: 1, GRU: 3, LSTM: 4 };

/**
 * What the recurrent layers share: the cell and tf.layers' RNN that runs
 * it, the RNN's options, states and masks. Each kind names its cell class.
 */
abstract class PrunableRecurrent extends PrunableLayer {
  /**
   * The specs of the initial states given to the last `apply`, as tf.layers'
   * RNN keeps them (its `apply`, which this layer's runs, sets them; a
   * `Bidirectional` sets its copies').
   */
  stateSpec: tfl.InputSpec[] | null = null;
  /** Constants passed to each step: none, as in tf.layers. */
  readonly numConstants = null;
  private readonly cell: Cell;
  /** tf.layers' RNN over the cell: the time loop, initial states, masking, states. */
  private readonly runner: tfl.RNN;

  protected constructor(args: PrunableSimpleRNNLayerArgs, kind: PrunableKind, cellClassName: string) {
    super(args, kind);
    const config = this.options.config;
    const { activation, recurrentActivation } = this.options.objects;
    const Cell = weightlessCell(cellClassName);
    this.cell = new Cell({
      ...JSON.parse(JSON.stringify(config)), activation, ...(recurrentActivation === undefined ? {} : { recurrentActivation }),
      dropoutFunc: args.dropoutFunc,
    });
    this.runner = tfl.layers.rnn({
      cell: this.cell as unknown as RNNCell, returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, stateful: config.stateful as boolean, unroll: config.unroll as boolean,
    });
    this._stateful = config.stateful as boolean;
    this.supportsMasking = true;
    this.inputSpec = [{ ndim: 3 }];
  }

  /** Number of hidden units. */
  get units(): number {
    return this.options.config.units as number;
  }

  /** Whether the layer returns its output at every time step, else at the last. */
  get returnSequences(): boolean {
    return this.options.config.returnSequences as boolean;
  }

  /** Whether the layer returns its final states after its output. */
  get returnState(): boolean {
    return this.options.config.returnState as boolean;
  }

  /** Whether the layer reads its input sequence backwards. */
  get goBackwards(): boolean {
    return this.options.config.goBackwards as boolean;
  }

  /** The states a stateful layer carries from call to call (nulls before any). */
  get states(): tf.Tensor[] {
    return this.runner.states;
  }

  /** Resets a stateful layer's states to zeros, or to `states`, as tf.layers' RNN does. */
  override resetStates(states?: tf.Tensor | tf.Tensor[], training = false): void {
    this.runner.resetStates(states, training);
  }

  /** Applies the layer as tf.layers' RNN does: initial states given in `kwargs` become inputs of its node. */
  override apply(inputs: tf.Tensor | tf.Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs):
    tf.Tensor | tf.Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return tfl.RNN.prototype.apply.call(this as unknown as tfl.RNN, inputs, kwargs);
  }

  /** Creates the weights and masks for sequences of `inputShape` (and the shapes of initial states given as inputs after it). */
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    // With initial states as inputs, the shapes of the sequence and of each state.
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as tfl.Shape[]) : [inputShape as tfl.Shape];
    super.build(shapes[0]);
    this.runner.stateSpec = this.stateSpec as tfl.InputSpec[];
    this.runner.build(inputShape);
    this.inputSpec = this.runner.inputSpec;
  }

  /** The output's shape, then the states' with `returnState`, as tf.layers' layer computes them. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.options.template.computeOutputShape(inputShape);
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return this.runner.computeMask(inputs, mask);
  }

  protected defineWeights(inputShape: tfl.Shape): { weights: WeightDefinition[]; inputSpec: InputSpecArgs[] } {
    const inputDim = inputShape[inputShape.length - 1];
    if (inputDim == null) {
      throw new Error(`${this.getClassName()} '${this.name}': the last input dimension must be known; got input shape [${inputShape}].`);
    }
    const width = GATES[this.kind.plainClassName] * this.units;
    const weights: WeightDefinition[] = [
      { name: 'kernel', shape: [inputDim, width], initializer: 'kernelInitializer', regularizer: 'kernelRegularizer', constraint: 'kernelConstraint' },
      { name: 'recurrent_kernel', shape: [this.units, width], initializer: 'recurrentInitializer',
        regularizer: 'recurrentRegularizer', constraint: 'recurrentConstraint' },
    ];
    if (this.options.config.useBias) {
      const initializer = this.options.config.unitForgetBias === true
        ? unitForgetBias(this.options.objects.biasInitializer as Initializer, this.units) : 'biasInitializer';
      weights.push({ name: 'bias', shape: [width], initializer, regularizer: 'biasRegularizer', constraint: 'biasConstraint' });
    }
    // The RNN's input spec follows in build.
    return { weights, inputSpec: [] };
  }

  protected compute(input: tf.Tensor, weights: CallWeights, kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const cell = this.cell;
    // Read by the cell at every step: computed here, once, outside the steps' tidy scopes.
    const fixed = (tensor: tf.Tensor): Readable => ({ read: () => tensor });
    cell.kernel = fixed(weights.masked('kernel'));
    cell.recurrentKernel = fixed(weights.masked('recurrent_kernel'));
    cell.bias = weights.has('bias') ? fixed(weights.raw('bias')) : null;
    // The cell makes its dropout masks at a call's first step: the last call's go, as tf.layers' layers drop them.
    this.disposeDropoutMasks();
    try {
      return this.runner.call(input, { mask: kwargs?.mask, training: kwargs?.training, initialState: kwargs?.initialState });
    } finally {
      cell.kernel = cell.recurrentKernel = cell.bias = null;
    }
  }

  protected override disposeWeights(): number {
    // What tf.layers' recurrent layers leave allocated when disposed: the last call's dropout masks, a stateful layer's states.
    this.disposeDropoutMasks();
    if (this.stateful && this.built) {
      this.runner.resetStates();
      tf.dispose(this.runner.states);
    }
    return super.disposeWeights();
  }

  private disposeDropoutMasks(): void {
    tf.dispose([this.cell.dropoutMask ?? [], this.cell.recurrentDropoutMask ?? []].flat());
    this.cell.dropoutMask = null;
    this.cell.recurrentDropoutMask = null;
  }
}

const SIMPLE_RNN = kind('SimpleRNN', (args) => tfl.layers.simpleRNN(args as SimpleRNNLayerArgs), GATES.SimpleRNN);

/**
 * A drop-in replacement for `tf.layers.simpleRNN` whose `kernel` `[inputDim,
 * units]` and `recurrent_kernel` `[units, units]` are each multiplied by a
 * non-trainable 0/1 mask (`kernel_mask`, `recurrent_kernel_mask`) on every
 * call, the masked kernels computed once per call, not per time step; the
 * bias is not masked. Pruned entries contribute nothing and receive exactly
 * zero gradient; see {@link PrunableLayer}. Initial states, masking,
 * `returnSequences`, `returnState`, `goBackwards`, `stateful` and dropout
 * behave as in tf.layers, which computes the steps. Its kernel, recurrent
 * and bias regularizers apply in training, where tf.layers 4.22's recurrent
 * layers ignore them (their losses stay on the cell, which the model never
 * collects). `'unit'` pruning is refused (see the guide); `getMask` and
 * `setMask` take the weight's name.
 *
 * ```js
 * const layer = prunableSimpleRNN({units: 16, returnSequences: true});
 * layer.getMask('recurrent_kernel');
 * ```
 */
export class PrunableSimpleRNN extends PrunableRecurrent {
  /** The name the class is registered and saved under (`"class_name": "PrunableSimpleRNN"` in model.json). @nocollapse */
  static className = 'PrunableSimpleRNN';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = SIMPLE_RNN;

  constructor(args: PrunableSimpleRNNLayerArgs) {
    super(args, SIMPLE_RNN, 'SimpleRNNCell');
  }
}
tf.serialization.registerClass(PrunableSimpleRNN);

const LSTM = kind('LSTM', (args) => tfl.layers.lstm(args as LSTMLayerArgs), GATES.LSTM);

/**
 * A drop-in replacement for `tf.layers.lstm` whose `kernel` `[inputDim, 4 ·
 * units]` and `recurrent_kernel` `[units, 4 · units]` (gates i, f, c, o) are
 * each multiplied by a non-trainable 0/1 mask (`kernel_mask`,
 * `recurrent_kernel_mask`) on every call, as {@link PrunableSimpleRNN}'s.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   prunableEmbedding({inputDim: 1000, outputDim: 16}),
 *   tf.layers.bidirectional({layer: prunableLSTM({units: 32})}),
 *   tf.layers.dense({units: 1, activation: 'sigmoid'}),
 * ]});
 * ```
 */
export class PrunableLSTM extends PrunableRecurrent {
  /** The name the class is registered and saved under (`"class_name": "PrunableLSTM"` in model.json). @nocollapse */
  static className = 'PrunableLSTM';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = LSTM;

  constructor(args: PrunableLSTMLayerArgs) {
    super(args, LSTM, 'LSTMCell');
  }
}
tf.serialization.registerClass(PrunableLSTM);

const GRU = kind('GRU', (args) => tfl.layers.gru(args as GRULayerArgs), GATES.GRU);

/**
 * A drop-in replacement for `tf.layers.gru` whose `kernel` `[inputDim, 3 ·
 * units]` and `recurrent_kernel` `[units, 3 · units]` (gates z, r, h) are each
 * multiplied by a non-trainable 0/1 mask (`kernel_mask`,
 * `recurrent_kernel_mask`) on every call, as {@link PrunableSimpleRNN}'s.
 *
 * ```js
 * const layer = prunableGRU({units: 32, returnState: true});
 * ```
 */
export class PrunableGRU extends PrunableRecurrent {
  /** The name the class is registered and saved under (`"class_name": "PrunableGRU"` in model.json). @nocollapse */
  static className = 'PrunableGRU';
  /** What the rest of the library knows of this kind. @internal */
  static readonly kind = GRU;

  constructor(args: PrunableGRULayerArgs) {
    super(args, GRU, 'GRUCell');
  }
}
tf.serialization.registerClass(PrunableGRU);

/**
 * Creates a {@link PrunableSimpleRNN} layer, as `tf.layers.simpleRNN` creates a SimpleRNN.
 *
 * ```js
 * const layer = prunableSimpleRNN({units: 8, inputShape: [20, 4]});
 * ```
 */
export function prunableSimpleRNN(args: PrunableSimpleRNNLayerArgs): PrunableSimpleRNN {
  return new PrunableSimpleRNN(args);
}

/**
 * Creates a {@link PrunableLSTM} layer, as `tf.layers.lstm` creates an LSTM.
 *
 * ```js
 * const layer = prunableLSTM({units: 32, returnSequences: true});
 * ```
 */
export function prunableLSTM(args: PrunableLSTMLayerArgs): PrunableLSTM {
  return new PrunableLSTM(args);
}

/**
 * Creates a {@link PrunableGRU} layer, as `tf.layers.gru` creates a GRU.
 *
 * ```js
 * const layer = prunableGRU({units: 32, goBackwards: true});
 * ```
 */
export function prunableGRU(args: PrunableGRULayerArgs): PrunableGRU {
  return new PrunableGRU(args);
}
