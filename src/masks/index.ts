/**
 * Mask selection for pruning: pure functions over typed arrays and a tensor
 * API on top. The argument checks (`../checks`) and the order statistic
 * (`./quickselect`) are internal.
 *
 * @example
 * ```ts
 * import { magnitudeMask, unitPruning } from 'tfjs-prune';
 * const mask = magnitudeMask(kernel, 0.9); // float32 0/1 tensor, 90% zeros
 * ```
 */
export { prunedCount, selectMagnitudeMask, selectUnitMask } from './mask_selection';
export { selectBlockMask } from './block_selection';
export { selectNMMask } from './nm_selection';
export { selectRandomMask } from './random_selection';
export { magnitudeMask, unitMask, unitPruning, weightPruning } from './pruning_ops';
export type { UnitLayout } from './unit_layout';
