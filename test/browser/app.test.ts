// The page (app/), end to end in Debian's headless Chromium: one build, one
// browser, one page, its states in order (load the sample, prune by unit,
// compact, download; a Keras-style upload; bad files; fine-tune and cancel),
// each checked against what the library computes in Node, and a screenshot
// of each in test-artifacts/. With UPDATE_DOCS_SCREENSHOT=1, the compacted
// sample's is also written to docs/app.png, the README's.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { BrowserContext, chromium, Download, Page } from 'playwright-core';
import { APP_DIR, buildApp } from '../../app/build';
import type { DeployResult, FineTuneResult, Inspection, PruneResult } from '../../app/protocol';
import { compactModelFile, fileSystem, pruneModelFile, summarizeModelFile } from '../../src/node';
import { ONE_SHOT_WARNING } from '../../src/model_files/prune_model_file';
import { DEFAULT_MIN_SPARSITY } from '../../src/transforms/to_sparse_model';
import { serveDirectory, StaticServer } from '../../scripts/serve_directory';
import { writeKerasStyleModel } from '../support/keras_style_model';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SAMPLE = join(ROOT, 'app', 'sample');

describe('the page (app/) in headless Chromium', function () {
  this.timeout(90_000);
  let server: StaticServer;
  let profile: string;
  let files: string;
  let context: BrowserContext;
  let page: Page;
  /** Console errors and uncaught exceptions of the page and its worker. */
  const pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`\n  SKIPPED: the page's test needs Chromium at ${CHROMIUM}, which is missing.\n` +
        '  Install it with: sudo apt-get install chromium   (Debian/Ubuntu; .ci/run does this in CI)\n');
      this.skip();
    }
    await buildApp();
    server = await serveDirectory(APP_DIR);
    profile = mkdtempSync(join(tmpdir(), 'tfjs-prune-app-chromium-'));
    files = mkdtempSync(join(tmpdir(), 'tfjs-prune-app-files-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, acceptDownloads: true, viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    await page.goto(server.url);
    await page.waitForSelector('body[data-last="backend:ok"]');
  });

  after(async () => {
    await context?.close();
    await server?.close();
    for (const dir of [profile, files]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`page errors:\n${pageErrors.join('\n')}`);
  });

  /** Runs `act`, then waits for the page to finish request `name`; checks the worker holds no tensor; returns the outcome ('ok' or 'error'). */
  async function finish(name: string, act: () => Promise<void>): Promise<string> {
    await page.evaluate(() => delete document.body.dataset.last);
    await act();
    await page.waitForSelector(`body[data-last^="${name}:"]`, { timeout: 80_000 });
    // Every request, done or failed, leaves no tensor in the worker.
    expect(await page.evaluate(() => window.workerTensors()), `tensors in the worker after ${name}`).to.equal(0);
    return (await page.evaluate(() => document.body.dataset.last))!.split(':')[1];
  }

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `app-${name}.png`), fullPage: true });
  const results = () => page.evaluate(() => window.appResults);
  const errorLine = () => page.textContent('#error');

  /** The numbers of the table row `measure` of the Deploy section: before and after. */
  async function deployed(measure: string): Promise<[number, number]> {
    const values = await page.$$eval(`#deploy-table tr[data-measure="${measure}"] td[data-value]`, (cells) => cells.map((c) => Number((c as HTMLElement).dataset.value)));
    return [values[0], values[1]];
  }

  /** Drops the files at `paths` on the page's drop zone, as a user dragging them from a file manager. */
  async function dropFiles(paths: string[]): Promise<void> {
    const payload = paths.map((path) => ({ name: basename(path), bytes: Array.from(readFileSync(path)) }));
    const transfer = await page.evaluateHandle((given) => {
      const data = new DataTransfer();
      for (const file of given) data.items.add(new File([new Uint8Array(file.bytes)], file.name));
      return data;
    }, payload);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
  }

  const sampleArtifacts = () => fileSystem(join(SAMPLE, 'model.json')).load();

  it('offers the file input by its label, in a drop zone that is no control itself', async () => {
    expect(await page.getByLabel('Drop model.json and its weight files here, or pick them').getAttribute('id')).to.equal('files');
    const drop = await page.$eval('#drop', (div) => [div.getAttribute('role'), div.getAttribute('tabindex')]);
    expect(drop).to.deep.equal([null, null]);
  });

  it('opens with the keyboard and loads the bundled sample: the table and totals are the library\'s in Node', async () => {
    await page.focus('#sample');
    expect(await finish('load', () => page.keyboard.press('Enter'))).to.equal('ok');
    const { inspection } = await results() as { inspection: Inspection };
    const node = await summarizeModelFile(await sampleArtifacts(), { source: 'model.json' });
    expect(inspection.layers).to.deep.equal(node.layers);
    const totals = await page.$$eval('#totals dd', (dds) => dds.map((dd) => [(dd as HTMLElement).dataset.total, Number((dd as HTMLElement).dataset.value)]));
    expect(totals).to.deep.equal([['Parameters', node.parameters], ['MACs per example', node.macs], ['Weight data', node.weightBytes], ['Layers', 7]]);
    expect(await page.$$eval('#layers tbody tr', (rows) => rows.length)).to.equal(7);
    expect(inspection.accuracy).to.be.above(0.95);
    await page.waitForSelector('#chart svg');
    expect(await page.$$eval('#chart svg .mark-rect.role-mark path', (bars) => bars.length)).to.equal(8); // 4 layers with weights, 2 measures
    await shot('1-loaded');
  });

  it('prunes by unit at 0.5 (the output layer kept, as by the library) and shows the test accuracy before and after', async () => {
    // No layer skipped by default; the output layer is labelled as kept by unit and channel pruning.
    expect(await page.$$eval('#skip input', (boxes) => boxes.map((b) => [(b as HTMLInputElement).value, (b as HTMLInputElement).checked])))
      .to.deep.equal([['conv1', false], ['conv2', false], ['hidden', false], ['output', false]]);
    expect(await page.textContent('#skip')).to.contain('output (output layer: unit and channel pruning keep it)');
    await page.selectOption('#method', 'unit');
    await page.fill('#sparsity', '0.5');
    // A layer skipped: the others are pruned, the output layer still kept by unit pruning.
    await page.check('#skip input[value="hidden"]');
    expect(await finish('prune', () => page.click('#prune-form button[type=submit]'))).to.equal('ok');
    expect((await results()).prune!.layers.map((l) => l.layer)).to.deep.equal(['conv1', 'conv2']);
    // Every layer skipped: the library's error.
    for (const name of ['conv1', 'conv2']) await page.check(`#skip input[value="${name}"]`);
    expect(await finish('prune', () => page.click('#prune-form button[type=submit]'))).to.equal('error');
    expect(await errorLine()).to.match(/layers must select at least one layer/);
    for (const name of ['conv1', 'conv2', 'hidden']) await page.uncheck(`#skip input[value="${name}"]`);
    expect(await finish('prune', () => page.click('#prune-form button[type=submit]'))).to.equal('ok');
    const pruned = (await results()).prune!;
    expect(pruned.layers.map((l) => [l.layer, l.prunedUnits])).to.deep.equal([['conv1', 8], ['conv2', 16], ['hidden', 32]]);
    expect(pruned.accuracy!.after).to.be.below(pruned.accuracy!.before);
    expect(await page.textContent('#prune-summary')).to.contain('Test accuracy:');
    // The table shows the pruned model: its sparsity and pruned units per layer.
    const sparsities = await page.$$eval('#layers tbody tr', (rows) => rows.map((r) => (r.children[5] as HTMLElement).dataset.value));
    expect(sparsities).to.deep.equal(['0.5', '', '0.5', '', '', '0.5', '0']);
    // The library's warning, its guide reference a link to the guide the page serves.
    expect(pruned.warning).to.equal(ONE_SHOT_WARNING);
    const warning = ONE_SHOT_WARNING.charAt(0).toUpperCase() + ONE_SHOT_WARNING.slice(1);
    expect(await page.textContent('#prune-warning')).to.equal(warning.replace('docs/guide.md#one-shot-or-gradual', 'the guide (one-shot-or-gradual)'));
    expect(await page.getAttribute('#prune-warning a', 'href')).to.equal('guide.md#one-shot-or-gradual');
    await shot('2-pruned');
  });

  it('compacts: the parameters and MACs it reports are those the library computes in Node; the downloads load with plain tf.loadLayersModel and predict what the page predicted', async () => {
    await page.selectOption('#transform', 'compact');
    expect(await finish('deploy', () => page.click('#deploy-form button[type=submit]'))).to.equal('ok');
    const { deploy } = await results() as { deploy: DeployResult };
    const layers = (await results()).prune!.layers.map((l) => l.layer);
    const node = await pruneModelFile(await sampleArtifacts(), { method: 'unit', sparsity: 0.5, layers });
    const compact = await compactModelFile(node.artifacts);
    const [original, compacted] = [await summarizeModelFile(await sampleArtifacts()), await summarizeModelFile(compact.artifacts)];
    expect(await deployed('parameters')).to.deep.equal([original.parameters, compacted.parameters]);
    expect(await deployed('macs')).to.deep.equal([original.macs, compacted.macs]);
    expect(compacted.macs).to.equal(compact.report.compaction.total.macs.after);
    const [gzipBefore, gzipAfter] = await deployed('gzipBytes');
    expect(gzipAfter).to.be.below(gzipBefore).and.above(0);
    expect((await deployed('predictMs')).every((t) => t > 0)).to.equal(true);
    // Compaction removed the zeros: nothing for the sparse kernels, at toSparseModel's own threshold.
    expect(deploy.sparse).to.deep.equal({ skipped: `no layer has enough zeros (${100 * DEFAULT_MIN_SPARSITY}%, toSparseModel's minSparsity) for the sparse kernels.` });
    await shot('3-compacted');
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: join(ROOT, 'docs', 'app.png'), fullPage: true });

    // Two downloads, model.json and model.weights.bin, from one click.
    const downloads: Download[] = [];
    const collect = (download: Download) => downloads.push(download);
    page.on('download', collect);
    await page.click('#download');
    for (let i = 0; i < 100 && downloads.length < 2; i++) await new Promise((done) => setTimeout(done, 100));
    page.off('download', collect);
    const folder = join(files, 'download');
    for (const download of downloads) await download.saveAs(join(folder, download.suggestedFilename()));
    expect(downloads.map((d) => d.suggestedFilename()).sort()).to.deep.equal(['model.json', 'model.weights.bin']);
    // Served as a host would serve them: loading checks the manifest's paths name the weight file downloaded.
    const downloaded = await serveDirectory(folder);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(`${downloaded.url}model.json`);
    } finally {
      await downloaded.close();
    }
    expect(model.layers.map((l) => l.getClassName())).to.deep.equal(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    const prediction = tf.tidy(() => Array.from((model.predict(tf.tensor(deploy.probe.inputs[0].values, deploy.probe.inputs[0].shape)) as tf.Tensor).dataSync()));
    model.dispose();
    prediction.forEach((p, i) => expect(p).to.be.closeTo(deploy.probe.output[i], 1e-5));
  });

  it('uploads a Keras-converted model.json with its shard through the file input, and prunes it, showing how far the outputs moved', async () => {
    const dir = join(files, 'keras');
    (await writeKerasStyleModel(dir)).dispose();
    // As tensorflowjs_converter names the shard.
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['group1-shard1of1.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    renameSync(join(dir, 'weights.bin'), join(dir, 'group1-shard1of1.bin'));
    const outcome = await finish('load', () => page.setInputFiles('#files', [join(dir, 'model.json'), join(dir, 'group1-shard1of1.bin')]));
    expect(outcome, (await errorLine())!).to.equal('ok');
    const { inspection } = await results() as { inspection: Inspection };
    expect(inspection).to.deep.include({ model: 'keras_cnn', source: 'model.json', sample: false });
    expect(inspection.layers.map((l) => l.className)).to.deep.equal(['Conv2D', 'BatchNormalization', 'Activation', 'Flatten', 'Dense', 'Dense']);
    await page.selectOption('#method', 'weight');
    await page.fill('#sparsity', '0.9');
    expect(await finish('prune', () => page.click('#prune-form button[type=submit]'))).to.equal('ok');
    const change = (await results()).prune!.outputChange!;
    expect(change.relative).to.be.above(0).and.below(1);
    expect(await page.textContent('#prune-summary')).to.match(/The outputs moved by \d+\.\d%/);
    expect(await page.isHidden('#fine-tune')).to.equal(true);
    // Stripped to float16: half the bytes; its 90%-sparse Dense layers run on the sparse kernels.
    await page.selectOption('#transform', 'strip');
    await page.selectOption('#quantize', 'float16');
    expect(await finish('deploy', () => page.click('#deploy-form button[type=submit]'))).to.equal('ok');
    const [before, after] = await deployed('weightBytes');
    expect(after).to.be.closeTo(before / 2, 16);
    const { sparse } = (await results()).deploy!;
    expect(sparse).to.have.property('layers').that.includes('dense');
    expect(await page.textContent('#deploy-notes')).to.match(/^Weights stored as float16\. Sparse inference \(toSparseModel; .*dense.*\): \d+\.\d+ ms at batch 1\./);
    await page.selectOption('#quantize', '');
    await shot('4-keras');
  });

  it('shows one line naming the file for an unknown layer class, a graph model, a truncated shard, a non-JSON file, a missing shard and a URL that answers 404; then loads dropped files, a URL and the sample', async () => {
    const write = (name: string, data: string | Buffer) => {
      writeFileSync(join(files, name), data);
      return join(files, name);
    };
    const keras = join(files, 'keras');
    const graph = write('graph.json', JSON.stringify({
      format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], versions: { producer: 1 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    }));
    const shard = readFileSync(join(keras, 'group1-shard1of1.bin'));
    mkdirSync(join(files, 'short'));
    writeFileSync(join(files, 'short', 'model.json'), readFileSync(join(keras, 'model.json')));
    writeFileSync(join(files, 'short', 'group1-shard1of1.bin'), shard.subarray(0, shard.length - 8));
    const custom = JSON.parse(readFileSync(join(keras, 'model.json'), 'utf8'));
    custom.modelTopology.config.layers[4].class_name = 'MyAttention';
    mkdirSync(join(files, 'custom'));
    writeFileSync(join(files, 'custom', 'model.json'), JSON.stringify(custom));
    const cases: Array<[string, string[], RegExp]> = [
      ['unknown-layer', [join(files, 'custom', 'model.json'), join(keras, 'group1-shard1of1.bin')],
        /^TensorFlow\.js could not build the model in model\.json: Unknown layer: MyAttention\./],
      ['graph', [graph, join(keras, 'group1-shard1of1.bin')], /^Cannot load a model from graph\.json: it is a graph model .*--output_format tfjs_layers_model/],
      ['short', [join(files, 'short', 'model.json'), join(files, 'short', 'group1-shard1of1.bin')],
        /^Cannot load a model from model\.json: group1-shard1of1\.bin holds \d+ bytes, but its weightsManifest describes \d+: the file is truncated/],
      ['not-json', [write('model.json', 'Not a model, just text')], /^Cannot load a model from model\.json: it is not valid JSON/],
      ['missing', [join(keras, 'model.json')], /^Cannot load a model from model\.json: its weight file group1-shard1of1\.bin is missing/],
    ];
    for (const [name, paths, message] of cases) {
      expect(await finish('load', () => page.setInputFiles('#files', paths)), name).to.equal('error');
      const line = (await errorLine())!;
      expect(line, name).to.match(message);
      expect(line, name).to.not.contain('\n');
      expect(await page.isVisible('#error'), name).to.equal(true);
      // The model loaded before stays.
      expect((await results()).inspection!.model, name).to.equal('keras_cnn');
      await shot(`5-error-${name}`);
    }
    // A URL that answers 404: the error line names it and the status.
    await page.fill('#url', `${server.url}nothing/model.json`);
    expect(await finish('load', () => page.click('#url-form button[type=submit]'))).to.equal('error');
    expect(await errorLine()).to.equal(`Cannot load a model from ${server.url}nothing/model.json: it could not be fetched: HTTP 404 Not Found.`);
    expect((await results()).inspection!.model).to.equal('keras_cnn');
    // Dropped files and a URL load too.
    const dropped = await finish('load', () => dropFiles([join(keras, 'model.json'), join(keras, 'group1-shard1of1.bin')]));
    expect(dropped, (await errorLine())!).to.equal('ok');
    expect(await page.isHidden('#error')).to.equal(true);
    await page.fill('#url', `${server.url}sample/model.json`);
    expect(await finish('load', () => page.click('#url-form button[type=submit]'))).to.equal('ok');
    expect((await results()).inspection).to.deep.include({ model: 'mnist_cnn', source: `${server.url}sample/model.json`, sample: false });
    expect(await finish('load', () => page.click('#sample'))).to.equal('ok');
  });

  it('fine-tunes the pruned sample with PruningScheduleCallback: the accuracy recovers, the sparsity stays (per layer too after a global prune); a long fine-tune cancels', async () => {
    await page.selectOption('#method', 'unit');
    expect(await finish('prune', () => page.click('#prune-form button[type=submit]'))).to.equal('ok');
    const { accuracy: { after: afterPruning }, sparsity } = (await results()).prune! as Required<PruneResult>;
    await page.fill('#steps', '100');
    expect(await finish('fineTune', () => page.click('#fine-tune-start'))).to.equal('ok');
    const tuned = (await results()).fineTune as FineTuneResult;
    expect(tuned).to.deep.include({ steps: 100, cancelled: false });
    expect(tuned.accuracy).to.be.above(afterPruning);
    expect(tuned.sparsity).to.be.closeTo(sparsity, 1e-9);
    expect(await page.getAttribute('#progress', 'value')).to.equal('100');
    await shot('6-fine-tuned');

    // A global prune: the fine-tune keeps its selection (one ranking over the layers), not each layer at the overall sparsity.
    await page.selectOption('#method', 'weight');
    await page.selectOption('#scope', 'global');
    await page.fill('#sparsity', '0.8');
    expect(await finish('prune', () => page.click('#prune-form button[type=submit]'))).to.equal('ok');
    const global = (await results()).prune!;
    const globalLayers = global.layers.map(({ layer, sparsity: s }) => ({ layer, sparsity: s }));
    expect(new Set(globalLayers.map((l) => l.sparsity.toFixed(3))).size, 'layers pruned unevenly').to.be.above(1);
    await page.fill('#steps', '60');
    expect(await finish('fineTune', () => page.click('#fine-tune-start'))).to.equal('ok');
    expect((await results()).fineTune!.layers).to.deep.equal(globalLayers);
    await page.selectOption('#scope', 'layer');

    await page.fill('#steps', '2000');
    const outcome = finish('fineTune', async () => {
      await page.click('#fine-tune-start');
      await page.waitForFunction(() => Number((document.getElementById('progress') as HTMLProgressElement).value) >= 3);
      await page.click('#cancel');
    });
    expect(await outcome).to.equal('ok');
    const cancelled = (await results()).fineTune as FineTuneResult;
    expect(cancelled.cancelled).to.equal(true);
    expect(cancelled.steps).to.be.within(3, 1000);
    expect(await page.textContent('#fine-tune-status')).to.match(/^Cancelled after \d+ steps/);
    expect(await page.isDisabled('#cancel')).to.equal(true);
    await shot('7-cancelled');
  });

  it('runs on webgl when the user chooses it (the Keras-style model), and says so', async () => {
    expect(await finish('backend', async () => {
      await page.selectOption('#backend', 'webgl');
    })).to.equal('ok');
    expect(await page.textContent('#backend-status')).to.equal('running on webgl');
    const keras = join(files, 'keras');
    expect(await finish('load', () => page.setInputFiles('#files', [join(keras, 'model.json'), join(keras, 'group1-shard1of1.bin')]))).to.equal('ok');
    await page.selectOption('#transform', 'strip');
    expect(await finish('deploy', () => page.click('#deploy-form button[type=submit]'))).to.equal('ok');
    const { deploy } = await results() as { deploy: DeployResult };
    expect(deploy.backend).to.equal('webgl');
    expect(deploy.sparse).to.have.property('skipped').that.matches(/wasm and cpu/);
    expect(await page.textContent('#deploy-table')).to.contain('Predict at batch 1 (webgl)');
  });

  it('shows the worker\'s failure in the error line and gives the controls back when worker.js does not load', async () => {
    const broken = await context.newPage();
    try {
      await broken.route('**/worker.js', (route) => route.fulfill({ contentType: 'text/javascript', body: 'throw new Error("worker.js is broken");' }));
      await broken.goto(server.url);
      await broken.waitForSelector('body[data-last="backend:error"]');
      expect(await broken.textContent('#error')).to.match(/^The page's worker failed: .*worker\.js is broken.*\. Reload the page\.$/);
      expect(await broken.isEnabled('#backend')).to.equal(true);
      expect(await broken.isEnabled('#sample')).to.equal(true);
      // A later request fails at once with the same line, rather than waiting forever.
      await broken.evaluate(() => delete document.body.dataset.last);
      await broken.click('#sample');
      await broken.waitForSelector('body[data-last="load:error"]');
      expect(await broken.textContent('#error')).to.match(/^The page's worker failed/);
    } finally {
      await broken.close();
    }
  });

  it('fits a phone\'s width, logged no console error and left no tensor in the worker', async () => {
    expect(await page.evaluate(() => window.workerTensors())).to.equal(0);
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await shot('8-phone');
    expect(overflow).to.equal(0);
    expect(pageErrors).to.deep.equal([]);
  });
});
