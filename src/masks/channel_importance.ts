/**
 * The importance of a channel group's channels: an aggregate over every
 * weight slice coupled to each channel, as Torch-Pruning's
 * `GroupMagnitudeImportance` (p = 2, mean normalisation, mean reduction).
 */

import { accumulateUnitNorms, unitLayout } from './unit_layout';

/**
 * A weight's slices in a group: index `i` on `axis` belongs to the group's
 * channel `channelOf[i]` (-1: to no channel of this group).
 */
export interface ChannelSlices {
  /** The weight as the layer computes with it (masks folded in). */
  values: Float32Array;
  shape: readonly number[];
  axis: number;
  channelOf: Int32Array;
}

/**
 * Each channel's importance over `members`: per member, each channel's sum
 * of squares of its slices, divided by that member's mean over the group's
 * channels (so a wide layer and a narrow one count alike, and a member whose
 * weights are all zero counts for nothing); then the mean over the members.
 * Returns `channels` values, each >= 0 (NaN where a weight is NaN).
 *
 * ```ts
 * // A conv kernel [1, 1, 2, 3] producing the group's 3 channels, and the next layer's rows reading them:
 * channelImportance([{values: kernel, shape: [1, 1, 2, 3], axis: 3, channelOf: Int32Array.of(0, 1, 2)},
 *                    {values: dense, shape: [3, 10], axis: 0, channelOf: Int32Array.of(0, 1, 2)}], 3);
 * ```
 */
export function channelImportance(members: readonly ChannelSlices[], channels: number): Float64Array {
  const total = new Float64Array(channels);
  for (const { values, shape, axis, channelOf } of members) {
    const layout = unitLayout(shape, [axis]);
    const sums = new Float64Array(layout.units);
    accumulateUnitNorms(values, layout, undefined, sums, new Uint8Array(layout.units));
    const perChannel = new Float64Array(channels);
    for (let i = 0; i < sums.length; i++) if (channelOf[i] >= 0) perChannel[channelOf[i]] += sums[i];
    const mean = perChannel.reduce((a, b) => a + b, 0) / channels;
    if (mean === 0) continue;
    for (let c = 0; c < channels; c++) total[c] += perChannel[c] / mean;
  }
  return total.map((v) => v / Math.max(members.length, 1));
}
