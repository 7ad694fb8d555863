/**
 * Builds the page into dist/app/, a static site to host anywhere: index.html
 * and style.css, main.js (the page) and worker.js (its Web Worker, with the
 * library and TF.js) bundled by esbuild, the wasm backend's binaries, the
 * bundled sample (app/sample/) and the guide the page links to.
 *
 *   npm run app:build     # then serve dist/app, or: npm run app
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'fs';
import { dirname, join } from 'path';
import { SAMPLE_DIR, SAMPLE_FILES } from './sample/sample_files';

const ROOT = join(__dirname, '..');
/** Where the site goes. */
export const APP_DIR = join(ROOT, 'dist', 'app');

/** Builds the site into {@link APP_DIR}; returns that folder. */
export async function buildApp(): Promise<string> {
  await build({
    entryPoints: { main: join(__dirname, 'main.ts'), worker: join(__dirname, 'worker.ts') },
    outdir: APP_DIR,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  const copy = (from: string, to: string) => copyFileSync(from, join(APP_DIR, to));
  copy(join(__dirname, 'index.html'), 'index.html');
  copy(join(__dirname, 'style.css'), 'style.css');
  copy(join(ROOT, 'docs', 'guide.md'), 'guide.md');
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copy(join(wasmDir, file), file);
  mkdirSync(join(APP_DIR, SAMPLE_DIR), { recursive: true });
  for (const file of [...Object.values(SAMPLE_FILES), 'weights.bin']) copy(join(__dirname, 'sample', file), join(SAMPLE_DIR, file));
  return APP_DIR;
}

if (require.main === module) {
  buildApp()
    .then((dir) => console.log(`built ${dir}`))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
