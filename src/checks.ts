import * as tf from '@tensorflow/tfjs-core';

/**
 * Argument validation shared by the library.
 *
 * Masks, schedules and files are computed from user input (a sparsity
 * fraction, a weight tensor, a previous mask, a step), and a bad value there
 * would otherwise surface much later as a silently wrong mask. Every message names the argument, what is allowed
 * and what was received.
 */

/**
 * Renders a received value for an error message: numbers, booleans and
 * `null`/`undefined` as themselves, strings quoted with their type, other
 * values by kind (`an array`, `a function`, `a Float32Array`, `an object`).
 *
 * ```ts
 * describeValue('0.5'); // 'string "0.5"'
 * describeValue(new Float32Array(2)); // 'a Float32Array'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/**
 * Asserts that `args` is an options object (not null, an array or a primitive).
 *
 * @param args Value to check.
 * @param usage What the options must be, naming the caller; the message
 *   appends what was received.
 * @throws TypeError otherwise.
 *
 * @example
 * ```ts
 * checkOptions(null, 'makePrunable: options must be an object {filter?}');
 * // TypeError: makePrunable: options must be an object {filter?}; received null.
 * ```
 */
export function checkOptions(args: unknown, usage: string): asserts args is object {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new TypeError(`${usage}; received ${describeValue(args)}.`);
  }
}

/**
 * Asserts that every own key of `args` is one of `names`: a misspelt option
 * (`layer` for `layers`) would otherwise be ignored silently.
 *
 * @param args Options object, already checked to be an object.
 * @param caller Who takes the options, for the message (`'pruneModel'`).
 * @param names The option names it takes.
 * @throws Error naming the unknown options and the known ones.
 *
 * @example
 * ```ts
 * checkOptionNames({layer: ['h1']}, 'pruneModel', ['method', 'sparsity', 'layers']);
 * // Error: pruneModel: unknown option 'layer'; options are method, sparsity, layers.
 * ```
 */
export function checkOptionNames(args: object, caller: string, names: readonly string[]): void {
  const unknown = Object.keys(args).filter((key) => !names.includes(key));
  if (unknown.length > 0) {
    throw new Error(`${caller}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; options are ${names.join(', ')}.`);
  }
}

/**
 * Asserts that `value` is a live tensor of real numbers (float32, int32 or
 * bool): not an array, not disposed, not a string or complex tensor.
 *
 * @param value Value to check.
 * @param name Argument name used in the message.
 * @param hint Appended to the message for a value that is no tensor at all.
 * @throws TypeError for what is not a tensor of real numbers; Error for a disposed tensor.
 *
 * @example
 * ```ts
 * checkTensor([0.3, -0.1], 'w'); // TypeError: w must be a tf.Tensor; received an array.
 * ```
 */
export function checkTensor(value: unknown, name: string, hint = ''): asserts value is tf.Tensor {
  if (!(value instanceof tf.Tensor)) throw new TypeError(`${name} must be a tf.Tensor; received ${describeValue(value)}.${hint}`);
  if (value.isDisposed) throw new Error(`${name} is a disposed tensor; pass one that is still allocated.`);
  if (value.dtype === 'string' || value.dtype === 'complex64') {
    throw new TypeError(`${name} must be a real-valued tensor (float32, int32 or bool); received dtype ${value.dtype}.`);
  }
}

// The typed arrays whose entries are numbers (not bigints): %TypedArray% is their common parent.
const TypedArray = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayLike<number | bigint>;

/**
 * `value` as a Float32Array: a Float32Array as it is (no copy), another
 * typed array or an array of numbers converted (a copy, rounded to float32).
 *
 * @param value Flat values, e.g. weights or a mask.
 * @param name Argument name used in the message.
 * @param allowed What the argument may be, for the message.
 * @throws TypeError for anything else, such as a BigInt64Array or an array holding a string.
 *
 * @example
 * ```ts
 * toFloat32Array(Float64Array.from([0.5, 1]), 'values'); // Float32Array [0.5, 1]
 * toFloat32Array([1, '0'], 'values');
 * // TypeError: values must be a typed array or an array of numbers; received an array holding string "0" at index 1
 * ```
 */
export function toFloat32Array(value: unknown, name: string,
  allowed = 'a typed array or an array of numbers'): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof TypedArray && !(value instanceof BigInt64Array || value instanceof BigUint64Array)) {
    return Float32Array.from(value as ArrayLike<number>);
  }
  if (Array.isArray(value)) {
    const bad = value.findIndex((v) => typeof v !== 'number');
    if (bad < 0) return Float32Array.from(value as number[]);
    throw new TypeError(`${name} must be ${allowed}; received an array holding ${describeValue(value[bad])} at index ${bad}`);
  }
  throw new TypeError(`${name} must be ${allowed}; received ${describeValue(value)}`);
}

/** Renders a shape as `[a, b]`. */
function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A number checked by {@link checkFraction} to lie in [0, 1]. A value is
 * checked once, where it enters the library; the functions behind that entry
 * point take a `Fraction` and check it no more.
 */
export type Fraction = number & { readonly __checked: 'Fraction' };

/**
 * Asserts that `k` is a finite number in [0, 1], such as a sparsity fraction.
 *
 * @param k Value to check.
 * @param name Argument name used in the message.
 * @throws TypeError if `k` is not of type number (strings such as `'0.5'` are rejected).
 * @throws RangeError if `k` is NaN, infinite, or outside [0, 1].
 *
 * @example
 * ```ts
 * checkFraction(0.9);            // ok
 * checkFraction(-0.5);           // RangeError: k must be a number in [0, 1]; received -0.5
 * checkFraction('0.5', 'target'); // TypeError: target must be a number in [0, 1]; received string "0.5"
 * ```
 */
export function checkFraction(k: unknown, name = 'k'): asserts k is Fraction {
  if (typeof k !== 'number') {
    throw new TypeError(`${name} must be a number in [0, 1]; received ${describeValue(k)}`);
  }
  if (!Number.isFinite(k) || k < 0 || k > 1) {
    throw new RangeError(`${name} must be a number in [0, 1]; received ${k}`);
  }
}

/**
 * Asserts that every value is finite. A NaN weight compares false with
 * everything, so ranking by magnitude would be meaningless.
 *
 * @param values Weights, in flat (row-major) order.
 * @param name Argument name used in the message.
 * @throws Error naming the first NaN or Infinity and its flat index.
 *
 * @example
 * ```ts
 * checkFinite(Float32Array.from([1, NaN]), 'weights');
 * // Error: weights must not hold NaN or Infinity; found NaN at flat index 1
 * ```
 */
export function checkFinite(values: ArrayLike<number>, name: string): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // v - v is 0 for finite v and NaN for NaN or +-Infinity; cheaper than a call per element.
    if (v - v !== 0) {
      throw new Error(`${name} must not hold NaN or Infinity; found ${v} at flat index ${i}`);
    }
  }
}

/**
 * Asserts that a mask holds only the values 0 and 1 (`-0` counts as 0).
 *
 * @param values Mask values, in flat order.
 * @param name Argument name used in the message.
 * @throws Error naming the first other value and its flat index.
 *
 * @example
 * ```ts
 * checkBinaryMask(Float32Array.from([1, 0, 0.5]), 'currentMask');
 * // Error: currentMask must hold only 0 and 1; found 0.5 at flat index 2
 * ```
 */
export function checkBinaryMask(values: ArrayLike<number>, name: string): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // v * (1 - v) is 0 only for v = 0 or 1 (NaN and +-Infinity included), and
    // avoids a branch per element that a random 0/1 mask would mispredict.
    if (v * (1 - v) !== 0) {
      throw new Error(`${name} must hold only 0 and 1; found ${v} at flat index ${i}`);
    }
  }
}

/**
 * Asserts that an array has the expected number of elements.
 *
 * @param actual Length received.
 * @param expected Length required.
 * @param name Argument name used in the message.
 * @param why Optional reason appended to the expected length, e.g. `'rows * cols'`.
 * @throws Error if the lengths differ.
 *
 * @example
 * ```ts
 * checkLength(mask.length, weights.length, 'currentMask');
 * // Error: currentMask must have 12 elements; received 10
 * ```
 */
export function checkLength(actual: number, expected: number, name: string, why = ''): void {
  const context = why === '' ? '' : ` (${why})`;
  if (actual !== expected) {
    throw new Error(`${name} must have ${expected} elements${context}; received ${actual}`);
  }
}

/**
 * Asserts that a tensor shape equals the expected one.
 *
 * @param actual Shape received.
 * @param expected Shape required.
 * @param name Argument name used in the message.
 * @throws Error if the shapes differ.
 *
 * @example
 * ```ts
 * checkShape(currentMask.shape, w.shape, 'currentMask');
 * // Error: currentMask must have shape [784, 300]; received shape [300, 784]
 * ```
 */
export function checkShape(actual: readonly number[], expected: readonly number[], name: string): void {
  const same = actual.length === expected.length && actual.every((d, i) => d === expected[i]);
  if (!same) {
    throw new Error(
      `${name} must have shape ${describeShape(expected)}; received shape ${describeShape(actual)}`,
    );
  }
}

/**
 * Asserts that `value` is a non-negative integer, such as a dimension.
 *
 * @param value Value to check.
 * @param name Argument name used in the message.
 * @throws TypeError if `value` is not of type number.
 * @throws RangeError if it is not a non-negative integer.
 *
 * @example
 * ```ts
 * checkDimension(300, 'rows'); // ok
 * checkDimension(2.5, 'cols'); // RangeError: cols must be a non-negative integer; received 2.5
 * ```
 */
export function checkDimension(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a non-negative integer; received ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer; received ${value}`);
  }
}

/**
 * Runs `fn`, prefixing the message of an error it throws with `prefix` (and
 * `': '`), so that a check deep inside names the layer or weight it was about.
 *
 * @example
 * ```ts
 * withErrorPrefix("PrunableDense 'h1'", () => checkFinite(values, 'weights'));
 * // Error: PrunableDense 'h1': weights must not hold NaN or Infinity; found NaN at flat index 3
 * ```
 */
export function withErrorPrefix<T>(prefix: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (prefix !== undefined && error instanceof Error) error.message = `${prefix}: ${error.message}`;
    throw error;
  }
}
