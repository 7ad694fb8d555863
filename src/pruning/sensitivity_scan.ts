import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkFraction, checkOptionNames, checkOptions, describeValue, Fraction, withErrorPrefix } from '../checks';
import { PrunableLayer, writeMaskUnchecked } from '../layers/prunable_layer';
import { checkLayersModel } from '../model/model_checks';
import { findPrunableLayers, LayerSelection, requirePrunableLayers } from '../model/prunable_layers';
import { resolveChannelGroups } from './channel_groups';
import { applyChannelMasks, ChannelSelection, selectChannelMasks } from './prune_channels';
import { selectLayerMasks } from './prune_layer';
import { checkPruningMethod, PruningMethod } from './pruning_method';
import { resolveSelection, SelectionArgs } from './selection_options';

/**
 * Options of {@link sensitivityScan}; `seed` and `blockShape` are those of {@link SelectionArgs}.
 *
 * ```js
 * const args = {sparsities: [0.5, 0.8, 0.95], method: 'weight', layers: ['conv1', 'conv2', 'dense']};
 * ```
 */
export interface SensitivityScanArgs extends Pick<SelectionArgs, 'seed' | 'blockShape' | 'roundTo'> {
  /** The sparsities to try on each layer, each in [0, 1], in the order given. Default: `[0.1, 0.2, ..., 0.9]`. */
  sparsities?: readonly number[];
  /**
   * How a trial prunes its layer: `'weight'`, `'unit'`, `'random'` or
   * `'channel'` (`'nm'` has no sparsity to scan). With `'channel'` a trial
   * prunes the channel group the layer makes, with every slice coupled to it
   * (once per group: a row names its first selected producer). Default: `'weight'`.
   */
  method?: PruningMethod;
  /** The layers to scan, by name or object. Default: every prunable layer of the model, in nested models and wrappers too. */
  layers?: LayerSelection;
}

/**
 * One trial of a {@link sensitivityScan}: one layer pruned alone to one sparsity.
 *
 * ```js
 * const {layer, sparsity, score, weights} = scan.rows[0]; // e.g. 'conv1', 0.1, 0.981, 500
 * ```
 */
export interface SensitivityRow {
  /** The layer pruned. */
  layer: string;
  /** The sparsity it was pruned to. */
  sparsity: number;
  /** What `evaluate` returned with it pruned. */
  score: number;
  /** The layer's masked entries (what {@link proposeSparsities} weighs it by). */
  weights: number;
}

/**
 * The result of a {@link sensitivityScan}.
 *
 * ```js
 * const {baseline, rows} = await sensitivityScan(model, evaluate);
 * console.table(rows.map((r) => ({...r, loss: baseline - r.score})));
 * ```
 */
export interface SensitivityScan {
  /** `evaluate`'s score of the model as it was, before any trial. */
  baseline: number;
  /** One row per layer and sparsity: layers in model order, sparsities in the order given. */
  rows: SensitivityRow[];
}

const NAME = 'sensitivityScan';
const OPTIONS: ReadonlyArray<keyof SensitivityScanArgs> = ['sparsities', 'method', 'layers', 'seed', 'blockShape', 'roundTo'];
const DEFAULT_SPARSITIES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * How much each layer's pruning costs (Han et al. 2015; Distiller's
 * sensitivity analysis): for each selected layer and each sparsity, prunes
 * that layer alone, one-shot from its current masks (the others untouched),
 * calls `evaluate(model)`, and restores the layer's masks exactly. The
 * model's weights and masks are as they were afterwards, also when
 * `evaluate` throws. Feed the result to {@link proposeSparsities} for
 * per-layer targets. Takes (layers × sparsities + 1) evaluations.
 *
 * @param model The model to scan.
 * @param evaluate Scores the model as it is, higher is better (accuracy, or
 *   minus the loss): a number or a promise of one. It must not change the model.
 * @param args Options; see {@link SensitivityScanArgs}.
 *
 * @example
 * ```js
 * const evaluate = (m) => tf.tidy(() => tf.metrics.categoricalAccuracy(ys, m.predict(xs)).mean().dataSync()[0]);
 * const scan = await sensitivityScan(model, evaluate, {sparsities: [0.5, 0.7, 0.9]});
 * pruneModel(model, {sparsity: proposeSparsities(scan, 0.8).sparsities});
 * ```
 */
export async function sensitivityScan(model: tfl.LayersModel, evaluate: (model: tfl.LayersModel) => number | Promise<number>,
  args: SensitivityScanArgs = {}): Promise<SensitivityScan> {
  checkLayersModel(model, NAME);
  if (typeof evaluate !== 'function') {
    throw new TypeError(`${NAME}: evaluate must be a function (model) => number or Promise<number>, higher is better; ` +
      `received ${describeValue(evaluate)}.`);
  }
  checkOptions(args, `${NAME}: options must be an object {sparsities?, method?, layers?, seed?, blockShape?, roundTo?}`);
  checkOptionNames(args, NAME, OPTIONS);
  const { method = 'weight', layers, seed, blockShape, roundTo } = args;
  const [selection, sparsities] = withErrorPrefix(NAME, () => {
    if (method === 'nm') throw new Error("method 'nm' has no sparsity to scan (its pattern sets 1 - n/m); scan 'weight', 'unit', 'random' or 'channel'.");
    checkPruningMethod(method, 'method', ['weight', 'unit', 'random', 'channel']);
    const checked = args.sparsities ?? DEFAULT_SPARSITIES;
    checkSparsities(checked);
    return [resolveSelection({ seed, blockShape, roundTo }, [method]), checked] as const;
  });
  const selected = layers === undefined ? requirePrunableLayers(model, NAME) : withErrorPrefix(NAME, () => findPrunableLayers(model, layers));
  if (method === 'channel') {
    return scanGroups(model, evaluate, selected, sparsities, { ...selection, explicit: layers !== undefined });
  }
  const baseline = await score(evaluate, model);
  const rows: SensitivityRow[] = [];
  for (const layer of selected) {
    const saved = layer.maskedWeights.map((m) => Float32Array.from(m.mask.read().dataSync()));
    const weights = saved.reduce((n, mask) => n + mask.length, 0);
    for (const sparsity of sparsities) {
      // Selected before any is set: a selection error leaves the layer as it is.
      const masks = selectLayerMasks(layer, method, sparsity, selection);
      try {
        layer.maskedWeights.forEach((m, i) => masks[i] !== null && writeMaskUnchecked(layer, m.name, masks[i]!));
        rows.push({ layer: layer.name, sparsity, score: await score(evaluate, model), weights });
      } finally {
        restoreMasks(layer, saved);
      }
    }
  }
  return { baseline, rows };
}

/**
 * The scan of `method: 'channel'`: a trial per channel group that the
 * `selected` layers make and that can be pruned, at each sparsity, its
 * masks (in every layer the group touches) restored after it.
 */
async function scanGroups(model: tfl.LayersModel, evaluate: (model: tfl.LayersModel) => number | Promise<number>,
  selected: readonly PrunableLayer[], sparsities: readonly Fraction[], selection: ChannelSelection): Promise<SensitivityScan> {
  const groups = resolveChannelGroups(model).filter((g) => g.reason === null || selection.explicit);
  const targets: Array<{ layer: PrunableLayer; weights: number }> = [];
  for (const layer of selected) {
    const group = groups.find((g) => g.producers.includes(layer));
    if (group === undefined || targets.some((t) => group.producers.includes(t.layer))) continue;
    const weights = group.plan.members.reduce((n, m, i) => (group.masked[i]
      ? n + (m.values.length / m.shape[m.axis]) * m.channelOf.filter((c) => c >= 0).length : n), 0);
    targets.push({ layer, weights });
  }
  // A selection at sparsity 0 finds every error (a named layer whose group cannot go; none at all) before any evaluation.
  withErrorPrefix(NAME, () => selectChannelMasks(model, new Map(selected.map((layer) => [layer, 0])), selection));
  const baseline = await score(evaluate, model);
  const rows: SensitivityRow[] = [];
  for (const { layer, weights } of targets) {
    for (const sparsity of sparsities) {
      const masks = selectChannelMasks(model, new Map([[layer, sparsity]]), selection);
      const saved = [...masks.keys()].map((l) => ({ layer: l, masks: l.maskedWeights.map((m) => Float32Array.from(m.mask.read().dataSync())) }));
      try {
        applyChannelMasks(masks);
        rows.push({ layer: layer.name, sparsity, score: await score(evaluate, model), weights });
      } finally {
        saved.forEach((s) => restoreMasks(s.layer, s.masks));
      }
    }
  }
  return { baseline, rows };
}

/** Writes `saved` back as the layer's masks; copies, since on cpu a mask tensor keeps the array it is given. */
function restoreMasks(layer: PrunableLayer, saved: readonly Float32Array[]): void {
  layer.maskedWeights.forEach((m, i) => writeMaskUnchecked(layer, m.name, saved[i].slice()));
}

/** `evaluate(model)`, checked to be a finite number. */
async function score(evaluate: (model: tfl.LayersModel) => number | Promise<number>, model: tfl.LayersModel): Promise<number> {
  const value: unknown = await evaluate(model);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const hint = value instanceof tf.Tensor ? ' (read a tensor with (await t.data())[0], then dispose it)' : '';
    throw new TypeError(`${NAME}: evaluate must return a finite number (higher is better) or a promise of one; ` +
      `it returned ${describeValue(value)}${hint}.`);
  }
  return value;
}

/** Throws a clear error unless `sparsities` is a non-empty array of numbers in [0, 1]. */
function checkSparsities(sparsities: unknown): asserts sparsities is readonly Fraction[] {
  if (!Array.isArray(sparsities) || sparsities.length === 0) {
    throw new TypeError(`sparsities must be a non-empty array of numbers in [0, 1]; received ${Array.isArray(sparsities) ? 'an empty array' : describeValue(sparsities)}.`);
  }
  sparsities.forEach((s, i) => checkFraction(s, `sparsities[${i}]`));
}
