import * as tf from '@tensorflow/tfjs';

/** The backends the experiments can run on; `auto` is tfjs-node's `tensorflow` when installed, else `wasm`. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

const TFJS_NODE = '@tensorflow/tfjs-node';

/**
 * Switches TF.js to the chosen backend and returns its name. tfjs-node is an
 * optional peer, loaded only if it resolves; `auto` falls back to wasm when it
 * does not (or fails to load, which `warn` is told about).
 *
 * ```ts
 * const backend = await useBackend('auto'); // 'tensorflow' or 'wasm'
 * ```
 */
export async function useBackend(choice: BackendChoice, warn: (message: string) => void = () => undefined): Promise<string> {
  if (choice === 'auto' || choice === 'tensorflow') {
    const loaded = loadTfjsNode();
    if (loaded === true) return activate('tensorflow');
    if (choice === 'tensorflow') {
      throw new Error(`Backend 'tensorflow' needs ${TFJS_NODE}: ${loaded}. Install it with npm install ${TFJS_NODE}, ` +
        "or choose --backend wasm or cpu.");
    }
    if (loaded !== 'not installed') warn(`${TFJS_NODE} ${loaded}; using wasm.`);
  }
  if (choice === 'cpu') return activate('cpu');
  require('@tensorflow/tfjs-backend-wasm');
  return activate('wasm');
}

/** true when tfjs-node loaded, else why not. */
function loadTfjsNode(): true | string {
  try {
    require.resolve(TFJS_NODE);
  } catch {
    return 'not installed';
  }
  try {
    require(TFJS_NODE);
    return true;
  } catch (error) {
    return `is installed but failed to load (${(error as Error).message.split('\n')[0]})`;
  }
}

async function activate(name: string): Promise<string> {
  if (!(await tf.setBackend(name))) throw new Error(`TF.js could not initialize the '${name}' backend.`);
  await tf.ready();
  return tf.getBackend();
}
