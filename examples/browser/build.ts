/**
 * Builds the browser example: bundles main.ts (the library, TF.js and its
 * backends) into dist/main.js with esbuild, and copies the wasm backend's
 * binaries next to it, where main.ts tells TF.js to fetch them.
 *
 *   npm run example:browser:build   # then: npm run example:browser
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'fs';
import { dirname, join } from 'path';

/** The folder of the page (index.html), to serve over HTTP. */
export const EXAMPLE_DIR = __dirname;
/** Where the bundle and the .wasm files go: index.html loads dist/main.js. */
export const OUT_DIR = join(EXAMPLE_DIR, 'dist');

/** Builds dist/main.js and copies the wasm backend's .wasm files beside it; returns the output folder. */
export async function buildBrowserExample(): Promise<string> {
  await build({
    entryPoints: [join(EXAMPLE_DIR, 'main.ts')],
    outfile: join(OUT_DIR, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2019',
    sourcemap: true,
    logLevel: 'warning',
  });
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  mkdirSync(OUT_DIR, { recursive: true });
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(join(wasmDir, file), join(OUT_DIR, file));
  }
  return OUT_DIR;
}

if (require.main === module) {
  buildBrowserExample()
    .then((dir) => console.log(`built ${dir}`))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
