// The package as users get it: built and packed as `npm pack` does (in a
// staging copy, so that concurrent runs and the developer's dist/ do not
// meet), the tarball's contents, and the tarball installed into a fresh
// project, imported with `require` and with `import` through both entries,
// and type-checked the ways TypeScript resolves packages.
import { expect } from 'chai';
import { execFileSync } from 'child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import { buildPackage } from '../../scripts/build';

const ROOT = join(__dirname, '..', '..');
const { name, version, dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; dependencies: Record<string, string>;
};
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs a command, returning its stdout; on failure the error carries stdout and stderr. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

/** Every relative or in-package file specifier of a built file (`from './x.js'`, `import("./x.js")`). */
function fileSpecifiers(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith('.') || /^(@[^/]+\/)?[^@/][^/]*\/./.test(s));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

// What each consumer does with the library: prune a model with the main entry,
// save and reload it with the node entry, and check that both entries share one
// PrunableDense class (one registration, working instanceof).
const USE = `
  const model = tf.sequential({ layers: [main.prunableDense({ units: 4, inputShape: [3] })] });
  const [report] = main.pruneModel(model, { method: 'weight', sparsity: 0.5 });
  const dir = process.argv[2];
  await model.save(node.fileSystem(dir));
  const loaded = await node.loadPrunableModel('file://' + dir);
  // The sparse kernels' embedded wasm module loads from the package, and the sparse copy computes the same.
  const sparse = await main.toSparseModel(loaded, { minSparsity: 0.5 });
  const x = tf.ones([2, 3]);
  const difference = tf.max(tf.abs(tf.sub(sparse.predict(x), loaded.predict(x)))).dataSync()[0];
  console.log(JSON.stringify({
    sparseLayers: sparse.layers.filter((layer) => layer instanceof main.SparseDense).length,
    sparseMatches: difference < 1e-5,
    sparsity: report.sparsity,
    loadedSparsity: loaded.layers[0].sparsity(),
    sameClass: main.PrunableDense === node.PrunableDense && loaded.layers[0] instanceof main.PrunableDense,
  }));
`;
const ESM_CONSUMER = `import * as tf from '@tensorflow/tfjs';
import * as main from 'tfjs-prune';
import * as node from 'tfjs-prune/node';
${USE}`;
const CJS_CONSUMER = `const tf = require('@tensorflow/tfjs');
const main = require('tfjs-prune');
const node = require('tfjs-prune/node');
(async () => {${USE}})().catch((error) => { console.error(error); process.exitCode = 1; });
`;
// Type checks: real types (a wrong option is an error), not `any`, through both entries.
const TYPED_CONSUMER = `import { prunableDense, pruneModel, type LayerPruningReport } from 'tfjs-prune';
import { fileSystem, type NodeFileSystem } from 'tfjs-prune/node';
export const prune = (m: Parameters<typeof pruneModel>[0]): LayerPruningReport[] => pruneModel(m, { method: 'unit', sparsity: 0.5 });
export const handler: NodeFileSystem = fileSystem('./model');
// @ts-expect-error: method is a PruningMethod
pruneModel(prune as never, { method: 'weights', sparsity: 0.5 });
// @ts-expect-error: units is a number (PrunableDenseLayerArgs resolves to Dense's options)
prunableDense({ units: 'four' });
`;

describe('the packed package', function () {
  this.timeout(90_000);
  let work: string;
  let tarball: string;
  let project: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'tfjs-prune-pack-'));
    // What `npm pack` packs here: package.json, README.md, LICENSE, the docs and examples
    // the README links to (package.json's files) and the prepack build.
    const stage = join(work, 'stage');
    mkdirSync(stage);
    for (const file of ['package.json', 'README.md', 'LICENSE']) copyFileSync(join(ROOT, file), join(stage, file));
    for (const dir of ['docs', 'examples']) cpSync(join(ROOT, dir), join(stage, dir), { recursive: true });
    buildPackage(join(stage, 'dist'));
    run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], stage);
    tarball = join(work, `${name}-${version}.tgz`);
    project = join(work, 'project');
    mkdirSync(project);
    // Offline: the package's dependencies from tarballs of this repository's copies (the same versions),
    // through overrides, so that only what its dependencies name gets installed.
    const overrides: Record<string, string> = {};
    for (const dep of Object.keys(dependencies)) {
      const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work, join(ROOT, 'node_modules', dep)], work).trim();
      overrides[dep] = `file:${join(work, packed)}`;
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, overrides }));
    // Without the peer dependencies: they come from this repository below.
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--no-package-lock', tarball], project);
    // Link each TF.js package, never the @tensorflow folder itself: an npm command run in the
    // project would prune the packages it did not install from a linked folder, in this repository.
    const scope = join(ROOT, 'node_modules', '@tensorflow');
    mkdirSync(join(project, 'node_modules', '@tensorflow'));
    for (const pkg of readdirSync(scope)) symlinkSync(join(scope, pkg), join(project, 'node_modules', '@tensorflow', pkg), 'dir');
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds only package.json, the README, the LICENSE, the docs and examples it links to, and the two builds', () => {
    const files = run('tar', ['-tzf', tarball], work).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const others = files.filter((f) => !/^dist\/(cjs|esm)\/.+\.(js|d\.ts)$/.test(f) && !/^dist\/(cjs|esm)\/package\.json$/.test(f) &&
      !/^examples\//.test(f) && !/^docs\/results\/[\w-]+\.svg$/.test(f));
    expect(others.sort()).to.deep.equal(['LICENSE', 'README.md', 'docs/app.png', 'docs/guide.md', 'docs/performance.md', 'docs/results/README.md', 'docs/results/results.json', 'package.json']);
    expect(files).to.include.members(['examples/quick_start.ts', 'examples/browser/index.html']);
    // The examples' sources, not the browser example's build (megabytes of bundle and wasm binaries).
    expect(files.filter((f) => /^examples\//.test(f) && !/^examples\/(browser\/)?[\w.]+\.(ts|html)$/.test(f))).to.deep.equal([]);
    for (const build of ['cjs', 'esm']) {
      for (const file of ['index.js', 'index.d.ts', 'node.js', 'node.d.ts', 'package.json']) {
        expect(files, `dist/${build}/${file}`).to.include(`dist/${build}/${file}`);
      }
      expect(files.filter((f) => f.startsWith(`dist/${build}/`) && f.endsWith('.js')).length).to.be.above(20);
    }
    const types = (build: string) => JSON.parse(readFileSync(join(project, 'node_modules', name, 'dist', build, 'package.json'), 'utf8'));
    expect(types('cjs')).to.deep.equal({ type: 'commonjs' });
    expect(types('esm')).to.deep.equal({ type: 'module' });
  });

  it('holds every file its Markdown files link to, so the links work in the installed package', () => {
    const installed = join(project, 'node_modules', name);
    const broken: string[] = [];
    for (const file of filesUnder(installed).filter((f) => f.endsWith('.md'))) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(dirname(file), target))) broken.push(`${relative(installed, file)}: ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
  });

  it('names every file it imports with its extension in the ES module build, as Node requires', () => {
    const esm = join(project, 'node_modules', name, 'dist', 'esm');
    const files = filesUnder(esm).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'));
    const specifiers = files.flatMap((f) => fileSpecifiers(readFileSync(f, 'utf8')));
    expect(specifiers.length).to.be.above(50);
    expect(specifiers.filter((s) => !s.endsWith('.js'))).to.deep.equal([]);
    expect(specifiers).to.include('./masks/index.js');
    expect(specifiers).to.include('@tensorflow/tfjs-layers/dist/layers/core.js');
  });

  for (const [kind, file, source] of [['import', 'consumer.mjs', ESM_CONSUMER], ['require', 'consumer.cjs', CJS_CONSUMER]]) {
    it(`loads with ${kind} through 'tfjs-prune' and 'tfjs-prune/node': prunes, saves, reloads`, () => {
      writeFileSync(join(project, file), source);
      const output = run(process.execPath, [file, join(work, `model-${kind}`)], project);
      expect(JSON.parse(output.trim().split('\n').pop()!)).to.deep.equal({ sparseLayers: 1, sparseMatches: true, sparsity: 0.5, loadedSparsity: 0.5, sameClass: true });
    });
  }

  it('gives import and require one PrunableDense class in one Node app (Node loads the CommonJS build for both)', () => {
    writeFileSync(join(project, 'mixed.mjs'), `import { createRequire } from 'module';
import * as imported from 'tfjs-prune';
import * as importedNode from 'tfjs-prune/node';
const require = createRequire(import.meta.url);
const required = require('tfjs-prune');
console.log(JSON.stringify([imported.PrunableDense === required.PrunableDense, importedNode.PrunableDense === required.PrunableDense]));
`);
    const output = run(process.execPath, ['mixed.mjs'], project);
    expect(JSON.parse(output.trim().split('\n').pop()!)).to.deep.equal([true, true]);
  });

  it('installs the tfjs-prune command, which runs with what the package depends on and @tensorflow/tfjs beside it', () => {
    const command = join(project, 'node_modules', '.bin', 'tfjs-prune');
    expect(run(command, ['--version'], project).trim()).to.equal(version);
    writeFileSync(join(project, 'save.mjs'), `import * as tf from '@tensorflow/tfjs';
import { prunableDense } from 'tfjs-prune';
import { fileSystem } from 'tfjs-prune/node';
const model = tf.sequential({ layers: [prunableDense({ units: 6, inputShape: [4], name: 'hidden' }), prunableDense({ units: 2, name: 'out' })] });
await model.save(fileSystem('cli-model'));
`);
    run(process.execPath, ['save.mjs'], project);
    const pruned = run(command, ['prune', 'cli-model', 'cli-pruned', '--method', 'unit', '--sparsity', '0.5'], project);
    expect(pruned).to.include('hidden (PrunableDense): sparsity 0.5000, 12 of 24 weights kept, 3 of 6 units pruned');
    run(command, ['compact', 'cli-pruned', 'cli-compact'], project);
    // Plain TF.js loads the result, without tfjs-prune.
    writeFileSync(join(project, 'load.cjs'), `const tf = require('@tensorflow/tfjs');
const fs = require('fs');
const json = JSON.parse(fs.readFileSync('cli-compact/model.json', 'utf8'));
const weights = new Uint8Array(fs.readFileSync('cli-compact/weights.bin')).buffer;
tf.loadLayersModel(tf.io.fromMemory(json.modelTopology, json.weightsManifest[0].weights, weights))
  .then((m) => console.log(JSON.stringify(m.layers.map((l) => [l.getClassName(), l.getConfig().units]))));
`);
    expect(JSON.parse(run(process.execPath, ['load.cjs'], project).trim())).to.deep.equal([['Dense', 3], ['Dense', 2]]);
  });

  it('type-checks in TypeScript with node16 (ES module and CommonJS files), bundler and node10 resolution', () => {
    writeFileSync(join(project, 'consumer.mts'), TYPED_CONSUMER);
    writeFileSync(join(project, 'consumer.cts'), TYPED_CONSUMER);
    writeFileSync(join(project, 'consumer.ts'), TYPED_CONSUMER);
    const options = ['--noEmit', '--strict', '--skipLibCheck', '--lib', 'es2020,dom'];
    run(process.execPath, [TSC, ...options, '--module', 'node16', '--moduleResolution', 'node16', 'consumer.mts', 'consumer.cts'], project);
    run(process.execPath, [TSC, ...options, '--module', 'esnext', '--moduleResolution', 'bundler', 'consumer.ts'], project);
    run(process.execPath, [TSC, ...options, '--module', 'commonjs', '--moduleResolution', 'node10', '--esModuleInterop', 'consumer.ts'], project);
  });
});
