// The browser example, end to end: build the bundle, serve it, train a few
// steps with pruning in Debian's headless Chromium, check what the page
// reports and shows, and keep a screenshot in test-artifacts/browser.png.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { buildBrowserExample, EXAMPLE_DIR } from '../../examples/browser/build';
import type { BrowserExampleResult } from '../../examples/browser/main';
import { serveDirectory, StaticServer } from '../../scripts/serve_directory';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const SCREENSHOT = join(__dirname, '..', '..', 'test-artifacts', 'browser.png');
const STEPS = 80;
const CNN_STEPS = 120;

describe('examples/browser in headless Chromium', function () {
  this.timeout(60_000);
  let server: StaticServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  /** Console errors and uncaught exceptions of the page, shown when a check fails. */
  const pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`\n  SKIPPED: the browser test needs Chromium at ${CHROMIUM}, which is missing.\n` +
        '  Install it with: sudo apt-get install chromium   (Debian/Ubuntu; .ci/run does this in CI)\n');
      this.skip();
    }
    await buildBrowserExample();
    server = await serveDirectory(EXAMPLE_DIR);
    profile = mkdtempSync(join(tmpdir(), 'tfjs-prune-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the page with `query`, waits until it is done and returns its result; fails with the page's errors. */
  async function runPage(query: string): Promise<BrowserExampleResult> {
    pageErrors.length = 0;
    await page.goto(`${server.url}${query}`);
    await page.waitForSelector('body[data-done]', { timeout: 40_000 });
    const result = (await page.evaluate(() => window.result)) as BrowserExampleResult | { error: string };
    if ('error' in result) expect.fail(`the page failed: ${result.error}\n${pageErrors.join('\n')}`);
    expect(pageErrors, 'page errors').to.deep.equal([]);
    return result;
  }

  const MLP_MASKS = ['hidden1/kernel', 'hidden2/kernel', 'output/kernel'];
  const CNN_MASKS = ['conv/kernel', 'separable/depthwise_kernel', 'separable/pointwise_kernel', 'output/kernel'];

  /** Each mask prunes exactly round(0.8 · size) entries; 4 classes, so chance accuracy is 0.25. */
  function expectPrunedAndLearned(result: BrowserExampleResult, masks: string[], steps = STEPS): void {
    expect(result.steps).to.equal(steps);
    expect(result.targetSparsity).to.equal(0.8);
    expect(result.masks.map((m) => `${m.layer}/${m.weight}`)).to.deep.equal(masks);
    let pruned = 0;
    let weights = 0;
    for (const { layer, weight, shape, sparsity } of result.masks) {
      const size = shape.reduce((a, b) => a * b, 1);
      expect(sparsity, `${layer}/${weight}`).to.equal(Math.round(0.8 * size) / size);
      pruned += Math.round(0.8 * size);
      weights += size;
    }
    expect(result.sparsity).to.be.closeTo(pruned / weights, 1e-12);
    expect(result.accuracy).to.be.above(0.5);
  }

  /** The page timed the stripped model both ways on wasm: the sparse kernels' module loaded and computed the dense outputs. */
  function expectSparseInference(result: BrowserExampleResult, sparseLayers: string[]): void {
    const inference = result.inference!;
    expect(inference.backend).to.equal('wasm');
    expect(inference.sparseLayers).to.deep.equal(sparseLayers);
    expect(inference.maxDifference).to.be.below(1e-5);
    expect(inference.denseMs).to.be.above(0);
    expect(inference.sparseMs).to.be.above(0);
  }

  it(`trains ${STEPS} steps with pruning to 80% sparsity on webgl or wasm and draws each layer's mask`, async () => {
    const result = await runPage(`?steps=${STEPS}`);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(['webgl', 'wasm'], 'backend').to.include(result.backend);
    expectPrunedAndLearned(result, MLP_MASKS);
    expectSparseInference(result, ['hidden1', 'hidden2', 'output']);
    // Each canvas is a mask: one pixel per kernel entry, the pruned ones in the pruned colour.
    const canvases = await page.$$eval('#masks canvas', (elements) => (elements as HTMLCanvasElement[]).map((canvas) => {
      const pixels = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
      let dark = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i] === 22 && pixels[i + 1] === 27 && pixels[i + 2] === 45) dark++;
      return { mask: canvas.dataset.mask, height: canvas.height, width: canvas.width, dark };
    }));
    expect(canvases).to.deep.equal(result.masks.map((m) => ({
      mask: `${m.layer}/${m.weight}`, height: m.shape[0], width: m.shape[1], dark: Math.round(m.sparsity * m.shape[0] * m.shape[1]),
    })));
  });

  it('runs on the wasm backend too, fetching the .wasm files copied next to the bundle', async () => {
    const result = await runPage(`?steps=${STEPS}&backend=wasm`);
    expect(result.backend).to.equal('wasm');
    expectPrunedAndLearned(result, MLP_MASKS);
  });

  for (const backend of ['webgl', 'wasm']) {
    it(`trains and prunes a small CNN (convolution, pooling, separable convolution) on ${backend}`, async () => {
      const result = await runPage(`?steps=${CNN_STEPS}&model=cnn&backend=${backend}`);
      expect(result.backend).to.equal(backend);
      expectPrunedAndLearned(result, CNN_MASKS, CNN_STEPS);
      // The 3x3 convolution stays dense; the separable convolution's pointwise half and the Dense convert.
      expectSparseInference(result, ['separable', 'output']);
    });
  }
});
