import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkOptionNames, describeValue } from '../checks';

/** What an option holding an object resolves to. */
export type ObjectOptionType = 'initializer' | 'regularizer' | 'constraint' | 'activation';

/** An option whose value is an object (or its identifier), such as `kernelInitializer`. */
export interface ObjectOption {
  type: ObjectOptionType;
  /** Its identifier when the option is not given, as the tf.layers layer defaults it (null: none). */
  default: string | null;
}

/** How a prunable layer kind takes the options of its plain tf.layers layer. */
export interface LayerOptionsSpec {
  /**
   * Creates the plain layer from options, as its tf.layers factory (it is
   * never built: its constructor validates the options and applies the
   * defaults, and its `getConfig()` gives their canonical form).
   */
  plain(args: object): tfl.layers.Layer;
  /** The options holding objects, by name. */
  objects: Readonly<Record<string, ObjectOption>>;
  /** The options that are booleans, which tf.layers would take any value for ('false' meaning true). */
  booleans: readonly string[];
  /** Options the plain layer takes besides those of its config (such as Dense's `inputDim` shorthand). */
  extra?: readonly string[];
}

/** A plain layer's options, resolved as the layer itself resolves them. */
export interface ResolvedOptions {
  /** The options as the plain layer serializes them in `getConfig()`, base-layer options left out. */
  config: tf.serialization.ConfigDict;
  /** The object of each object option (null where none). */
  objects: Record<string, tf.serialization.Serializable | null>;
  /** The plain layer made from the options, never built: it computes output shapes. */
  template: tfl.layers.Layer;
}

/** The options every tf.layers layer takes (`LayerArgs`), kept by the base Layer. */
const BASE_OPTIONS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType'];
/** Of those, the ones the base Layer's `getConfig()` writes. */
const BASE_CONFIG = new Set(['name', 'trainable', 'batchInputShape', 'dtype']);

/** The Dense option that serializes each object type: Dense writes every type of object option in its config. */
const DENSE_SLOT: Readonly<Record<ObjectOptionType, string>> = {
  initializer: 'kernelInitializer',
  regularizer: 'kernelRegularizer',
  constraint: 'kernelConstraint',
  activation: 'activation',
};

/**
 * Resolves a plain tf.layers layer's options exactly as that layer does,
 * through public API only: a plain layer that is never built parses and
 * validates them and applies the defaults, its `getConfig()` gives their
 * canonical serialized form, and the serialization registry turns that
 * form back into objects. Object options are serialized through Dense, which
 * writes every kind of them right (DepthwiseConv2D's own config writes its
 * regularizer as its constraint, and SeparableConv2D takes its pointwise
 * initializer from `depthwiseInitializer`: here each option means what it
 * says). Objects the caller passed (an `Initializer` instance, say) are
 * kept as they are.
 *
 * `layer` names the layer kind in messages; `args` are the options given,
 * checked against `spec`: an unknown option is an error unless
 * `fromConfig` (a saved config may hold options of newer Keras versions,
 * which tf.layers ignores too).
 */
export function resolveLayerOptions(layer: string, args: object, spec: LayerOptionsSpec, fromConfig = false): ResolvedOptions {
  const given = args as Record<string, unknown>;
  for (const key of spec.booleans) {
    // null is not given, as tf.layers reads it (a saved config writes an option left undefined as null).
    if (given[key] != null && typeof given[key] !== 'boolean') {
      throw new TypeError(`${layer}: ${key} must be true or false; received ${describeValue(given[key])}.`);
    }
  }
  const template = spec.plain(copyOptions({ ...given, name: 'prunable_options' }));
  const templateConfig = template.getConfig();
  if (!fromConfig) {
    const known = new Set([...BASE_OPTIONS, ...Object.keys(templateConfig), ...Object.keys(spec.objects), ...(spec.extra ?? [])]);
    // `weights` (initial values) is a base option, but not one of these layers': it would skip their masks.
    checkOptionNames(given, layer, [...known].filter((key) => key !== 'weights').sort());
  }
  const config: tf.serialization.ConfigDict = {};
  for (const [key, value] of Object.entries(templateConfig)) if (!BASE_CONFIG.has(key)) config[key] = value;
  const objects: Record<string, tf.serialization.Serializable | null> = {};
  for (const [key, option] of Object.entries(spec.objects)) {
    const value = given[key] ?? option.default;
    const slot = DENSE_SLOT[option.type];
    config[key] = value == null ? null : tfl.layers.dense(copyOptions({ units: 1, name: 'prunable_options', [slot]: value }) as { units: number }).getConfig()[slot];
    objects[key] = given[key] instanceof tf.serialization.Serializable
      ? (given[key] as tf.serialization.Serializable)
      : deserialize(config[key]);
  }
  return { config, objects, template };
}

/**
 * Copies of the plain-object values of `args`: TF.js deserialization writes
 * into the option dicts it is given.
 */
function copyOptions(args: Record<string, unknown>): Record<string, unknown> {
  const copies: Record<string, unknown> = { ...args };
  for (const [key, value] of Object.entries(copies)) {
    if (isPlainObject(value)) copies[key] = JSON.parse(JSON.stringify(value));
  }
  return copies;
}

/** Turns a serialized object option (`{className, config}`, or an activation name) into the object. */
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
  const [cls, fromConfigFn] = entry;
  return fromConfigFn(cls, config ?? {});
}

function isPlainObject(value: unknown): boolean {
  return value != null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}
