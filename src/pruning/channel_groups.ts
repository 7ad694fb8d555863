import type * as tfl from '@tensorflow/tfjs-layers';
import type { PrunableLayer } from '../layers/prunable_layer';
import { isPrunableLayer } from '../layers/registry';
import { nonzeroPerUnit, unitLayout } from '../masks/unit_layout';
import { checkLayersModel } from '../model/model_checks';
import type { CouplingRole } from '../transforms/compaction/channels';
import { GroupMember, PlannedGroup } from '../transforms/compaction/groups';
import { planCompaction } from '../transforms/compaction/plan';

export type { CouplingRole };

/**
 * One weight's part in a channel group: the slices of `weight` along `axis`
 * that follow the group's channels.
 *
 * ```js
 * // {layer: 'conv1', weight: 'kernel', axis: 3, role: 'producer', masked: true, indices: [0, 1, ...], channels: [0, 1, ...]}
 * ```
 */
export interface ChannelGroupMember {
  /** The layer's name. */
  layer: string;
  /** The weight's name in its layer: `'kernel'`, `'bias'`, `'gamma'`, `'depthwise_kernel'`... */
  weight: string;
  /** The weight's axis that indexes the channels. */
  axis: number;
  /**
   * `'producer'`: the layer's output units make the channels; `'consumer'`:
   * the layer reads them (a kernel's input channels, a Dense layer's rows
   * after Flatten or global pooling); `'follower'`: a value per channel on
   * the way (a bias, BatchNormalization's and PReLU's weights, a depthwise
   * kernel's channels), which compaction removes with the channel.
   */
  role: CouplingRole;
  /** Whether `method: 'channel'` masks these slices (a prunable layer's masked weight). */
  masked: boolean;
  /** The indices on `axis` that belong to the group (after Flatten, every position of each channel). */
  indices: number[];
  /** The group channel of each of `indices`. */
  channels: number[];
}

/**
 * A group of coupled channels: channel `c` of every member must go
 * together for the model to shrink.
 *
 * ```js
 * const [group] = channelGroups(model); // {channels: 16, producers: ['conv1'], prunable: true, ...}
 * ```
 */
export interface ChannelGroup {
  /** Its number of channels. */
  channels: number;
  /** The channels already pruned: every producer's slices of them are zero. */
  prunedChannels: number;
  /** The layers whose output units make the channels (more than one across an `Add`). */
  producers: string[];
  /** Every weight slice coupled to the channels, in the order of the model's graph. */
  members: ChannelGroupMember[];
  /** Whether `method: 'channel'` can prune it. */
  prunable: boolean;
  /** Why it cannot, or null. */
  reason: string | null;
}

/** A planned group with what channel pruning needs: live channels, prunability, the masked members. */
export interface ResolvedGroup {
  plan: PlannedGroup;
  producers: PrunableLayer[];
  live: Uint8Array;
  reason: string | null;
  /** Whether member `i` of `plan.members` carries a mask channel pruning writes. */
  masked: boolean[];
}

/** Whether channel pruning writes a mask on `member`: a masked weight of a prunable layer. */
function isMasked(member: GroupMember): boolean {
  const { layer } = member;
  return isPrunableLayer(layer) && layer.maskedWeights.some((m) => m.name === member.weightName);
}

/** The channels of `group` that are live: some producer slice of them is not zero. */
function liveChannels(group: PlannedGroup): Uint8Array {
  const live = new Uint8Array(group.channels);
  for (const { role, values, shape, axis, channelOf } of group.members) {
    if (role !== 'producer') continue;
    nonzeroPerUnit(values, unitLayout(shape, [axis])).forEach((n, i) => {
      if (n > 0 && channelOf[i] >= 0) live[channelOf[i]] = 1;
    });
  }
  return live;
}

/** The channel groups of `model` (and of its nested models), resolved for channel pruning. */
export function resolveChannelGroups(model: tfl.LayersModel): ResolvedGroup[] {
  return planCompaction(model).groups.map((plan) => {
    const masked = plan.members.map(isMasked);
    const unmaskable = plan.members.find((m, i) => m.role !== 'follower' && !masked[i]);
    const reason = plan.fixed ?? (unmaskable === undefined ? null
      : `'${unmaskable.layer.name}' is a ${unmaskable.layer.getClassName()}, not a prunable layer (makePrunable converts it)`);
    return { plan, producers: plan.producers.filter(isPrunableLayer), live: liveChannels(plan), reason, masked };
  });
}

/**
 * The channel groups of `model`, as Torch-Pruning's DependencyGraph forms
 * them: each group is a set of channels that must go together for the model
 * to shrink, with every weight slice coupled to them. A group holds a
 * layer's output units (Dense units, convolution filters), the per-channel
 * weights on their way (biases, BatchNormalization, PReLU, a
 * DepthwiseConv2D's channels and what they feed) and the input slices of
 * every layer that reads them (the next convolutions' input channels, a
 * Dense layer's rows after Flatten or global pooling). At an `Add`,
 * `Multiply`, `Average`, `Maximum` or `Minimum`, channel `c` of every
 * branch is one channel of one group (so a residual stream through a chain
 * of blocks is one group); `Concatenate` places each input's channels at
 * their offset. Channels that reach a layer the walk cannot follow
 * (a Reshape that mixes axes, Permute, a custom layer, a layer applied
 * twice), an output of the model, or that a softmax mixes, cannot be
 * pruned: `reason` says why.
 *
 * This is the graph {@link compactUnits} walks, so the two always agree:
 * what `method: 'channel'` prunes, compaction removes.
 *
 * ```js
 * for (const g of channelGroups(model)) {
 *   console.log(g.producers.join('+'), g.channels, g.prunable ? 'prunable' : g.reason);
 * }
 * ```
 */
export function channelGroups(model: tfl.LayersModel): ChannelGroup[] {
  checkLayersModel(model, 'channelGroups');
  return resolveChannelGroups(model).map(({ plan, live, reason, masked }) => ({
    channels: plan.channels,
    prunedChannels: live.reduce((n, l) => n + (l === 0 ? 1 : 0), 0),
    producers: plan.producers.map((layer) => layer.name),
    members: plan.members.map((m, i) => {
      const indices: number[] = [];
      const channels: number[] = [];
      m.channelOf.forEach((c, index) => c >= 0 && (indices.push(index), channels.push(c)));
      return { layer: m.layer.name, weight: m.weightName, axis: m.axis, role: m.role, masked: masked[i], indices, channels };
    }),
    prunable: reason === null,
    reason,
  }));
}
