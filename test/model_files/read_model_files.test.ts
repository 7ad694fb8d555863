import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ModelFileError, NamedFile, prunableDense, readModelFiles, summarizeModelFile } from '../../src';
import { artifactsFromModel } from '../../src/model_files/model_artifacts';
import { expectNoTensorLeak } from '../support/memory';

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** A model's files as tensorflowjs_converter shards them: model.json and two weight files in one group. */
async function shardedFiles(): Promise<NamedFile[]> {
  const model = tf.sequential({ name: 'mlp', layers: [
    tf.layers.dense({ units: 4, inputShape: [3], name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    prunableDense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  const artifacts = await artifactsFromModel(model);
  model.dispose();
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData!);
  const half = 24;
  const modelJSON = {
    format: 'layers-model', modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
  };
  return [
    { name: 'group1-shard2of2.bin', data: data.slice(half) },
    { name: 'model.json', data: bytes(JSON.stringify(modelJSON)) },
    { name: 'group1-shard1of2.bin', data: data.slice(0, half) },
  ];
}

/** The ModelFileError `readModelFiles(files)` rejects with. */
async function failure(files: NamedFile[]): Promise<ModelFileError> {
  const error = await readModelFiles(files).then(() => expect.fail('readModelFiles resolved'), (e: Error) => e);
  expect(error).to.be.instanceOf(ModelFileError);
  return error as ModelFileError;
}

describe('readModelFiles (a model\'s files as a page gets them)', () => {
  it('reads model.json and its shards in any order into artifacts the operations take', async () => {
    await expectNoTensorLeak(async () => {
      const artifacts = await readModelFiles(await shardedFiles());
      const report = await summarizeModelFile(artifacts, { source: 'model.json' });
      expect(report.layers.map((l) => [l.layer, l.className, l.parameters, l.macs])).to.deep.equal([
        ['hidden', 'Dense', 3 * 4 + 4, 3 * 4], ['out', 'PrunableDense', 4 * 2 + 2, 4 * 2]]);
      expect(report.parameters).to.equal(16 + 10);
      expect(report.macs).to.equal(12 + 8);
    });
  });

  it('names the file in one line for each bad input, and builds nothing', async () => {
    const files = await shardedFiles();
    await expectNoTensorLeak(async () => {
      const missing = await failure(files.filter((f) => f.name !== 'group1-shard2of2.bin'));
      expect(missing.subject).to.equal('group1-shard2of2.bin');
      expect(missing.message).to.equal('Cannot load a model from model.json: its weight file group1-shard2of2.bin is missing; ' +
        'give it with model.json (given: model.json, group1-shard1of2.bin).');
      const short = await failure(files.map((f) => (f.name === 'group1-shard2of2.bin' ? { ...f, data: f.data.slice(4) } : f)));
      expect(short.message).to.match(/^Cannot load a model from model\.json: group1-shard1of2\.bin, group1-shard2of2\.bin hold 132 bytes, but its weightsManifest describes 136: they are truncated/);
      const notJson = await failure([{ name: 'model.json', data: bytes('<html>') }]);
      expect(notJson.subject).to.equal('model.json');
      expect(notJson.message).to.match(/^Cannot load a model from model\.json: it is not valid JSON/);
      expect((await failure([files[0]])).message).to.equal('No model.json among the files given (group1-shard2of2.bin): ' +
        "give the model's model.json with its weight files.");
      expect((await failure([files[1], { ...files[1], name: 'other.json' }])).message).to.equal(
        'Give one model.json at a time; the files given hold 2: model.json, other.json.');
      expect((await failure('model.json' as never)).subject).to.equal('files');
    });
  });
});
