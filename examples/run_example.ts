/**
 * How the Node examples run as programs: on the wasm backend (the fast one
 * without tfjs-node), in quick mode with `--quick` or `QUICK=1`, setting a
 * failing exit code on error.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** Runs `example` as the program's main function. */
export function runExample(example: (quick: boolean) => Promise<unknown>): void {
  const quick = process.argv.includes('--quick') || process.env.QUICK === '1';
  tf.setBackend('wasm')
    .then(() => example(quick))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
