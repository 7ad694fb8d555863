import { checkOptions, describeValue } from '../checks';

/**
 * How a layer chooses what to prune:
 * - `'weight'`: the individual kernel entries of smallest magnitude |w|;
 * - `'unit'`: whole output units (a Dense kernel's columns, a convolution's
 *   filters) of smallest L2 norm.
 *
 * ```js
 * pruneModel(model, {method: 'unit', sparsity: 0.5});
 * ```
 */
export type PruningMethod = 'weight' | 'unit';

/**
 * Every {@link PruningMethod}, for validation and help texts.
 *
 * ```js
 * PRUNING_METHODS.includes(userInput); // true for 'weight' and 'unit'
 * ```
 */
export const PRUNING_METHODS: readonly PruningMethod[] = ['weight', 'unit'];

/** Throws a clear error unless `method` is a {@link PruningMethod}. */
export function checkPruningMethod(method: unknown, name = 'method'): asserts method is PruningMethod {
  if (!PRUNING_METHODS.includes(method as PruningMethod)) {
    throw new Error(`${name} must be one of ${PRUNING_METHODS.map((m) => `'${m}'`).join(', ')}; ` +
      `received ${describeValue(method)}.`);
  }
}

/**
 * Throws a clear error unless `methods` is an object mapping layer names to
 * {@link PruningMethod}s, as the `methods` options take them. `name` is the
 * argument's name in the messages.
 */
export function checkPruningMethods(methods: unknown, name = 'methods'): asserts methods is Readonly<Record<string, PruningMethod>> {
  checkOptions(methods, `${name} must be an object mapping layer names to 'weight' or 'unit'`);
  for (const [layer, method] of Object.entries(methods)) checkPruningMethod(method, `${name}['${layer}']`);
}
