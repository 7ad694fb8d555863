import { checkOptions, describeValue } from '../checks';

/**
 * How a layer chooses what to prune:
 * - `'weight'`: the individual kernel entries of smallest magnitude |w|
 *   (with `blockShape`, whole blocks of smallest mean |w|);
 * - `'unit'`: whole output units (a Dense kernel's columns, a convolution's
 *   filters) of smallest L2 norm;
 * - `'nm'`: N:M sparsity, the `n` entries of largest |w| kept in every `m`
 *   consecutive entries along the input axis (sparsity `1 - n/m`);
 * - `'random'`: entries drawn uniformly at random, the baseline the others
 *   must beat;
 * - `'channel'`: whole channels of channel groups (see `channelGroups`):
 *   each channel with every slice coupled to it, in the layer that makes it,
 *   the layers it passes through and those that read it, ranked by an
 *   importance over all of them, so that `compactUnits` removes every
 *   pruned channel.
 *
 * ```js
 * pruneModel(model, {method: 'unit', sparsity: 0.5});
 * pruneModel(model, {method: 'channel', sparsity: 0.5, roundTo: 4});
 * ```
 */
export type PruningMethod = 'weight' | 'unit' | 'nm' | 'random' | 'channel';

/**
 * Every {@link PruningMethod}, for validation and help texts.
 *
 * ```js
 * PRUNING_METHODS.includes(userInput); // true for 'weight', 'unit', 'nm', 'random' and 'channel'
 * ```
 */
export const PRUNING_METHODS: readonly PruningMethod[] = ['weight', 'unit', 'nm', 'random', 'channel'];

/** The methods as a message lists them: `'weight', 'unit', 'nm', 'random'`. */
export function methodList(methods: readonly string[] = PRUNING_METHODS): string {
  return methods.map((m) => `'${m}'`).join(', ');
}

/**
 * The methods that remove whole units (or channels): on a model's output
 * layers they would remove outputs, so they leave those alone unless named.
 */
const UNIT_METHODS: readonly string[] = ['unit', 'channel'];

/** Whether `method` removes whole units, so that it leaves a model's output layers alone unless they are named. */
export function removesUnits(method: PruningMethod): boolean {
  return UNIT_METHODS.includes(method);
}

/** Throws a clear error unless `method` is one of `allowed` (default: every {@link PruningMethod}). */
export function checkPruningMethod(method: unknown, name = 'method',
  allowed: readonly PruningMethod[] = PRUNING_METHODS): asserts method is PruningMethod {
  if (!allowed.includes(method as PruningMethod)) {
    throw new Error(`${name} must be one of ${methodList(allowed)}; received ${describeValue(method)}.`);
  }
}

/**
 * Throws a clear error unless `methods` is an object mapping layer names to
 * {@link PruningMethod}s, as the `methods` options take them. `name` is the
 * argument's name in the messages.
 */
export function checkPruningMethods(methods: unknown, name = 'methods'): asserts methods is Readonly<Record<string, PruningMethod>> {
  checkOptions(methods, `${name} must be an object mapping layer names to methods (${methodList()})`);
  for (const [layer, method] of Object.entries(methods)) checkPruningMethod(method, `${name}['${layer}']`);
}
