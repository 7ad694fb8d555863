import * as tf from '@tensorflow/tfjs-core';
import { checkDimension, describeValue } from '../checks';

/**
 * When and how far to prune during training, as tfmot's `PruningSchedule`:
 * at training step `step` (the number of optimizer updates done so far) the
 * masks are raised to {@link sparsityAt}`(step)` if {@link shouldPrune}`(step)`.
 *
 * Subclasses are `tf.serialization.Serializable` and registered with
 * `tf.serialization.registerClass`, so `getConfig()` and
 * {@link scheduleFromConfig} store and rebuild them.
 *
 * ```js
 * const schedule = new PolynomialDecay({initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 1000});
 * schedule.shouldPrune(200); // true: 200 is a multiple of the default frequency 100
 * schedule.sparsityAt(500);  // 0.7875 = 0.9 - 0.9 · (1 - 0.5)^3
 * ```
 */
export abstract class PruningSchedule extends tf.serialization.Serializable {
  /** First step that prunes. */
  readonly beginStep: number;
  /** Last step that prunes, or -1 for no end (only {@link ConstantSparsity}). */
  readonly endStep: number;
  /** Number of steps between two mask updates. */
  readonly frequency: number;

  protected constructor(beginStep: number, endStep: number, frequency: number) {
    super();
    this.beginStep = beginStep;
    this.endStep = endStep;
    this.frequency = frequency;
  }

  /** The target sparsity at `step`, in [0, 1). */
  abstract sparsityAt(step: number): number;

  /**
   * Whether the masks are updated at `step`: when
   * `beginStep <= step <= endStep` (any `step >= beginStep` if `endStep` is -1)
   * and `(step - beginStep) % frequency == 0`, as in tfmot, and also at
   * `step == endStep` even when `endStep - beginStep` is not a multiple of
   * `frequency`, so that training that reaches `endStep` always ends at
   * exactly the final sparsity (tfmot would stop at the last multiple).
   */
  shouldPrune(step: number): boolean {
    checkDimension(step, `${this.getClassName()}.shouldPrune: step`);
    if (step < this.beginStep) return false;
    if (this.endStep >= 0 && step > this.endStep) return false;
    return (step - this.beginStep) % this.frequency === 0 || step === this.endStep;
  }
}

/**
 * Rebuilds a schedule from its class name and `getConfig()`, e.g. as stored in
 * a model's `userDefinedMetadata`. The class must be a registered
 * {@link PruningSchedule}; the config is validated like constructor options.
 *
 * ```js
 * const copy = scheduleFromConfig(schedule.getClassName(), schedule.getConfig());
 * ```
 */
export function scheduleFromConfig(className: string, config: tf.serialization.ConfigDict): PruningSchedule {
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  const entry = Object.prototype.hasOwnProperty.call(registry, className) ? registry[className] : undefined;
  if (entry == null || !(entry[0].prototype instanceof PruningSchedule)) {
    const known = Object.keys(registry).filter((name) => registry[name][0].prototype instanceof PruningSchedule);
    throw new Error(`className must name a registered pruning schedule (${known.map((n) => `'${n}'`).join(', ')}); ` +
      `received ${describeValue(className)}.`);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as PruningSchedule;
}

// Validation shared by the schedules. Each message names the argument (with
// its class), what is allowed and what was received.

/** Asserts a sparsity in [0, 1): a layer with every weight pruned would output only its bias. */
export function checkSparsity(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number in [0, 1); received ${describeValue(value)}`);
  }
  if (!(value >= 0 && value < 1)) {
    throw new RangeError(`${name} must be a number in [0, 1); received ${value}`);
  }
}

/** Asserts a frequency: an integer >= 1. */
export function checkFrequency(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be an integer >= 1; received ${describeValue(value)}`);
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be an integer >= 1; received ${value}`);
}
