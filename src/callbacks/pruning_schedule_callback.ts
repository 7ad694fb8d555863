import * as tfl from '@tensorflow/tfjs-layers';
import type { UnresolvedLogs } from '@tensorflow/tfjs-layers/dist/logs';
import { checkDimension, checkOptionNames, checkOptions, describeValue } from '../checks';
import type { PrunableLayer } from '../layers/prunable_layer';
import { checkLayerSelection, findPrunableLayers, LayerSelection, requirePrunableLayers } from '../model/prunable_layers';
import { checkLayerMethod, layerPruningReport, pruneLayers } from '../pruning/prune_layer';
import { checkPruningMethod, checkPruningMethods, PruningMethod } from '../pruning/pruning_method';
import { maskLayersOptimizerState } from '../pruning/optimizer_state';
import { overallSparsity } from '../pruning/pruning_summary';
import { PruningSchedule } from '../schedules/pruning_schedule';

/**
 * Options of {@link PruningScheduleCallback}.
 *
 * ```js
 * const args = {schedule, method: 'unit', methods: {output: 'weight'}, verbose: true};
 * ```
 */
export interface PruningScheduleCallbackArgs {
  /** When and how far to prune: a {@link ConstantSparsity} or {@link PolynomialDecay}. Required. */
  schedule: PruningSchedule;
  /**
   * How the layers prune: `'weight'` (smallest |w| entries) or `'unit'`
   * (smallest-norm units: columns, filters; on an output layer that removes outputs, so leave
   * it out with `layers` or give it `'weight'` in `methods`). Default: `'weight'`.
   */
  method?: PruningMethod;
  /** Per-layer methods by layer name, overriding `method` for those layers. Default: none. */
  methods?: Readonly<Record<string, PruningMethod>>;
  /** The prunable layers to prune, by name or object. Default: every prunable layer of the model, in nested models and wrappers too. */
  layers?: LayerSelection;
  /** Print a line (`console.log`) at each mask update. Default: false. */
  verbose?: boolean;
  /**
   * The step training starts from, a non-negative integer: the number of
   * optimizer updates the model has had. Default: `model.optimizer.iterations`
   * when training first begins, which is 0 for a new model and the saved count
   * for a model reloaded with its optimizer (`save(..., {includeOptimizer: true})`).
   * Give it to resume a model saved without its optimizer.
   */
  initialStep?: number;
}

const OPTIONS: ReadonlyArray<keyof PruningScheduleCallbackArgs> = ['schedule', 'method', 'methods', 'layers', 'verbose', 'initialStep'];
const NAME = 'PruningScheduleCallback';

/**
 * Gradual pruning during `model.fit` / `fitDataset`, as tfmot's
 * `UpdatePruningStep`: the masks of the selected prunable layers are
 * raised to `schedule.sparsityAt(step)` whenever `schedule.shouldPrune(step)`,
 * through {@link pruneLayer}'s selection, so masks only grow.
 *
 * The step is the number of optimizer updates done: it is checked when
 * training begins and after every batch, so the update for step `s` comes
 * after `s` batches and before batch `s + 1`, and the one for the step
 * reached by the last batch still applies (a fit of 10 batches ends with the
 * mask of step 10). The callback counts steps across epochs and successive
 * `fit` calls, and starts from `initialStep` or the optimizer's iteration count,
 * so a model reloaded with its optimizer continues its schedule. One callback
 * follows one model. After the schedule's `endStep`, masks stay.
 *
 * After each mask update it zeroes the optimizer's state at the pruned
 * weights ({@link maskOptimizerState}): they keep their values, and their
 * state cannot decay into denormal floats that slow training on wasm.
 *
 * TF.js computes an epoch's validation metrics during its last batch, before
 * the update that batch may trigger.
 *
 * At each epoch end it adds `sparsity`, the model's overall sparsity (the
 * fraction of pruned masked entries over all its prunable layers,
 * selected or not, as in {@link pruningSummary}'s total), and
 * `targetSparsity` (`schedule.sparsityAt(step)`, which the selected layers
 * follow) to the epoch logs, so they appear in `history.history`.
 *
 * To pass it with plain hook objects such as `{onEpochEnd}`, use
 * {@link combineCallbacks}: TF.js mishandles a `callbacks` array that mixes both.
 *
 * ```js
 * const schedule = new PolynomialDecay({initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 1000});
 * const history = await model.fit(xs, ys, {epochs: 10, callbacks: [new PruningScheduleCallback({schedule})]});
 * history.history.sparsity; // one value per epoch
 * ```
 */
export class PruningScheduleCallback extends tfl.Callback {
  /** The schedule the masks follow. */
  readonly schedule: PruningSchedule;
  private readonly method: PruningMethod;
  private readonly methods: Readonly<Record<string, PruningMethod>>;
  private readonly selection: LayerSelection | undefined;
  private readonly verbose: boolean;
  private readonly initialStep: number | undefined;
  /** The model this callback follows, set when its first training begins. */
  private followed: tfl.LayersModel | null = null;
  /** The selected layers. */
  private layers: PrunableLayer[] = [];
  /** Every prunable layer of the followed model, for its overall sparsity. */
  private modelLayers: PrunableLayer[] = [];
  private currentStep: number | null = null;
  private lastUpdateStep = -1;

  constructor(args: PruningScheduleCallbackArgs) {
    super();
    checkOptions(args, `${NAME} needs options {schedule, method?, methods?, layers?, verbose?, initialStep?}`);
    checkOptionNames(args, NAME, OPTIONS);
    const { schedule, method = 'weight', methods = {}, layers, verbose = false, initialStep } = args;
    if (!(schedule instanceof PruningSchedule)) {
      throw new TypeError(`${NAME}: schedule must be a PruningSchedule such as new PolynomialDecay({...}) or ` +
        `new ConstantSparsity({...}); received ${describeValue(schedule)}.`);
    }
    prefixed(() => checkPruningMethod(method));
    prefixed(() => checkPruningMethods(methods));
    if (layers !== undefined) prefixed(() => checkLayerSelection(layers));
    if (typeof verbose !== 'boolean') {
      throw new TypeError(`${NAME}: verbose must be true or false; received ${describeValue(verbose)}.`);
    }
    if (initialStep !== undefined) prefixed(() => checkDimension(initialStep, 'initialStep'));
    this.schedule = schedule;
    this.method = method;
    this.methods = { ...methods };
    this.selection = layers === undefined ? undefined : [...layers];
    this.verbose = verbose;
    this.initialStep = initialStep;
  }

  /** Optimizer updates counted so far (the schedule's current step); null before training begins. */
  get step(): number | null {
    return this.currentStep;
  }

  /** Finds the layers to prune and the starting step at the first training, and applies that step's update. */
  override async onTrainBegin(): Promise<void> {
    if (this.followed === null) {
      this.layers = this.resolveLayers(this.model);
      this.modelLayers = findPrunableLayers(this.model);
      this.currentStep = this.initialStep ?? this.model.optimizer?.iterations ?? 0;
      this.followed = this.model;
    } else if (this.followed !== this.model) {
      throw new Error(`${NAME}: this callback already follows another model; create one PruningScheduleCallback per model.`);
    }
    await this.updateMasks();
  }

  /** Counts the step the batch made and applies its update. */
  override async onBatchEnd(): Promise<void> {
    this.currentStep = (this.currentStep as number) + 1;
    await this.updateMasks();
  }

  /** Adds the model's overall `sparsity` and the schedule's `targetSparsity` to the epoch's logs. */
  override async onEpochEnd(_epoch: number, logs?: UnresolvedLogs): Promise<void> {
    if (logs == null) return;
    logs.sparsity = overallSparsity(this.modelLayers.map(layerPruningReport));
    logs.targetSparsity = this.schedule.sparsityAt(this.currentStep as number);
  }

  /** The selected layers, with every option that names a layer checked against the model. */
  private resolveLayers(model: tfl.LayersModel): PrunableLayer[] {
    const layers = this.selection === undefined
      ? requirePrunableLayers(model, NAME)
      : prefixed(() => findPrunableLayers(model, this.selection));
    const names = layers.map((l) => l.name);
    for (const name of Object.keys(this.methods)) {
      if (!names.includes(name)) {
        throw new Error(`${NAME}: methods names '${name}', which is not a pruned layer; ` +
          `the pruned layers are ${names.map((n) => `'${n}'`).join(', ')}.`);
      }
    }
    // When training begins, not at the first mask update: a layer may refuse its method.
    layers.forEach((layer) => prefixed(() => checkLayerMethod(layer, this.methodOf(layer))));
    return layers;
  }

  /** The method `layer` prunes by. */
  private methodOf(layer: PrunableLayer): PruningMethod {
    return Object.prototype.hasOwnProperty.call(this.methods, layer.name) ? this.methods[layer.name] : this.method;
  }

  /**
   * Applies the schedule at the current step, once per step; every mask is
   * selected before any is set. Then zeroes the optimizer's state of the
   * pruned weights ({@link maskOptimizerState}).
   */
  private async updateMasks(): Promise<void> {
    const step = this.currentStep as number;
    if (step === this.lastUpdateStep || !this.schedule.shouldPrune(step)) return;
    const target = this.schedule.sparsityAt(step);
    const reports = pruneLayers(this.layers, (layer) => this.methodOf(layer), target);
    this.lastUpdateStep = step;
    await maskLayersOptimizerState(this.model, this.layers);
    if (this.verbose) {
      console.log(`${NAME}: step ${step}: target sparsity ${target.toFixed(4)}, ` +
        `sparsity ${overallSparsity(reports).toFixed(4)} over ${reports.length} layer(s)`);
    }
  }
}

/**
 * Creates a {@link PruningScheduleCallback}.
 *
 * ```js
 * const callback = pruningScheduleCallback({schedule: constantSparsity({targetSparsity: 0.8}), method: 'unit'});
 * ```
 */
export function pruningScheduleCallback(args: PruningScheduleCallbackArgs): PruningScheduleCallback {
  return new PruningScheduleCallback(args);
}

/** Runs `fn`, prefixing the message of an error it throws with the callback's name. */
function prefixed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Error) error.message = `${NAME}: ${error.message}`;
    throw error;
  }
}
