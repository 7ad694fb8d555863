import * as tfl from '@tensorflow/tfjs-layers';
import type { BaseCallback, CustomCallbackArgs } from '@tensorflow/tfjs-layers/dist/base_callbacks';
import { checkOptions, describeValue } from '../checks';

/** The hook names `model.fit` accepts in a plain callback object. */
const HOOKS: ReadonlyArray<keyof CustomCallbackArgs> = [
  'onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield',
];

/**
 * A callback object: `tf.Callback`, `tf.CustomCallback`, `tf.callbacks.earlyStopping(...)`.
 * Declared without the hooks so that TypeScript types the parameters of plain hooks.
 */
type CallbackObject = Pick<BaseCallback, 'setParams' | 'setModel'>;

// `fit` tells callback objects from plain hooks with `instanceof BaseCallback`,
// a class tfjs-layers does not export: it is the parent of tf.CustomCallback.
const BaseCallbackClass = Object.getPrototypeOf(tfl.CustomCallback) as abstract new () => BaseCallback;

/**
 * Makes one `callbacks` array for `model.fit` / `fitDataset` out of callback
 * objects (`tf.Callback` subclasses such as {@link PruningScheduleCallback},
 * `tf.callbacks.earlyStopping(...)`) and plain hook objects
 * (`{onEpochEnd: (epoch, logs) => ...}`), in the given order.
 *
 * TF.js pitfall: `fit` looks only at `callbacks[0]` to decide whether the
 * array holds callback objects or plain hooks. `[callback, {onEpochEnd}]`
 * then fails on the plain object (`TypeError: callback.setParams is not a
 * function`), and `[{onEpochEnd}, callback]` wraps the callback as if it
 * were hooks, calling its methods with the wrong `this` (a
 * {@link PruningScheduleCallback} then fails with `TypeError: this.updateMasks
 * is not a function`).
 * This wraps each plain object in `tf.CustomCallback`, as `fit` would (the
 * wrapped hooks yield to the event loop with fit's default, `yieldEvery: 'auto'`).
 *
 * ```js
 * await model.fit(xs, ys, {epochs: 10, callbacks: combineCallbacks(
 *   new PruningScheduleCallback({schedule}),
 *   tf.callbacks.earlyStopping({monitor: 'loss'}),
 *   {onEpochEnd: (epoch, logs) => console.log(epoch, logs.sparsity)},
 * )});
 * ```
 */
export function combineCallbacks(...callbacks: Array<CallbackObject | CustomCallbackArgs>): BaseCallback[] {
  return callbacks.map((callback, i) => {
    if (callback instanceof BaseCallbackClass) return callback;
    const name = `combineCallbacks: callbacks[${i}]`;
    checkOptions(callback, `${name} must be a tf.Callback or an object of hook functions (${HOOKS.join(', ')})`);
    for (const [key, hook] of Object.entries(callback)) {
      if (!HOOKS.includes(key as keyof CustomCallbackArgs)) {
        throw new Error(`${name} has an unknown hook '${key}'; hooks are ${HOOKS.join(', ')}.`);
      }
      if (typeof hook !== 'function') {
        throw new TypeError(`${name}.${key} must be a function; received ${describeValue(hook)}.`);
      }
    }
    return new tfl.CustomCallback(callback as CustomCallbackArgs);
  });
}
