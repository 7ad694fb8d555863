/**
 * How the browser pages time inference: the example (main.ts) and the app
 * (app/worker.ts) report batch-1 predict times measured the same way.
 */
import * as tf from '@tensorflow/tfjs';

/** Untimed calls first: the backend compiles and caches (wasm packs weights, webgl compiles shaders). */
const WARMUP_CALLS = 10;
/** About how long the timed calls run: long enough for sub-millisecond models, short enough for a page. */
const TIMED_MS = 300;

/**
 * Mean ms of one `model.predict(inputs)` with the read of every output
 * (`dataSync`, so that the work is done, on webgl too), over about 300 ms
 * of calls after 10 untimed ones. Leaves no tensor; `inputs` stay the caller's.
 */
export function timePredict(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): number {
  const once = () => tf.tidy(() => {
    [model.predict(inputs)].flat().forEach((y) => y.dataSync());
  });
  for (let i = 0; i < WARMUP_CALLS; i++) once();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < TIMED_MS) {
    once();
    calls++;
  }
  return (performance.now() - start) / calls;
}
