import * as tf from '@tensorflow/tfjs-core';
import { fileSystem } from './file_system';

const SCHEME = 'file://';

type Router = (url: string | string[]) => tf.io.IOHandler | null;
/** TF.js types a router as never answering null, though every router does. */
type IORouter = Parameters<typeof tf.io.registerLoadRouter>[0];
/** The part of `tf.io` that routes URLs to handlers. */
export type RouterRegistry = Pick<typeof tf.io, 'getSaveHandlers' | 'getLoadHandlers' | 'registerSaveRouter' | 'registerLoadRouter'>;

/**
 * A `file://` router that steps aside for any other `file://` router, such
 * as tfjs-node's, even one registered later: TF.js refuses a URL that more
 * than one load router claims, and tfjs-node's own handler should win when
 * the user has it. It asks the registry for the other handlers, answering
 * null to itself while it asks.
 */
function yieldingRouter(otherHandlers: (url: string) => tf.io.IOHandler[]): Router {
  let asking = false;
  return (url) => {
    if (typeof url !== 'string' || !url.startsWith(SCHEME) || asking) return null;
    asking = true;
    try {
      if (otherHandlers(url).length > 0) return null;
    } finally {
      asking = false;
    }
    return fileSystem(url.slice(SCHEME.length));
  };
}

/**
 * Registers `file://` save and load routers to {@link fileSystem}, each only
 * if no `file://` router of its kind is registered yet: tfjs-node registers
 * both when imported, and a second copy of this library must not add routers
 * that would step aside for each other. Returns which it registered. Importing
 * `tfjs-prune/node` calls it; import `@tensorflow/tfjs-node` first if you use
 * it, though the routers also step aside for one registered later.
 * `registry` is `tf.io` but in tests.
 */
export function registerFileRouters(registry: RouterRegistry = tf.io): { save: boolean; load: boolean } {
  const probe = `${SCHEME}probe`;
  const save = registry.getSaveHandlers(probe).length === 0;
  const load = registry.getLoadHandlers(probe).length === 0;
  if (save) registry.registerSaveRouter(yieldingRouter((url) => registry.getSaveHandlers(url)) as IORouter);
  if (load) registry.registerLoadRouter(yieldingRouter((url) => registry.getLoadHandlers(url)) as IORouter);
  return { save, load };
}
