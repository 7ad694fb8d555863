import * as tf from '@tensorflow/tfjs-core';
import { checkDimension, checkOptionNames, checkOptions, describeValue } from '../checks';
import { checkFrequency, checkSparsity, PruningSchedule } from './pruning_schedule';

/**
 * Options of {@link PolynomialDecay}.
 *
 * ```js
 * const args = {initialSparsity: 0.5, finalSparsity: 0.9, beginStep: 2000, endStep: 10000, frequency: 100};
 * ```
 */
export interface PolynomialDecayArgs {
  /** Sparsity at `beginStep`, in [0, 1). Required. */
  initialSparsity: number;
  /** Sparsity from `endStep` on, in [initialSparsity, 1): masks only grow. Required. */
  finalSparsity: number;
  /** First step that prunes, a non-negative integer. Required. */
  beginStep: number;
  /** Last step that prunes, an integer > `beginStep`. Required. */
  endStep: number;
  /** Exponent of the decay, a finite number > 0; 3 prunes fast early and slowly near the end. Default: 3. */
  power?: number;
  /** Steps between two mask updates, an integer >= 1. Default: 100. */
  frequency?: number;
}

const USAGE = '{initialSparsity, finalSparsity, beginStep, endStep, power?, frequency?}';

/**
 * Gradual pruning of Zhu & Gupta (2017), as tfmot's `PolynomialDecay`: the
 * target rises from `initialSparsity` to `finalSparsity` as
 * `final + (initial - final) · (1 - p)^power`, with
 * `p = clip((step - beginStep) / (endStep - beginStep), 0, 1)`.
 * Masks are updated every `frequency` steps from `beginStep` and at `endStep`
 * (see {@link PruningSchedule.shouldPrune}), so a training that reaches
 * `endStep` ends at exactly `finalSparsity`; after it the masks stay.
 *
 * ```js
 * const schedule = new PolynomialDecay({initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 1000});
 * schedule.sparsityAt(0);    // 0
 * schedule.sparsityAt(1000); // 0.9
 * ```
 */
export class PolynomialDecay extends PruningSchedule {
  /** The name the class is registered under for `getConfig` round trips. @nocollapse */
  static className = 'PolynomialDecay';

  /** Sparsity at `beginStep`. */
  readonly initialSparsity: number;
  /** Sparsity from `endStep` on. */
  readonly finalSparsity: number;
  /** Exponent of the decay. */
  readonly power: number;

  constructor(args: PolynomialDecayArgs) {
    checkOptions(args, `PolynomialDecay needs options ${USAGE}`);
    checkOptionNames(args, 'PolynomialDecay', ['initialSparsity', 'finalSparsity', 'beginStep', 'endStep', 'power', 'frequency']);
    const { initialSparsity, finalSparsity, beginStep, endStep, power = 3, frequency = 100 } = args;
    checkSparsity(initialSparsity, 'PolynomialDecay: initialSparsity');
    checkSparsity(finalSparsity, 'PolynomialDecay: finalSparsity');
    if (finalSparsity < initialSparsity) {
      throw new RangeError(`PolynomialDecay: finalSparsity must be >= initialSparsity (${initialSparsity}), ` +
        `since masks only grow; received ${finalSparsity}`);
    }
    checkDimension(beginStep, 'PolynomialDecay: beginStep');
    checkDimension(endStep, 'PolynomialDecay: endStep');
    if (endStep <= beginStep) {
      throw new RangeError(`PolynomialDecay: endStep must be greater than beginStep (${beginStep}); received ${endStep}`);
    }
    if (typeof power !== 'number') {
      throw new TypeError(`PolynomialDecay: power must be a finite number > 0; received ${describeValue(power)}`);
    }
    if (!(power > 0 && Number.isFinite(power))) {
      throw new RangeError(`PolynomialDecay: power must be a finite number > 0; received ${power}`);
    }
    checkFrequency(frequency, 'PolynomialDecay: frequency');
    super(beginStep, endStep, frequency);
    this.initialSparsity = initialSparsity;
    this.finalSparsity = finalSparsity;
    this.power = power;
  }

  /** `initialSparsity` up to `beginStep`, `finalSparsity` from `endStep`, the polynomial between. */
  sparsityAt(step: number): number {
    checkDimension(step, 'PolynomialDecay.sparsityAt: step');
    const p = (step - this.beginStep) / (this.endStep - this.beginStep);
    // The ends exactly, free of rounding in the formula: training must end at finalSparsity.
    if (p <= 0) return this.initialSparsity;
    if (p >= 1) return this.finalSparsity;
    return this.finalSparsity + (this.initialSparsity - this.finalSparsity) * Math.pow(1 - p, this.power);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      initialSparsity: this.initialSparsity,
      finalSparsity: this.finalSparsity,
      beginStep: this.beginStep,
      endStep: this.endStep,
      power: this.power,
      frequency: this.frequency,
    };
  }
}
tf.serialization.registerClass(PolynomialDecay);

/**
 * Creates a {@link PolynomialDecay} schedule.
 *
 * ```js
 * const schedule = polynomialDecay({initialSparsity: 0.5, finalSparsity: 0.8, beginStep: 2000, endStep: 4000});
 * ```
 */
export function polynomialDecay(args: PolynomialDecayArgs): PolynomialDecay {
  return new PolynomialDecay(args);
}
