import * as tf from '@tensorflow/tfjs-core';
import { checkDimension, checkOptionNames, checkOptions, describeValue } from '../checks';
import { checkFrequency, checkSparsity, PruningSchedule } from './pruning_schedule';

/**
 * Options of {@link ConstantSparsity}.
 *
 * ```js
 * const args = {targetSparsity: 0.8, beginStep: 1000, frequency: 50}; // prunes to 80% every 50 steps from step 1000
 * ```
 */
export interface ConstantSparsityArgs {
  /** The sparsity every mask update targets, in [0, 1). Required. */
  targetSparsity: number;
  /** First step that prunes, a non-negative integer. Default: 0. */
  beginStep?: number;
  /** Last step that prunes, an integer >= `beginStep`, or -1 to prune until training ends. Default: -1. */
  endStep?: number;
  /** Steps between two mask updates, an integer >= 1. Default: 100. */
  frequency?: number;
}

const USAGE = '{targetSparsity, beginStep?, endStep?, frequency?}';

/**
 * Prunes to the same `targetSparsity` at every update step, as tfmot's
 * `ConstantSparsity`. Masks only grow, so after the first update the later
 * ones keep the mask unless it was pruned less (e.g. a reloaded model).
 *
 * ```js
 * const schedule = new ConstantSparsity({targetSparsity: 0.5, beginStep: 2000, frequency: 100});
 * schedule.shouldPrune(2100); // true
 * schedule.sparsityAt(2100);  // 0.5
 * ```
 */
export class ConstantSparsity extends PruningSchedule {
  /** The name the class is registered under for `getConfig` round trips. @nocollapse */
  static className = 'ConstantSparsity';

  /** The sparsity every update targets. */
  readonly targetSparsity: number;

  constructor(args: ConstantSparsityArgs) {
    checkOptions(args, `ConstantSparsity needs options ${USAGE}`);
    checkOptionNames(args, 'ConstantSparsity', ['targetSparsity', 'beginStep', 'endStep', 'frequency']);
    const { targetSparsity, beginStep = 0, endStep = -1, frequency = 100 } = args;
    checkSparsity(targetSparsity, 'ConstantSparsity: targetSparsity');
    checkDimension(beginStep, 'ConstantSparsity: beginStep');
    if (endStep !== -1 && !(Number.isInteger(endStep) && endStep >= beginStep)) {
      const message = `ConstantSparsity: endStep must be -1 (no end) or an integer >= beginStep (${beginStep}); received `;
      if (typeof endStep !== 'number') throw new TypeError(message + describeValue(endStep));
      throw new RangeError(message + endStep);
    }
    checkFrequency(frequency, 'ConstantSparsity: frequency');
    super(beginStep, endStep, frequency);
    this.targetSparsity = targetSparsity;
  }

  /** `targetSparsity`, whatever the step. */
  sparsityAt(step: number): number {
    checkDimension(step, 'ConstantSparsity.sparsityAt: step');
    return this.targetSparsity;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      targetSparsity: this.targetSparsity,
      beginStep: this.beginStep,
      endStep: this.endStep,
      frequency: this.frequency,
    };
  }
}
tf.serialization.registerClass(ConstantSparsity);

/**
 * Creates a {@link ConstantSparsity} schedule.
 *
 * ```js
 * const schedule = constantSparsity({targetSparsity: 0.8});
 * ```
 */
export function constantSparsity(args: ConstantSparsityArgs): ConstantSparsity {
  return new ConstantSparsity(args);
}
