import type { PruningMethod, PruningScope } from '../src';

// The ways the study chooses what to prune, by the names the report gives
// them, and the options of pruneModel and PruningScheduleCallback each stands for.

/**
 * Every choice of the study: magnitude pruning per layer and over all layers, random pruning, unit (filter)
 * pruning, and channel pruning by groups of coupled channels.
 */
export const PRUNING_CHOICES = ['weight', 'weight (global)', 'random', 'unit', 'channel'] as const;
export type PruningChoice = (typeof PRUNING_CHOICES)[number];

/** The selection options of a choice: the same for one-shot (`pruneModel`) and gradual (the callback) pruning. */
export interface ChoiceOptions {
  method: PruningMethod;
  scope?: PruningScope;
  seed?: number;
}

/**
 * The options `choice` passes to pruneModel or the callback; `seed` seeds random masks.
 *
 * ```ts
 * pruneModel(model, {...choiceOptions('random', 7), sparsity: 0.9});
 * ```
 */
export function choiceOptions(choice: PruningChoice, seed: number): ChoiceOptions {
  switch (choice) {
    case 'weight (global)':
      return { method: 'weight', scope: 'global' };
    case 'random':
      return { method: 'random', seed };
    default:
      return { method: choice };
  }
}
