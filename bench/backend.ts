// Which TF.js backends a benchmark runs on: `--backend` or the default.
import * as tf from '@tensorflow/tfjs';
import { useBackend as activateBackend } from '../experiments/backend';

/** The backends a benchmark can run on: tfjs-node's, wasm, and the pure-JS cpu. */
export const BENCH_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BenchBackend = (typeof BENCH_BACKENDS)[number];

/** Whether tfjs-node is installed: an optional peer, not installable on every machine. */
function hasTfjsNode(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/**
 * The backends to run, in order: the comma-separated `--backend` value, or
 * else the fastest available one (tfjs-node's `tensorflow` when it resolves,
 * wasm otherwise) followed by `cpu`.
 *
 * ```ts
 * backendsFromArgs(['--backend', 'wasm,cpu']); // ['wasm', 'cpu']
 * ```
 */
export function backendsFromArgs(argv: readonly string[] = process.argv.slice(2)): BenchBackend[] {
  const at = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  if (at < 0) return [hasTfjsNode() ? 'tensorflow' : 'wasm', 'cpu'];
  const value = argv[at].includes('=') ? argv[at].slice('--backend='.length) : argv[at + 1];
  const names = (value ?? '').split(',').filter((n) => n !== '');
  const bad = names.filter((n) => !(BENCH_BACKENDS as readonly string[]).includes(n));
  if (names.length === 0 || bad.length > 0) {
    throw new Error(`--backend must be a comma-separated list of ${BENCH_BACKENDS.join(', ')}; ` +
      `received ${JSON.stringify(value ?? '')}`);
  }
  return names as BenchBackend[];
}

/** Switches TF.js to `backend` (loading tfjs-node for `tensorflow`) and prints which backend runs. */
export async function useBackend(backend: BenchBackend): Promise<void> {
  await activateBackend(backend, (message) => console.warn(message));
  console.log(`\nbackend: ${tf.getBackend()}`);
}
