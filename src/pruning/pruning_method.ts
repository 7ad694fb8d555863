/**
 * How a layer chooses what to prune:
 * - `'weight'`: the individual kernel entries of smallest magnitude |w|;
 * - `'unit'`: whole units (kernel columns) of smallest L2 norm.
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
      `received ${typeof method === 'string' ? `'${method}'` : String(method)}.`);
  }
}
