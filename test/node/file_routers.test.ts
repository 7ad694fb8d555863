import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { NodeFileSystem } from '../../src/node';
import { registerFileRouters, RouterRegistry } from '../../src/node/file_routers';

type Router = (url: string | string[]) => tf.io.IOHandler | null;

/**
 * A fresh router registry with TF.js's semantics (every router is asked, the
 * non-null answers are the handlers), since TF.js's own cannot be reset.
 */
function freshRegistry(): RouterRegistry {
  const save: Router[] = [];
  const load: Router[] = [];
  const ask = (routers: Router[], url: string | string[]) => routers.map((r) => r(url)).filter((h): h is tf.io.IOHandler => h != null);
  return {
    registerSaveRouter: (r) => { save.push(r as Router); },
    registerLoadRouter: (r) => { load.push(r as Router); },
    getSaveHandlers: (url) => ask(save, url),
    getLoadHandlers: (url) => ask(load, url),
  };
}

/** Stands in for tfjs-node's `file://` handler, which cannot be installed here. */
const fakeTfjsNode: tf.io.IOHandler = { load: async () => ({}) };
const fakeTfjsNodeRouter = ((url: string | string[]) =>
  (typeof url === 'string' && url.startsWith('file://') ? fakeTfjsNode : null)) as never;

describe('file:// routers of tfjs-prune/node', () => {
  it('are registered by importing the node entry: each file:// URL resolves to exactly one NodeFileSystem', () => {
    for (const handlers of [tf.io.getSaveHandlers('file:///tmp/m'), tf.io.getLoadHandlers('file:///tmp/m/model.json')]) {
      expect(handlers).to.have.length(1);
      expect(handlers[0]).to.be.instanceOf(NodeFileSystem);
    }
    expect((tf.io.getLoadHandlers('file:///tmp/m/model.json')[0] as NodeFileSystem).path).to.equal('/tmp/m/model.json');
    expect(tf.io.getLoadHandlers('https://example.com/model.json').some((h) => h instanceof NodeFileSystem)).to.equal(false);
  });

  it('register each router once (so a second copy of this library adds none)', () => {
    const registry = freshRegistry();
    expect(registerFileRouters(registry)).to.deep.equal({ save: true, load: true });
    expect(registerFileRouters(registry)).to.deep.equal({ save: false, load: false });
    expect(registry.getSaveHandlers('file:///tmp/m')).to.have.length(1);
    expect(registry.getLoadHandlers('file:///tmp/m')).to.have.length(1);
  });

  it('are not registered when tfjs-node (imported first) already routes file://', () => {
    const registry = freshRegistry();
    registry.registerSaveRouter(fakeTfjsNodeRouter);
    registry.registerLoadRouter(fakeTfjsNodeRouter);
    expect(registerFileRouters(registry)).to.deep.equal({ save: false, load: false });
    expect(registry.getSaveHandlers('file:///tmp/m')).to.deep.equal([fakeTfjsNode]);
    expect(registry.getLoadHandlers('file:///tmp/m')).to.deep.equal([fakeTfjsNode]);
  });

  it('step aside for a file:// router registered after them (tfjs-node imported second), so TF.js finds one handler', () => {
    const registry = freshRegistry();
    registerFileRouters(registry);
    registry.registerSaveRouter(fakeTfjsNodeRouter);
    registry.registerLoadRouter(fakeTfjsNodeRouter);
    expect(registry.getSaveHandlers('file:///tmp/m')).to.deep.equal([fakeTfjsNode]);
    expect(registry.getLoadHandlers('file:///tmp/m')).to.deep.equal([fakeTfjsNode]);
  });
});
