// The tfjs-prune command as users run it: a child process of the CommonJS
// build's bin (built once into a temporary folder beside this repository's
// node_modules), on models saved by the library and on a Keras-style model.json.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { execFile } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pathToFileURL } from 'url';
import { buildPackage } from '../../scripts/build';
import { loadPrunableModel, PrunableLayer, prunableConv2d, prunableDense } from '../../src';
import { fileSystem } from '../../src/node';
import { writeKerasStyleModel } from '../support/keras_style_model';

const ROOT = join(__dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the tfjs-prune command', function () {
  this.timeout(120_000);
  let work: string;
  let bin: string;
  /** Runs the command with `args` in the work folder. */
  const cli = (...args: string[]) => new Promise<Result>((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error == null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
  const at = (...parts: string[]) => join(work, ...parts);
  /** Asserts a failure: exit code 1 and one line on stderr, no stack trace, matching `message`. */
  const expectFailure = (result: Result, message: RegExp) => {
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr.trimEnd().split('\n'), result.stderr).to.have.length(1);
    expect(result.stderr).to.match(/^tfjs-prune: /);
    expect(result.stderr.trimEnd()).to.match(message);
    expect(result.stderr).to.not.match(/\n\s+at /);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'tfjs-prune-cli-'));
    const pkg = at('package');
    mkdirSync(pkg);
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    buildPackage(join(pkg, 'dist'), ['cjs']);
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    bin = join(pkg, 'dist', 'cjs', 'bin', 'tfjs_prune.js');
    const model = tf.sequential({ name: 'cnn', layers: [
      prunableConv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1], name: 'conv1' }),
      tf.layers.flatten(),
      prunableDense({ units: 8, activation: 'relu', name: 'hidden' }),
      prunableDense({ units: 3, activation: 'softmax', name: 'out' }),
    ] });
    await model.save(fileSystem(at('prunable')));
    model.dispose();
    (await writeKerasStyleModel(at('keras'))).dispose();
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints its version, its help and each command\'s help', async () => {
    expect((await cli('--version')).stdout.trim()).to.equal(version);
    const help = await cli('--help');
    expect(help.code).to.equal(0);
    for (const command of ['summary', 'strip', 'compact', 'prune']) expect(help.stdout).to.match(new RegExp(`\\n  ${command} `));
    const prune = await cli('prune', '--help');
    expect(prune.code).to.equal(0);
    for (const option of ['--method <method>', '--sparsity <k>', '--layers <names>', '--scope <scope>', '--block-shape <rows,cols>', '--round-to <k>', '--force', '--json']) {
      expect(prune.stdout).to.include(option);
    }
  });

  it('summarizes a saved model as a table, or as JSON, with the compaction view on request', async () => {
    const text = await cli('summary', at('prunable'));
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stderr).to.equal('');
    expect(text.stdout).to.match(/^Pruning summary of model 'cnn'\n/);
    expect(text.stdout).to.match(/\nconv1 \(PrunableConv2D\) +\[3,3,1,4\] +- +36 \/ 36 +0\.0000 +0\n/);
    const json = await cli('summary', pathToFileURL(join(at('prunable'), 'model.json')).href, '--json', '--compaction');
    const report = JSON.parse(json.stdout);
    expect(report.summary.layers.map((r: { layer: string }) => r.layer)).to.deep.equal(['conv1', 'hidden', 'out']);
    expect(report.summary.compaction.total.parameters).to.have.keys('before', 'after');
    expect(report).to.include({ model: 'cnn', prunable: true });
  });

  it('prunes one-shot into a prunable checkpoint with a warning, then compacts and strips it into plain models', async () => {
    const pruned = await cli('prune', at('prunable'), at('pruned'), '--method', 'unit', '--sparsity', '0.5');
    expect(pruned.code, pruned.stderr).to.equal(0);
    expect(pruned.stdout).to.include('conv1 (PrunableConv2D): sparsity 0.5000, 18 of 36 weights kept, 2 of 4 units pruned');
    expect(pruned.stderr).to.match(/^tfjs-prune: warning: one-shot pruning without fine-tuning costs accuracy.*docs\/guide\.md#one-shot-or-gradual\.\n$/);
    const model = await loadPrunableModel(`file://${at('pruned')}`);
    expect(model.layers.filter((l): l is PrunableLayer => 'maskedWeights' in l).map((l) => [l.name, l.sparsity()]))
      .to.deep.equal([['conv1', 0.5], ['hidden', 0.5], ['out', 0]]);
    const x = tf.linspace(-1, 1, 72).reshape([2, 6, 6, 1]);
    const expected = await (model.predict(x) as tf.Tensor).data();

    const compact = await cli('compact', at('pruned'), at('compact'), '--quantize', 'float16');
    expect(compact.code, compact.stderr).to.equal(0);
    expect(compact.stdout).to.match(/^Compaction \(compactUnits\)\n/);
    expect(compact.stdout).to.match(/conv1 \(Conv2D\) +1 -> 1 +4 -> 2 /);
    const strip = await cli('strip', at('pruned'), at('stripped'), '--json');
    expect(JSON.parse(strip.stdout)).to.deep.include({ stripped: ['conv1', 'hidden', 'out'], dtype: 'float32' });
    for (const [dir, tolerance] of [['compact', 2e-3], ['stripped', 1e-6]] as const) {
      const json = readFileSync(at(dir, 'model.json'), 'utf8');
      expect(json).to.not.include('Prunable');
      const plain = await tf.loadLayersModel(`file://${at(dir)}`);
      const y = await (plain.predict(x) as tf.Tensor).data();
      y.forEach((v, i) => expect(v, dir).to.be.closeTo(expected[i], tolerance));
      plain.dispose();
    }
    model.dispose();
    x.dispose();
  });

  it('takes a Keras-style model.json (snake_case, keras_version, BatchNormalization axis [3]): summary, prune, compact', async () => {
    const summary = await cli('summary', at('keras', 'model.json'));
    expect(summary.code, summary.stderr).to.equal(0);
    expect(summary.stdout).to.match(/has no prunable layer: shown as makePrunable would convert it/);
    expect(summary.stdout).to.match(/\nconv2d \(PrunableConv2D\) +\[3,3,1,6\]/);
    const pruned = await cli('prune', at('keras'), at('keras-pruned'), '--method', 'unit', '--sparsity', '0.5', '--layers', 'conv2d,dense');
    expect(pruned.code, pruned.stderr).to.equal(0);
    expect(pruned.stdout).to.match(/had no prunable layer: converted with makePrunable first/);
    expect(pruned.stdout).to.include('conv2d (PrunableConv2D): sparsity 0.5000');
    const compact = await cli('compact', at('keras-pruned'), at('keras-compact'), '--json');
    expect(compact.code, compact.stderr).to.equal(0);
    const report = JSON.parse(compact.stdout);
    const dense = report.compaction.layers.find((l: { layer: string }) => l.layer === 'dense');
    expect(dense.outputs).to.deep.equal({ before: 8, after: 4 });
    const plain = await tf.loadLayersModel(`file://${at('keras-compact')}`);
    expect(plain.layers.map((l) => l.getClassName())).to.not.include('PrunableDense');
    plain.dispose();
    // Channel pruning takes the BatchNormalization with its convolution, so the channels compact.
    const channels = await cli('prune', at('keras'), at('keras-channels'), '--method', 'channel', '--sparsity', '0.5', '--round-to', '1', '--json');
    expect(channels.code, channels.stderr).to.equal(0);
    const compacted = JSON.parse((await cli('compact', at('keras-channels'), at('keras-channels-compact'), '--json')).stdout);
    expect(compacted.compaction.layers.find((l: { layer: string }) => l.layer === 'conv2d').outputs).to.deep.equal({ before: 6, after: 3 });
  });

  it('fails with one line naming the path or option, a non-zero exit and no stack: missing, not JSON, graph model, bad options', async () => {
    expectFailure(await cli('summary', at('nothing-here')), /nothing-here: no such file or folder\.$/);
    writeFileSync(at('not.json'), 'not json');
    expectFailure(await cli('summary', at('not.json')), /not\.json: it is not valid JSON/);
    mkdirSync(at('graph'));
    writeFileSync(at('graph', 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }));
    writeFileSync(at('graph', 'w.bin'), '');
    expectFailure(await cli('summary', at('graph')), /graph model.*--output_format tfjs_layers_model/);
    expectFailure(await cli('prune', at('prunable'), at('x'), '--sparsity', '0.5', '--frobnicate'), /unknown option '--frobnicate'/);
    expectFailure(await cli('prune', at('prunable'), at('x'), '--sparsity', '1.5'), /option '--sparsity <k>' argument '1\.5' is invalid/);
    expectFailure(await cli('prune', at('prunable'), at('x')), /--sparsity is required with --method weight/);
    expectFailure(await cli('prune', at('prunable'), at('x'), '--method', 'filters', '--sparsity', '0.5'), /'--method <method>' argument 'filters' is invalid/);
    expectFailure(await cli('strip', at('prunable'), at('x'), '--quantize', 'int4'), /'--quantize <dtype>' argument 'int4' is invalid/);
    expectFailure(await cli('prune', at('prunable'), at('x'), '--sparsity', '0.5', '--layers', 'nope'), /the model has no layer named 'nope'/);
    expect(existsSync(at('x'))).to.equal(false);
  });

  it('refuses an output folder that exists unless --force, leaving it as it was; --force replaces the model', async () => {
    mkdirSync(at('existing'));
    writeFileSync(at('existing', 'notes.txt'), 'mine');
    expectFailure(await cli('strip', at('prunable'), at('existing')), /existing exists; pass --force to replace the model in it\.$/);
    expect(existsSync(at('existing', 'model.json'))).to.equal(false);
    const forced = await cli('strip', at('prunable'), at('existing'), '--force');
    expect(forced.code, forced.stderr).to.equal(0);
    expect(readFileSync(at('existing', 'notes.txt'), 'utf8')).to.equal('mine');
    (await tf.loadLayersModel(`file://${at('existing')}`)).dispose();
    // The output is checked before any work: a missing input is not even read.
    expectFailure(await cli('strip', at('missing'), at('existing')), /existing exists; pass --force to replace the model in it\.$/);
  });

  it('takes the output as a folder\'s model.json, and a relative file:// URL as the input', async () => {
    const result = await cli('strip', 'file://./prunable', at('as-json', 'model.json'));
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`Wrote ${at('as-json', 'model.json')} and ${at('as-json', 'weights.bin')}`);
    expect(existsSync(at('as-json', 'model.json', 'model.json'))).to.equal(false);
    (await tf.loadLayersModel(`file://${at('as-json', 'model.json')}`)).dispose();
  });
});
