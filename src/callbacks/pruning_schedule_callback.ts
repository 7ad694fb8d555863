import * as tfl from '@tensorflow/tfjs-layers';
import type { UnresolvedLogs } from '@tensorflow/tfjs-layers/dist/logs';
import { checkDimension, checkFraction, checkOptionNames, checkOptions, describeValue } from '../checks';
import type { PrunableLayer } from '../layers/prunable_layer';
import { checkLayerSelection, findPrunableLayers, LayerSelection, requirePrunableLayers } from '../model/prunable_layers';
import { pruneTargets, selectChannelMasks } from '../pruning/prune_channels';
import { checkLayerMethod, LayerTarget, layerPruningReport, nmLayouts } from '../pruning/prune_layer';
import { layersNamed, withoutOutputLayers } from '../pruning/prune_model';
import { checkPruningMethod, checkPruningMethods, PruningMethod } from '../pruning/pruning_method';
import { resolveSelection, Selection, SELECTION_OPTIONS, SelectionArgs } from '../pruning/selection_options';
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
export interface PruningScheduleCallbackArgs extends SelectionArgs {
  /**
   * When and how far to prune: a {@link ConstantSparsity} or {@link PolynomialDecay}.
   * Required; the layers `schedules` names follow theirs instead. Layers pruned by
   * `'nm'` take only its timing: they reach `1 - n/m` at its first update and keep it.
   */
  schedule: PruningSchedule;
  /** Per-layer schedules by layer name, overriding `schedule` for those layers. Not with scope `'global'`. Default: none. */
  schedules?: Readonly<Record<string, PruningSchedule>>;
  /**
   * How the layers prune: a {@link PruningMethod}. Default: `'weight'`.
   */
  method?: PruningMethod;
  /** Per-layer methods by layer name, overriding `method` for those layers. Default: none. */
  methods?: Readonly<Record<string, PruningMethod>>;
  /**
   * The prunable layers to prune, by name or object. Default: every prunable
   * layer of the model, in nested models and wrappers too, but those that
   * compute the model's outputs when their method is `'unit'` (it would
   * remove outputs, such as classes), unless `methods` or `schedules` names them.
   */
  layers?: LayerSelection;
  /** Print a line (`console.log`) at each mask update: `true` or `1` (as `fit`'s `verbose`), `false` or `0` not. Default: false. */
  verbose?: boolean | 0 | 1;
  /**
   * The step training starts from, a non-negative integer: the number of
   * optimizer updates the model has had. Default: `model.optimizer.iterations`
   * when training first begins, which is 0 for a new model and the saved count
   * for a model reloaded with its optimizer (`save(..., {includeOptimizer: true})`).
   * Give it to resume a model saved without its optimizer.
   */
  initialStep?: number;
}

const OPTIONS: ReadonlyArray<keyof PruningScheduleCallbackArgs> = [
  'schedule', 'schedules', 'method', 'methods', 'layers', 'verbose', 'initialStep', ...SELECTION_OPTIONS,
];
const NAME = 'PruningScheduleCallback';

/**
 * Gradual pruning during `model.fit` / `fitDataset`, as tfmot's
 * `UpdatePruningStep`: the masks of each selected prunable layer are
 * raised to `schedule.sparsityAt(step)` whenever `schedule.shouldPrune(step)`
 * (its own schedule's, for a layer `schedules` names; `1 - n/m` for `'nm'`),
 * through {@link pruneModel}'s selection, so masks only grow. The layers
 * that update at one step are selected together (every mask before any is
 * set; with scope `'global'`, ranked together).
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
 * At each epoch end it adds to the epoch logs, so they appear in `history.history`:
 * - `sparsity`: the model's overall sparsity (the fraction of pruned masked
 *   entries over all its prunable layers, selected or not, as in
 *   {@link pruningSummary}'s total);
 * - `targetSparsity`: `schedule.sparsityAt(step)` at the epoch's last step,
 *   which the selected layers without a schedule of their own reach at the
 *   next mask update, not before;
 * - `appliedSparsity`: `schedule`'s target at the last mask update, the sparsity
 *   the layers that follow it were pruned to (NaN before this callback's first update);
 * - `nextUpdateStep`: the step of the next mask update (it follows that
 *   step's batch), or -1 when the schedule makes no more.
 *
 * With few batches per epoch and the default `frequency` of 100,
 * `targetSparsity` rises for several epochs while `sparsity` and
 * `appliedSparsity` stay at the last update's; `nextUpdateStep` says when
 * the masks next change.
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
  /** The schedule the masks follow (but those of the layers `schedules` names). */
  readonly schedule: PruningSchedule;
  private readonly schedules: Readonly<Record<string, PruningSchedule>>;
  private readonly method: PruningMethod;
  private readonly methods: Readonly<Record<string, PruningMethod>>;
  private readonly selection: Selection;
  private readonly layerSelection: LayerSelection | undefined;
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
  /** Whether an update has set a sparsity above 0, or the warning that none did has been given. */
  private raisedOrWarned = false;

  constructor(args: PruningScheduleCallbackArgs) {
    super();
    checkOptions(args, `${NAME} needs options {schedule, schedules?, method?, methods?, layers?, scope?, n?, m?, seed?, ` +
      'blockShape?, verbose?, initialStep?}');
    checkOptionNames(args, NAME, OPTIONS);
    const { schedule, schedules = {}, method = 'weight', methods = {}, layers, verbose = false, initialStep } = args;
    checkSchedule(schedule, 'schedule');
    prefixed(() => checkOptions(schedules, 'schedules must be an object mapping layer names to PruningSchedules'));
    for (const [name, s] of Object.entries(schedules)) checkSchedule(s, `schedules['${name}']`);
    prefixed(() => checkPruningMethod(method));
    prefixed(() => checkPruningMethods(methods));
    const selection = prefixed(() => resolveSelection(args, [method, ...Object.values(methods)]));
    if (selection.scope === 'global' && Object.keys(schedules).length > 0) {
      throw new Error(`${NAME}: scope 'global' ranks all the selected layers to one sparsity, so it takes one schedule; ` +
        "give per-layer schedules with scope 'layer'.");
    }
    if (layers !== undefined) prefixed(() => checkLayerSelection(layers));
    if (typeof verbose !== 'boolean' && verbose !== 0 && verbose !== 1) {
      throw new TypeError(`${NAME}: verbose must be true, false, 1 or 0; received ${describeValue(verbose)}.`);
    }
    if (initialStep !== undefined) prefixed(() => checkDimension(initialStep, 'initialStep'));
    this.schedule = schedule;
    this.schedules = { ...schedules };
    this.method = method;
    this.methods = { ...methods };
    this.selection = selection;
    this.layerSelection = layers === undefined ? undefined : [...layers];
    this.verbose = verbose === true || verbose === 1;
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

  /**
   * Warns once when training ends before any update raised a sparsity while
   * the schedules have updates to come (the default `frequency` of 100 with a
   * short fit): otherwise the masks stay empty without a word.
   */
  override async onTrainEnd(): Promise<void> {
    if (this.raisedOrWarned) return;
    const step = this.currentStep as number;
    const upcoming = this.layers.map((layer) => [this.scheduleOf(layer), nextUpdateStep(this.scheduleOf(layer), step)] as const)
      .filter(([, next]) => next >= 0).sort((a, b) => a[1] - b[1]);
    if (upcoming.length === 0) return;
    const [schedule, next] = upcoming[0];
    this.raisedOrWarned = true;
    console.warn(`${NAME}: training ended at step ${step} with no mask pruned yet; the schedule's next update is at step ${next} ` +
      `(beginStep ${schedule.beginStep}, frequency ${schedule.frequency}). Train for more steps, or lower frequency or beginStep.`);
  }

  /** Adds `sparsity`, `targetSparsity`, `appliedSparsity` and `nextUpdateStep` to the epoch's logs. */
  override async onEpochEnd(_epoch: number, logs?: UnresolvedLogs): Promise<void> {
    if (logs == null) return;
    const step = this.currentStep as number;
    logs.sparsity = overallSparsity(this.modelLayers.map(layerPruningReport));
    logs.targetSparsity = this.schedule.sparsityAt(step);
    logs.appliedSparsity = this.lastUpdateStep < 0 ? NaN : this.schedule.sparsityAt(this.lastUpdateStep);
    logs.nextUpdateStep = nextUpdateStep(this.schedule, step);
  }

  /**
   * The selected layers, with every option that names a layer checked
   * against the model, each layer's method checked to be one it takes (a
   * recurrent layer refuses `'unit'`), and the layers pruned by `'nm'`
   * checked to have an input axis that `m` divides: when training begins,
   * not at the first mask update.
   */
  private resolveLayers(model: tfl.LayersModel): PrunableLayer[] {
    const named = (layer: PrunableLayer) => own(this.methods, layer.name) !== undefined || own(this.schedules, layer.name) !== undefined;
    const layers = this.layerSelection === undefined
      ? withoutOutputLayers(model, requirePrunableLayers(model, NAME), (layer) => this.methodOf(layer), named, NAME)
      : prefixed(() => findPrunableLayers(model, this.layerSelection));
    for (const [option, map] of [['methods', this.methods], ['schedules', this.schedules]] as const) {
      if (Object.keys(map).length > 0) prefixed(() => layersNamed(map, layers, option, 'pruned'));
    }
    for (const layer of layers) {
      const method = this.methodOf(layer);
      prefixed(() => checkLayerMethod(layer, method));
      if (method === 'nm') prefixed(() => nmLayouts(layer, this.selection.m));
    }
    const byChannel = layers.filter((layer) => this.methodOf(layer) === 'channel');
    // Groups that cannot be pruned are found now, not at the first update: a selection at sparsity 0 changes nothing.
    if (byChannel.length > 0) {
      prefixed(() => selectChannelMasks(model, new Map(byChannel.map((layer) => [layer, 0])),
        { ...this.selection, explicit: this.layerSelection !== undefined }));
    }
    return layers;
  }

  private methodOf(layer: PrunableLayer): PruningMethod {
    return own(this.methods, layer.name) ?? this.method;
  }

  private scheduleOf(layer: PrunableLayer): PruningSchedule {
    return own(this.schedules, layer.name) ?? this.schedule;
  }

  /**
   * Applies each layer's schedule at the current step, once per step; every
   * mask is selected before any is set. Then zeroes the optimizer's state of
   * the pruned weights ({@link maskOptimizerState}).
   */
  private async updateMasks(): Promise<void> {
    const step = this.currentStep as number;
    if (step === this.lastUpdateStep) return;
    const { n, m } = this.selection;
    const targets: LayerTarget[] = [];
    for (const layer of this.layers) {
      const schedule = this.scheduleOf(layer);
      if (!schedule.shouldPrune(step)) continue;
      const method = this.methodOf(layer);
      // A schedule may be the user's own subclass: its value enters the library here. n <= m holds.
      const sparsity = method === 'nm' ? 1 - n / m : schedule.sparsityAt(step);
      checkFraction(sparsity, 'sparsity');
      targets.push({ layer, method, sparsity });
    }
    if (targets.length === 0) return;
    const reports = pruneTargets(this.model, targets, this.selection, this.layerSelection !== undefined);
    this.lastUpdateStep = step;
    if (targets.some((t) => t.sparsity > 0)) this.raisedOrWarned = true;
    const updated = findPrunableLayers(this.model).filter((layer) => reports.some((r) => r.layer === layer.name));
    await maskLayersOptimizerState(this.model, updated);
    if (this.verbose) {
      const sparsities = [...new Set(targets.map((t) => t.sparsity))];
      const target = sparsities.length === 1
        ? `target sparsity ${sparsities[0].toFixed(4)}`
        : `target sparsities ${targets.map((t) => `${t.layer.name} ${t.sparsity.toFixed(4)}`).join(', ')}`;
      console.log(`${NAME}: step ${step}: ${target}, sparsity ${overallSparsity(reports).toFixed(4)} over ${reports.length} layer(s)`);
    }
  }
}

/** `map[key]` when `map` has it as its own property (a layer named `toString` is no method). */
function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** Throws a clear error unless `schedule` is a PruningSchedule; `name` is the option's name in the message. */
function checkSchedule(schedule: unknown, name: string): asserts schedule is PruningSchedule {
  if (!(schedule instanceof PruningSchedule)) {
    throw new TypeError(`${NAME}: ${name} must be a PruningSchedule such as new PolynomialDecay({...}) or ` +
      `new ConstantSparsity({...}); received ${describeValue(schedule)}.`);
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

/**
 * The first step after `step` at which `schedule` updates the masks, or -1 if
 * none: `shouldPrune` holds at least once in any `frequency` steps from
 * `beginStep` up to `endStep`, which prunes too.
 */
function nextUpdateStep(schedule: PruningSchedule, step: number): number {
  const first = Math.max(step + 1, schedule.beginStep);
  for (let s = first; s < first + schedule.frequency && (schedule.endStep < 0 || s <= schedule.endStep); s++) {
    if (schedule.shouldPrune(s)) return s;
  }
  return -1;
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
