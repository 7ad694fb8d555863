import type * as tfl from '@tensorflow/tfjs-layers';
import { PrunableLayer, writeMaskUnchecked } from '../layers/prunable_layer';
import { ChannelSlices, channelImportance } from '../masks/channel_importance';
import { GroupRanking, selectGroupChannels } from '../masks/channel_selection';
import { unitLayout, writeKeptUnits } from '../masks/unit_layout';
import { NamedTensor, readFloat32 } from '../ops/float32_data';
import { ResolvedGroup, resolveChannelGroups } from './channel_groups';
import { LayerPruningReport, layerPruningReport, LayerTarget, pruneLayers } from './prune_layer';
import type { PruningScope, Selection } from './selection_options';

/** Per prunable layer and masked weight name, what to keep (1) and remove (0) of each entry. */
export type ChannelMasks = Map<PrunableLayer, Map<string, Float32Array>>;

/** How channel pruning ranks: checked values from the options. */
export interface ChannelSelection {
  scope: PruningScope;
  /** Each group keeps a multiple of it (see keptChannelCount); 1: any count. */
  roundTo: number;
  /**
   * Whether the caller named the target layers: then a target whose group
   * cannot be pruned is an error; else such groups are left alone.
   */
  explicit: boolean;
}

const label = (layer: PrunableLayer) => `'${layer.name}'`;

/**
 * What `method: 'channel'` removes: per channel group one of `targets`
 * produces (each at its producer's sparsity), its least important channels
 * (importance over every coupled slice: ../masks/channel_importance), and
 * so every masked slice of them, in producers and readers alike. Changes
 * no layer. Throws for a group of two sparsities, a named target whose
 * group cannot be pruned, and a model where no targeted group can be.
 */
export function selectChannelMasks(model: tfl.LayersModel, targets: ReadonlyMap<PrunableLayer, number>,
  selection: ChannelSelection): ChannelMasks {
  const chosen: Array<{ group: ResolvedGroup; sparsity: number }> = [];
  const refused: string[] = [];
  for (const group of resolveChannelGroups(model)) {
    const targeted = group.producers.filter((p) => targets.has(p));
    if (targeted.length === 0) continue;
    const sparsities = [...new Set(targeted.map((p) => targets.get(p)!))];
    if (group.reason !== null) {
      if (selection.explicit) {
        throw new Error(`method 'channel' cannot prune the channels of ${targeted.map(label).join(', ')}: ${group.reason}.`);
      }
      refused.push(`${targeted.map(label).join(', ')}: ${group.reason}`);
      continue;
    }
    if (sparsities.length > 1) {
      throw new Error(`method 'channel': ${targeted.map(label).join(', ')} make one channel group (their channels meet ` +
        `at an Add or the like) and must share one sparsity; received ${targeted.map((p) => `${targets.get(p)} for ${label(p)}`).join(', ')}.`);
    }
    chosen.push({ group, sparsity: sparsities[0] });
  }
  if (chosen.length === 0) {
    throw new Error(`method 'channel': no channel group of the selected layers can be pruned${refused.length > 0
      ? ` (${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '; ...' : ''})` : ''}; channelGroups(model) lists the groups and why.`);
  }
  if (selection.scope === 'global' && new Set(chosen.map((c) => c.sparsity)).size > 1) {
    throw new Error("scope 'global' ranks the channels of all the selected groups to one sparsity; their layers have several.");
  }
  const rankings: GroupRanking[] = chosen.map(({ group, sparsity }) => {
    const slices: ChannelSlices[] = group.plan.members.filter((m, i) => group.masked[i] || m.weightName === 'gamma');
    return { importance: channelImportance(slices, group.plan.channels), live: group.live, sparsity };
  });
  const keeps = selectGroupChannels(rankings, selection.scope, selection.roundTo);
  const masks: ChannelMasks = new Map();
  chosen.forEach(({ group }, g) => group.plan.members.forEach((m, i) => {
    if (!group.masked[i]) return;
    const layer = m.layer as PrunableLayer;
    const perWeight = masks.get(layer) ?? new Map<string, Float32Array>();
    masks.set(layer, perWeight);
    const layout = unitLayout(m.shape, [m.axis]);
    const keepIndex = Float32Array.from(m.channelOf, (c) => (c < 0 ? 1 : keeps[g][c]));
    const previous = perWeight.get(m.weightName);
    const out = new Float32Array(m.values.length);
    writeKeptUnits(out, layout, keepIndex, previous);
    perWeight.set(m.weightName, out);
  }));
  return masks;
}

/** Multiplies each layer's masks by what `masks` keeps; returns the layers changed, in `masks`' order. */
export function applyChannelMasks(masks: ChannelMasks): PrunableLayer[] {
  for (const [layer, perWeight] of masks) {
    const weights = layer.maskedWeights.filter((m) => perWeight.has(m.name));
    const inputs: NamedTensor[] = weights.map((m) => ({ tensor: m.mask.read(), name: `${m.name} mask` }));
    const products = readFloat32(inputs, (...current) => current.map((mask, i) => {
      const keep = perWeight.get(weights[i].name)!;
      return Float32Array.from(mask, (v, j) => v * keep[j]);
    }));
    weights.forEach((m, i) => writeMaskUnchecked(layer, m.name, products[i]));
  }
  return [...masks.keys()];
}

/**
 * {@link pruneLayers} for targets of any method, those of `'channel'`
 * pruned by their channel groups in `model` (`explicit`: see
 * {@link ChannelSelection}); every mask is selected before any is set.
 * Returns a report per layer whose masks it set (a group's readers too).
 */
export function pruneTargets(model: tfl.LayersModel, targets: readonly LayerTarget[], selection: Selection,
  explicit: boolean): LayerPruningReport[] {
  const byChannel = targets.filter((t) => t.method === 'channel');
  const masks = byChannel.length === 0 ? null
    : selectChannelMasks(model, new Map(byChannel.map((t) => [t.layer, t.sparsity])), { ...selection, explicit });
  const reports = pruneLayers(targets.filter((t) => t.method !== 'channel'), selection);
  if (masks === null) return reports;
  const changed = applyChannelMasks(masks);
  return [...reports.filter((r) => !changed.some((layer) => layer.name === r.layer)), ...changed.map(layerPruningReport)];
}
