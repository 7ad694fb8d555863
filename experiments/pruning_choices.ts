import type { PruningMethod } from '../src';

// The ways the study chooses what to prune, by the names the report gives
// them, and the options of pruneModel and PruningScheduleCallback each stands for.

/** Every choice of the study. */
export const PRUNING_CHOICES = ['weight', 'unit'] as const;
export type PruningChoice = (typeof PRUNING_CHOICES)[number];

/** The selection options of a choice: the same for one-shot (`pruneModel`) and gradual (the callback) pruning. */
export interface ChoiceOptions {
  method: PruningMethod;
}

/**
 * The options `choice` passes to pruneModel or the callback; `seed` seeds random masks.
 *
 * ```ts
 * pruneModel(model, {...choiceOptions('unit', 7), sparsity: 0.5});
 * ```
 */
export function choiceOptions(choice: PruningChoice, seed: number): ChoiceOptions {
  void seed;
  return { method: choice };
}
