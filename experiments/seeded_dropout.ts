import * as tf from '@tensorflow/tfjs';
import { seedSequence } from './random';

/** Options of {@link SeededDropout}. */
export interface SeededDropoutArgs {
  /** Fraction of the inputs to drop during training, in [0, 1). */
  rate: number;
  /** Seed of the sequence of dropout masks. */
  seed: number;
  /** Layer name. Default: generated. */
  name?: string;
}

/**
 * Dropout whose masks are reproducible and differ from batch to batch.
 * `tf.layers.dropout({seed})` does not do this: it passes the same seed to
 * every call, so every batch of a given size gets the same mask; and without a
 * seed it draws from Math.random. This layer draws a fresh seed for every
 * training call from a sequence started at `seed`.
 *
 * ```ts
 * model.add(new SeededDropout({rate: 0.5, seed: 7}));
 * ```
 */
export class SeededDropout extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'SeededDropout';

  readonly rate: number;
  readonly seed: number;
  private readonly nextSeed: () => number;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new RangeError(`SeededDropout: rate must be a number in [0, 1); received ${args.rate}.`);
    }
    this.rate = args.rate;
    this.seed = args.seed;
    this.nextSeed = seedSequence(args.seed);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(input);
    return tf.dropout(input, this.rate, undefined, this.nextSeed());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { rate: this.rate, seed: this.seed, ...super.getConfig() };
  }
}
tf.serialization.registerClass(SeededDropout);
