/**
 * Channel groups, as Torch-Pruning's DependencyGraph forms them, read off
 * compaction's walk: the coupled channels of a model, each group with every
 * weight slice that must go with its channels for the model to shrink.
 *
 * The walk's union-find couples single channels (a channel and its copies
 * through channel-wise layers, the same channel of every input of an
 * `Add`). A group gathers the channels one producer makes together (a
 * layer's output units), and those of every producer coupled to them, so
 * that its channel `c` is one coupled channel across all its members.
 */

import type * as tfl from '@tensorflow/tfjs-layers';
import { ChannelGroups, Coupling } from './channels';

/** A coupling of one layer application, with the weight it names. */
export interface PlacedCoupling extends Coupling {
  layer: tfl.layers.Layer;
  /** The weight's name in its layer (`'kernel'`, `'gamma'`). */
  weightName: string;
  /** The weight as the layer computes with it (masks folded), and its shape. */
  values: Float32Array;
  shape: number[];
}

/** A weight's slices in one group: `channelOf[i]` is the group channel of index `i` on `axis`, -1 where another group's. */
export interface GroupMember extends PlacedCoupling {
  channelOf: Int32Array;
}

/** A group of coupled channels, as planned. */
export interface PlannedGroup {
  /** Its number of channels. */
  channels: number;
  members: GroupMember[];
  /** Why the model's structure keeps its channels whatever the weights, or null. */
  fixed: string | null;
  /** The channels compaction keeps. */
  kept: number;
}

/**
 * The groups of the channels `couplings` name (ids of `groups`): the
 * channels of one producer coupling and everything coupled to them are one
 * group, its channels numbered in the order producers first make them.
 * Channels no producer makes (a model input's) are in no group. Call it
 * once the walk has decided which channels go.
 */
export function formGroups(groups: ChannelGroups, couplings: readonly PlacedCoupling[]): PlannedGroup[] {
  // Union-find over coupled channels (roots of `groups`): one producer's channels are one group.
  const parent = new Map<number, number>();
  const find = (r: number): number => {
    let root = r;
    while (parent.get(root) !== root) root = parent.get(root)!;
    return root;
  };
  const producers = couplings.filter((c) => c.role === 'producer');
  for (const p of producers) {
    let first = -1;
    for (const id of p.channels) {
      const root = groups.find(id);
      if (!parent.has(root)) parent.set(root, root);
      if (first === -1) first = find(root);
      else parent.set(find(root), first);
    }
  }
  const groupOf = new Map<number, number>();
  const channelOf = new Map<number, number>();
  const planned: PlannedGroup[] = [];
  for (const p of producers) {
    for (const id of p.channels) {
      const root = groups.find(id);
      if (channelOf.has(root)) continue;
      const set = find(root);
      if (!groupOf.has(set)) {
        groupOf.set(set, planned.length);
        planned.push({ channels: 0, members: [], fixed: null, kept: 0 });
      }
      const group = planned[groupOf.get(set)!];
      channelOf.set(root, group.channels++);
      group.fixed ??= groups.whyFixed(root);
      if (!groups.removed(root)) group.kept++;
    }
  }
  for (const coupling of couplings) {
    const perGroup = new Map<number, Int32Array>();
    coupling.channels.forEach((id, i) => {
      const root = groups.find(id);
      if (!channelOf.has(root)) return;
      const g = groupOf.get(find(root))!;
      let map = perGroup.get(g);
      if (map === undefined) perGroup.set(g, (map = new Int32Array(coupling.channels.length).fill(-1)));
      map[i] = channelOf.get(root)!;
    });
    for (const [g, map] of perGroup) planned[g].members.push({ ...coupling, channelOf: map });
  }
  return planned;
}
