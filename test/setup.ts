// Mocha root hooks: registers the wasm backend and starts every file on it,
// the fast backend on this machine. Files that must also run on cpu use
// `describeOnBackends` from ./support/backends.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await tf.setBackend('wasm');
  },
};
