import { describeValue } from '../checks';
import { BlockShape, checkBlockShape } from '../masks/block_selection';
import { checkNM } from '../masks/nm_selection';
import { checkSeed, freshSeed, RandomSource, seededRandom } from '../masks/seeded_random';
import { methodList, PruningMethod } from './pruning_method';

/**
 * Where a ranking compares: `'layer'`, each layer on its own; `'global'`,
 * all the selected layers together.
 *
 * ```js
 * pruneModel(model, {sparsity: 0.9, scope: 'global'});
 * ```
 */
export type PruningScope = 'layer' | 'global';

const SCOPES: readonly PruningScope[] = ['layer', 'global'];

/**
 * The options that refine how the layers choose what to prune, shared by
 * {@link pruneModel} and {@link PruningScheduleCallback}. An option that
 * applies to none of the methods given is an error.
 *
 * ```js
 * pruneModel(model, {method: 'nm', n: 2, m: 4});
 * pruneModel(model, {sparsity: 0.9, scope: 'global', blockShape: [4, 1]});
 * ```
 */
export interface SelectionArgs {
  /**
   * `'layer'`: each layer reaches the sparsity by its own ranking (each
   * masked weight, for `'weight'` and `'random'`). `'global'`: one ranking
   * over all the selected layers' masked weights (or units, or blocks), so
   * the total count is exact over them and layers with larger weights keep
   * more; with `'unit'`, units are compared by their RMS (L2 norm divided by
   * the square root of their entry count), since norms grow with fan-in.
   * Ties go to the earlier layer (in the order of `layers`, model order by
   * default), then the earlier kernel, then the lower index. Not for `'nm'`,
   * nor with per-layer sparsities or schedules. Default: `'layer'`.
   */
  scope?: PruningScope;
  /** `'nm'`: entries kept in every group of `m`, an integer in [1, m]. Default: 2. */
  n?: number;
  /** `'nm'`: entries per group along the input axis, whose length it must divide; a positive integer. Default: 4. */
  m?: number;
  /**
   * `'random'`: an integer in [0, 2^32 - 1]; the same seed draws the same
   * masks. Default: a seed drawn from `Math.random`, new for every
   * `pruneModel` call or callback.
   */
  seed?: number;
  /**
   * `'weight'`: prune whole `[rows, cols]` blocks of each kernel's last two
   * axes (a Dense kernel's `[inputs, units]`, a Conv2D kernel's `[in,
   * filters]` at every kernel position) by their mean |w|; the sparsity is a
   * fraction of blocks, and partial blocks at the edges are ranked by the
   * mean over their actual entries. Default: none (single entries).
   */
  blockShape?: readonly [number, number];
  /**
   * `'channel'`: each channel group keeps a multiple of `roundTo` channels
   * (rounding up what it keeps), where it has at least `roundTo`: wasm's
   * SIMD kernels run fastest on channel counts that are multiples of 4 or
   * 8. A positive integer. Default: 1 (any count).
   */
  roundTo?: number;
}

/** The option names of {@link SelectionArgs}. */
export const SELECTION_OPTIONS: ReadonlyArray<keyof SelectionArgs> = ['scope', 'n', 'm', 'seed', 'blockShape', 'roundTo'];

/** {@link SelectionArgs} resolved: defaults filled in, the generator seeded. */
export interface Selection {
  readonly scope: PruningScope;
  readonly n: number;
  readonly m: number;
  readonly blockShape: BlockShape | null;
  readonly roundTo: number;
  /** What random pruning draws from: one stream per pruneModel call or callback. */
  readonly random: RandomSource;
}

/** The method each option applies to. */
const OPTION_METHOD: ReadonlyArray<[keyof SelectionArgs, PruningMethod]> = [
  ['n', 'nm'], ['m', 'nm'], ['seed', 'random'], ['blockShape', 'weight'], ['roundTo', 'channel'],
];

/**
 * Validates `args` for the `methods` in use and fills in the defaults:
 * an option that applies to none of them is an error, as is
 * scope `'global'` when every method is `'nm'`.
 */
export function resolveSelection(args: SelectionArgs, methods: readonly PruningMethod[]): Selection {
  const { scope = 'layer', n = 2, m = 4, seed, blockShape, roundTo = 1 } = args;
  if (!SCOPES.includes(scope)) {
    throw new Error(`scope must be one of ${SCOPES.map((s) => `'${s}'`).join(', ')}; received ${describeValue(scope)}.`);
  }
  for (const [option, method] of OPTION_METHOD) {
    if (args[option] !== undefined && !methods.includes(method)) {
      throw new Error(`${option} applies to method '${method}' only; the method${methods.length === 1 ? ' is' : 's are'} ` +
        `${methodList([...new Set(methods)])}.`);
    }
  }
  if (scope === 'global' && methods.every((method) => method === 'nm')) {
    throw new Error("scope 'global' does not apply to method 'nm': an N:M pattern is chosen within each group of m entries.");
  }
  checkNM(n, m);
  if (seed !== undefined) checkSeed(seed);
  if (blockShape !== undefined) checkBlockShape(blockShape);
  if (!Number.isInteger(roundTo) || roundTo < 1) {
    throw new Error(`roundTo must be a positive integer (channels kept per group come in multiples of it); received ${describeValue(roundTo)}.`);
  }
  return {
    scope, n, m, roundTo,
    blockShape: blockShape === undefined ? null : [blockShape[0], blockShape[1]],
    random: seededRandom(seed ?? freshSeed()),
  };
}
