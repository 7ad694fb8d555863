// The main entry (src/index.ts) must bundle for browsers: esbuild's browser
// platform fails on any import of a Node built-in (fs, path, ...), anywhere below it.
import { expect } from 'chai';
import { build, BuildOptions, Message } from 'esbuild';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');
const TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'];
const OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  // The peer dependencies (and their subpaths) stay imports; everything else is bundled.
  external: TFJS,
  write: false,
  logLevel: 'silent',
  // Paths in the metafile are relative to it.
  absWorkingDir: ROOT,
};

/** The errors of a failed build, from esbuild's exception. */
async function buildErrors(options: BuildOptions): Promise<Message[]> {
  try {
    await build(options);
    return [];
  } catch (error) {
    return (error as { errors: Message[] }).errors;
  }
}

describe('src/index.ts for the browser', () => {
  it('bundles for the browser platform, importing only the TF.js peer dependencies', async () => {
    const result = await build({ ...OPTIONS, metafile: true, entryPoints: [join(ROOT, 'src', 'index.ts')] });
    expect(result.errors).to.deep.equal([]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    const foreign = imports.filter((path) => !TFJS.some((pkg) => path === pkg || path.startsWith(`${pkg}/`)));
    expect(foreign, 'imports other than tfjs-core and tfjs-layers').to.deep.equal([]);
    const bundled = Object.keys(result.metafile.inputs);
    expect(bundled.filter((file) => !file.startsWith('src/')), 'bundled files outside src/').to.deep.equal([]);
  });

  it('would fail on a Node built-in: the check above can catch one', async () => {
    const errors = await buildErrors({
      ...OPTIONS,
      stdin: { contents: "import { readFileSync } from 'fs'; export const f = readFileSync;", resolveDir: join(ROOT, 'src'), loader: 'ts' },
    });
    expect(errors.map((e) => e.text)).to.deep.equal(['Could not resolve "fs"']);
    expect(errors[0].notes.map((n) => n.text).join(' ')).to.contain('built into node');
  });
});
