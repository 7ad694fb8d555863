/**
 * Which channels of channel groups to prune, from their importance: pure
 * functions over typed arrays, as the other selections.
 */

/** One group to rank: its channels' importance, which are still live (1) or already pruned (0), and how far to prune it. */
export interface GroupRanking {
  importance: Float64Array;
  live: Uint8Array;
  /** The fraction of its channels to remove, in [0, 1]. */
  sparsity: number;
}

/**
 * The channels to keep in a group of `channels` after `pruned` go, rounded
 * up to a multiple of `roundTo` where the group has at least `roundTo`
 * channels (as Torch-Pruning's `round_to`), never below 1, nor above the
 * `live` ones.
 */
export function keptChannelCount(channels: number, pruned: number, roundTo: number, live: number): number {
  let kept = channels - pruned;
  if (roundTo > 1 && channels >= roundTo) kept = Math.ceil(kept / roundTo) * roundTo;
  return Math.min(Math.max(kept, 1), live);
}

/** The indices of the live channels of `g`, least important first (ties: the lower index first). */
function liveOrder(g: GroupRanking): number[] {
  const order: number[] = [];
  g.live.forEach((l, c) => l === 1 && order.push(c));
  return order.sort((a, b) => g.importance[a] - g.importance[b] || a - b);
}

/** Keep flags for `g` that keep its `kept` most important live channels. */
function keepMost(g: GroupRanking, order: readonly number[], kept: number): Uint8Array {
  const keep = new Uint8Array(g.live.length);
  for (let i = order.length - kept; i < order.length; i++) keep[order[i]] = 1;
  return keep;
}

/**
 * Per group, which channels to keep (1) or prune (0). Scope `'layer'`: each
 * group loses `round(sparsity · channels)` of its channels (or all it
 * already lost, if more), the least important. Scope `'global'`: one
 * ranking over every group's live channels, all of one sparsity, removing
 * that fraction of all their channels together. Either way, a group keeps
 * at least one channel and, with `roundTo`, a multiple of it (see
 * {@link keptChannelCount}); what is already pruned stays pruned.
 *
 * ```ts
 * selectGroupChannels([{importance: Float64Array.of(3, 1, 2, 4), live: Uint8Array.of(1, 1, 1, 1), sparsity: 0.5}], 'layer', 1);
 * // [Uint8Array [1, 0, 0, 1]]
 * ```
 */
export function selectGroupChannels(groups: readonly GroupRanking[], scope: 'layer' | 'global', roundTo: number): Uint8Array[] {
  const orders = groups.map(liveOrder);
  const liveCounts = orders.map((o) => o.length);
  if (scope === 'layer') {
    return groups.map((g, i) => {
      const channels = g.live.length;
      const pruned = Math.max(Math.round(g.sparsity * channels), channels - liveCounts[i]);
      return keepMost(g, orders[i], keptChannelCount(channels, pruned, roundTo, liveCounts[i]));
    });
  }
  const channels = groups.reduce((n, g) => n + g.live.length, 0);
  const target = Math.round((groups[0]?.sparsity ?? 0) * channels);
  // Every live channel but each group's most important one, least important first across groups.
  const candidates: Array<{ group: number; rank: number }> = [];
  orders.forEach((order, group) => order.slice(0, -1).forEach((_, rank) => candidates.push({ group, rank })));
  const importanceOf = ({ group, rank }: { group: number; rank: number }) => groups[group].importance[orders[group][rank]];
  candidates.sort((a, b) => importanceOf(a) - importanceOf(b) || a.group - b.group || a.rank - b.rank);
  const prunedPer = groups.map((g, i) => g.live.length - liveCounts[i]);
  let pruned = prunedPer.reduce((n, p) => n + p, 0);
  // Ranks within a group come in order, so counting per group prunes each group's least important first.
  for (const { group } of candidates) {
    if (pruned >= target) break;
    prunedPer[group]++;
    pruned++;
  }
  return groups.map((g, i) => keepMost(g, orders[i], keptChannelCount(g.live.length, prunedPer[i], roundTo, liveCounts[i])));
}
