import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation } from '@tensorflow/tfjs-layers/dist/activations';
import type { Constraint } from '@tensorflow/tfjs-layers/dist/constraints';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import type { DenseLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core';
import type { Regularizer } from '@tensorflow/tfjs-layers/dist/regularizers';

/** The options of `tf.layers.dense` that are Dense's own (not the base layer's). */
const DENSE_OPTION_KEYS = [
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
  'activityRegularizer',
  'kernelConstraint',
  'biasConstraint',
] as const;

/** Dense's options resolved to the objects Dense itself would use. */
export interface DenseOptions {
  units: number;
  activation: Activation;
  useBias: boolean;
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
  activityRegularizer: Regularizer | null;
  kernelConstraint: Constraint | null;
  biasConstraint: Constraint | null;
  /** The options as Dense serializes them in `getConfig()`. */
  config: tf.serialization.ConfigDict;
}

/**
 * Resolves `tf.layers.dense` options exactly as Dense does, through public API
 * only: a Dense that is never built parses and validates the identifiers and
 * applies the defaults, its `getConfig()` gives their canonical serialized
 * form, and the serialization registry turns that form back into objects.
 * Objects the caller passed (an `Initializer` instance, say) are kept as they are.
 */
export function resolveDenseOptions(args: DenseLayerArgs): DenseOptions {
  // TF.js deserialization writes into the option dicts it is given, so Dense
  // gets copies; a fixed name keeps it from consuming an auto-generated name.
  const copies: Record<string, unknown> = { ...args, name: 'prunable_dense_options' };
  for (const key of DENSE_OPTION_KEYS) {
    const value = copies[key];
    if (isPlainObject(value)) copies[key] = JSON.parse(JSON.stringify(value));
  }
  const denseConfig = tfl.layers.dense(copies as unknown as DenseLayerArgs).getConfig();
  const config: tf.serialization.ConfigDict = {};
  for (const key of DENSE_OPTION_KEYS) config[key] = denseConfig[key];
  const given = args as unknown as Record<string, unknown>;
  const resolve = <T>(key: (typeof DENSE_OPTION_KEYS)[number]): T =>
    given[key] instanceof tf.serialization.Serializable
      ? (given[key] as T)
      : (deserialize(config[key]) as T);
  return {
    units: config.units as number,
    activation: deserialize(config.activation) as Activation,
    useBias: config.useBias as boolean,
    kernelInitializer: resolve('kernelInitializer'),
    biasInitializer: resolve('biasInitializer'),
    kernelRegularizer: resolve('kernelRegularizer'),
    biasRegularizer: resolve('biasRegularizer'),
    activityRegularizer: resolve('activityRegularizer'),
    kernelConstraint: resolve('kernelConstraint'),
    biasConstraint: resolve('biasConstraint'),
    config,
  };
}

/** Turns Dense's serialized form (`{className, config}`, or an activation name) into an object. */
function deserialize(serialized: tf.serialization.ConfigDictValue): tf.serialization.Serializable | null {
  if (serialized == null) return null;
  const { className, config } =
    typeof serialized === 'string'
      ? { className: serialized, config: {} }
      : (serialized as { className: string; config: tf.serialization.ConfigDict });
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry == null) {
    throw new Error(`Unknown class '${className}': register it with tf.serialization.registerClass.`);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config ?? {});
}

function isPlainObject(value: unknown): boolean {
  return value != null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}
