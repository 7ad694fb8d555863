/**
 * The channels of the tensors of a model, as compaction sees them: each
 * tensor's channel axis, and for each channel the group whose removal it
 * follows and the constant it holds if that group is removed.
 *
 * Channels that must be removed or kept together form one group: a channel
 * and its copy through a channel-wise layer (BatchNormalization, an
 * activation, pooling, a depthwise convolution's outputs of one input
 * channel), the same channel of every input of an `Add` (a dependency group,
 * as NNI's ModelSpeedup forms them), a channel and its positions after
 * `Flatten`. A group is removed when every source of it is a pruned unit of
 * a layer that can drop it, and no layer on its way vetoes it.
 */

/** Groups of channels, by union-find, with why each must be kept. */
export class ChannelGroups {
  private readonly parent: number[] = [];
  /** Per group root: why it must be kept; none: it goes. */
  private readonly vetoes = new Map<number, string[]>();
  /** Per group root: why the model's structure keeps it, whatever its weights (channel pruning cannot take it). */
  private readonly blocks = new Map<number, string>();

  /**
   * A new group; a source that is not a pruned unit keeps it, for `why`.
   * A `fixed` source (a model input, a softmax's units) keeps it whatever
   * the weights: channel pruning cannot take it.
   */
  create(pruned: boolean, why = 'its source is not a pruned unit', fixed = false): number {
    const id = this.parent.length;
    this.parent.push(id);
    if (!pruned) this.vetoes.set(id, [why]);
    if (fixed) this.blocks.set(id, why);
    return id;
  }

  /** The number of channels created: ids are 0 to `size - 1`. */
  get size(): number {
    return this.parent.length;
  }

  /** The group's representative. */
  find(id: number): number {
    let root = id;
    while (this.parent[root] !== root) root = this.parent[root];
    // Path compression keeps later finds short.
    for (let at = id; this.parent[at] !== root;) [at, this.parent[at]] = [this.parent[at], root];
    return root;
  }

  /** Makes `a` and `b` one group: it goes only if both could. */
  union(a: number, b: number): number {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return ra;
    this.parent[rb] = ra;
    const reasons = [...(this.vetoes.get(ra) ?? []), ...(this.vetoes.get(rb) ?? [])];
    if (reasons.length > 0) this.vetoes.set(ra, reasons);
    this.vetoes.delete(rb);
    const block = this.blocks.get(ra) ?? this.blocks.get(rb);
    if (block !== undefined) this.blocks.set(ra, block);
    this.blocks.delete(rb);
    return ra;
  }

  /**
   * Keeps group `id`, for `reason` (the first reason is the one reported);
   * `fixed`: a reason of the model's structure, which no pruning changes.
   */
  veto(id: number, reason: string, fixed = false): void {
    const root = this.find(id);
    const reasons = this.vetoes.get(root) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    this.vetoes.set(root, reasons);
    if (fixed && !this.blocks.has(root)) this.blocks.set(root, reason);
  }

  /** Why the model's structure keeps group `id` whatever its weights, or null when channel pruning can take it. */
  whyFixed(id: number): string | null {
    return this.blocks.get(this.find(id)) ?? null;
  }

  /** Whether group `id` goes: every source a pruned unit, no layer on its way keeping it. */
  removed(id: number): boolean {
    return !this.vetoes.has(this.find(id));
  }

  /** Why group `id` stays, or null when it goes. */
  whyKept(id: number): string | null {
    return this.vetoes.get(this.find(id))?.[0] ?? null;
  }
}

/**
 * The channels of one tensor: its channel axis (in the shape with the batch
 * axis), and per channel its group and the constant it holds when its group
 * is removed (NaN: not a constant).
 */
export interface TensorChannels {
  /** The tensor's shape, batch axis first (null where unknown). */
  shape: ReadonlyArray<number | null>;
  /** The channel axis, non-negative. */
  axis: number;
  groups: Int32Array;
  constants: Float64Array;
  /** For a layer's own output units: which are pruned (their kernel entries all zero). */
  pruned?: Uint8Array;
}

/** The number of channels of `t`. */
export function channelCount(t: TensorChannels): number {
  return t.groups.length;
}

/** A tensor of `shape` whose channels, on `axis`, are each a new group of `groups`. */
export function freshChannels(shape: ReadonlyArray<number | null>, axis: number, groups: ChannelGroups,
  source: (channel: number) => { pruned: boolean; constant: number; why?: string; fixed?: boolean }): TensorChannels {
  const count = shape[axis] ?? 0;
  const t: TensorChannels = { shape, axis, groups: new Int32Array(count), constants: new Float64Array(count) };
  for (let c = 0; c < count; c++) {
    const { pruned, constant, why, fixed } = source(c);
    t.groups[c] = groups.create(pruned, why, fixed);
    t.constants[c] = constant;
  }
  return t;
}

/** `t` on a tensor of another shape and axis, each channel's constant mapped by `f` (same groups). */
export function mapConstants(t: TensorChannels, shape: ReadonlyArray<number | null>, axis: number,
  f: (constant: number, channel: number) => number): TensorChannels {
  return { shape, axis, groups: t.groups, constants: t.constants.map((k, c) => f(k, c)) };
}

/** The channel axis of a layer's `dataFormat` in a tensor of `rank` (channelsFirst: 1, else the last). */
export function channelAxisOf(dataFormat: unknown, rank: number): number {
  return dataFormat === 'channelsFirst' ? 1 : rank - 1;
}

/**
 * What a weight's slice is to its channel: the `'producer'` makes it (a
 * kernel's output units), a `'consumer'` reads it (a kernel's input
 * channels), a `'follower'` holds a value per channel on its way (a bias,
 * BatchNormalization's and PReLU's weights, a depthwise kernel's channels).
 *
 * ```js
 * const readers = channelGroups(model)[0].members.filter((m) => m.role === 'consumer').map((m) => m.layer);
 * ```
 */
export type CouplingRole = 'producer' | 'consumer' | 'follower';

/**
 * A weight of one layer application whose entries along `axis` follow
 * channels: index `i` on that axis belongs to channel id `channels[i]`
 * (as created, before unions), the weight's values as the layer computes
 * with them.
 */
export interface Coupling {
  /** The weight's index in the layer's plain class order. */
  weight: number;
  axis: number;
  role: CouplingRole;
  channels: Int32Array;
}
