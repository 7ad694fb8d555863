/**
 * The importance of a channel group's channels: an aggregate over every
 * weight slice coupled to each channel, after Torch-Pruning's
 * `GroupMagnitudeImportance` (p = 2, mean reduction), with one change of
 * ours: each member is normalised by its own mean before the reduction
 * (Torch-Pruning normalises the reduced sum once), so that a wide layer's
 * slices do not outweigh a narrow one's.
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
 * channels (so a wide layer and a narrow one count alike); then the mean
 * over the members whose slices are not all zero. Returns `channels` values,
 * each >= 0; throws a RangeError naming the member (`names[i]`, default
 * `member i`) whose weights hold NaN or Infinity.
 *
 * ```ts
 * // A conv kernel [1, 1, 2, 3] producing the group's 3 channels, and the next layer's rows reading them:
 * channelImportance([{values: kernel, shape: [1, 1, 2, 3], axis: 3, channelOf: Int32Array.of(0, 1, 2)},
 *                    {values: dense, shape: [3, 10], axis: 0, channelOf: Int32Array.of(0, 1, 2)}], 3);
 * ```
 */
export function channelImportance(members: readonly ChannelSlices[], channels: number,
  names: readonly string[] = members.map((_, i) => `member ${i}`)): Float64Array {
  const total = new Float64Array(channels);
  let counted = 0;
  members.forEach(({ values, shape, axis, channelOf }, m) => {
    const layout = unitLayout(shape, [axis]);
    const sums = new Float64Array(layout.units);
    if (accumulateUnitNorms(values, layout, undefined, sums, new Uint8Array(layout.units)) !== 0) {
      throw new RangeError(`${names[m]} holds NaN or Infinity: its channels cannot be ranked.`);
    }
    const perChannel = new Float64Array(channels);
    for (let i = 0; i < sums.length; i++) if (channelOf[i] >= 0) perChannel[channelOf[i]] += sums[i];
    const mean = perChannel.reduce((a, b) => a + b, 0) / channels;
    if (mean === 0) return;
    counted++;
    for (let c = 0; c < channels; c++) total[c] += perChannel[c] / mean;
  });
  return counted === 0 ? total : total.map((v) => v / counted);
}
