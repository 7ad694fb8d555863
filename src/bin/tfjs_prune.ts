#!/usr/bin/env node
// The `tfjs-prune` executable (package.json's bin): picks a TF.js backend,
// then runs the command (../node/cli.ts).
import * as tf from '@tensorflow/tfjs-core';
import { runCli } from '../node/cli';

/**
 * Loads the fastest TF.js backend that is installed: tfjs-node when it
 * resolves (an optional peer), else @tensorflow/tfjs's cpu backend. Names
 * in variables: neither needs to be installed to build this package.
 */
async function loadBackend(): Promise<boolean> {
  for (const name of ['@tensorflow/tfjs-node', '@tensorflow/tfjs']) {
    try {
      await import(name);
      return true;
    } catch {
      // Not installed (or tfjs-node without its native library): the next one.
    }
  }
  return false;
}

void (async () => {
  // No "Hi, looks like you are running TensorFlow.js in Node.js" on stderr: this program says what it means.
  tf.env().set('PROD', true);
  if (!(await loadBackend())) {
    process.stderr.write('tfjs-prune: no TensorFlow.js backend: install @tensorflow/tfjs (or @tensorflow/tfjs-node) beside tfjs-prune.\n');
    process.exitCode = 1;
    return;
  }
  process.exitCode = await runCli(process.argv.slice(2));
})();
