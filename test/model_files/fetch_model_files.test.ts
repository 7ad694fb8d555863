import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { fetchModelFiles, ModelFileError, prunableDense, readModelFiles } from '../../src';
import { artifactsFromModel } from '../../src/model_files/model_artifacts';
import { serveDirectory, StaticServer } from '../../scripts/serve_directory';
import { expectNoTensorLeak } from '../support/memory';

/** The ModelFileError `fetchModelFiles(url)` rejects with. */
async function failure(url: string): Promise<ModelFileError> {
  const error = await fetchModelFiles(url).then(() => expect.fail('fetchModelFiles resolved'), (e: Error) => e);
  expect(error).to.be.instanceOf(ModelFileError);
  expect(error.message).to.not.contain('\n');
  return error as ModelFileError;
}

describe('fetchModelFiles (a model by URL, as a page loads it)', () => {
  let dir: string;
  let server: StaticServer;
  /** model.json (two shards, one in a sub-folder) and its weights' bytes. */
  let modelJSON: object;
  let shards: Buffer[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tfjs-prune-fetch-'));
    const model = tf.sequential({ name: 'mlp', layers: [
      tf.layers.dense({ units: 4, inputShape: [3], name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      prunableDense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] });
    const artifacts = await artifactsFromModel(model);
    model.dispose();
    const data = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
    shards = [data.subarray(0, 24), data.subarray(24)];
    modelJSON = {
      format: 'layers-model', modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'weights/group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
    };
    mkdirSync(join(dir, 'weights'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'MODEL.JSON'), JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'group1-shard1of2.bin'), shards[0]);
    writeFileSync(join(dir, 'weights', 'group1-shard2of2.bin'), shards[1]);
    writeFileSync(join(dir, 'notes.json'), 'Not a model, just text');
    writeFileSync(join(dir, 'missing.json'), JSON.stringify({ ...modelJSON, weightsManifest: [{ paths: ['gone.bin'], weights: artifacts.weightSpecs }] }));
    server = await serveDirectory(dir);
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches model.json and the shards its manifest names (relative to it) into the artifacts readModelFiles makes of the same files', async () => {
    await expectNoTensorLeak(async () => {
      const fetched = await fetchModelFiles(`${server.url}model.json`);
      const bytes = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      const read = await readModelFiles([
        { name: 'model.json', data: bytes(Buffer.from(JSON.stringify(modelJSON))) },
        { name: 'group1-shard1of2.bin', data: bytes(shards[0]) }, { name: 'group1-shard2of2.bin', data: bytes(shards[1]) },
      ]);
      expect(fetched.modelTopology).to.deep.equal(read.modelTopology);
      expect(fetched.weightSpecs).to.deep.equal(read.weightSpecs);
      const data = (a: tf.io.ModelArtifacts) => Array.from(new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!)));
      expect(data(fetched)).to.deep.equal(data(read));
      // Any file name: a URL need not end in a lower-case .json.
      expect((await fetchModelFiles(`${server.url}MODEL.JSON`)).weightSpecs).to.deep.equal(read.weightSpecs);
    });
  });

  it('names the file and the HTTP status or network error when a fetch fails, and what is wrong with a file that is not a model', async () => {
    let error = await failure(`${server.url}nothing/model.json`);
    expect(error.message).to.equal(`Cannot load a model from ${server.url}nothing/model.json: it could not be fetched: HTTP 404 Not Found.`);
    expect(error.subject).to.equal(`${server.url}nothing/model.json`);
    error = await failure(`${server.url}missing.json`);
    expect(error.message).to.equal(`Cannot load a model from ${server.url}missing.json: its weight file gone.bin (${server.url}gone.bin) ` +
      'could not be fetched: HTTP 404 Not Found.');
    expect(error.subject).to.equal('gone.bin');
    expect((await failure(`${server.url}notes.json`)).message).to.match(/^Cannot load a model from .*notes\.json: it is not valid JSON/);
    error = await failure('model.json');
    expect([error.subject, error.message]).to.deep.equal(['url', 'url must be an absolute URL of a model.json; received string "model.json".']);
    // Nothing listening: the network error.
    const closed = await serveDirectory(dir);
    await closed.close();
    expect((await failure(`${closed.url}model.json`)).message).to.match(/^Cannot load a model from .*model\.json: it could not be fetched: fetch failed\.$/);
  });
});
