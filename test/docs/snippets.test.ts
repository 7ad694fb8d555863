// Every JavaScript and TypeScript block of README.md and docs/ runs, as a
// user's program: in a temporary project where 'tfjs-prune' and
// 'tfjs-prune/node' are this checkout's CommonJS build (which Node loads for
// `import` and `require` alike) under the package's own exports map, with
// this repository's TF.js packages, on the wasm backend (preloaded with
// `node --import`, as a user's app would pick it). A block is an ES module
// (.mjs) unless it uses `require` (.cjs). A `ts` block is also type-checked
// with tsc (strict, node16 resolution) against the package's types, then run.
// A block marked `<!-- fragment: name -->` runs after the setup of that name
// (./snippets.ts). The blocks of one file run in order in one working
// directory, so a block may read what an earlier one saved; files run in
// parallel. Every other block must be `sh` or `text`: an unlabelled block
// fails the suite until it is labelled.
import { expect } from 'chai';
import { execFile } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pathToFileURL } from 'url';
import * as ts from 'typescript';
import { buildPackage } from '../../scripts/build';
import { Block, docFiles, extractBlocks, moduleStyle, RUN_LANGUAGES, SETUPS, TEXT_LANGUAGES } from './snippets';

const ROOT = join(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };
const FILES = docFiles(ROOT);
const BLOCKS = FILES.flatMap((file) => extractBlocks(readFileSync(join(ROOT, file), 'utf8'), file));
const PROGRAMS = BLOCKS.filter((b) => Object.prototype.hasOwnProperty.call(RUN_LANGUAGES, b.language));
/** Longest a block may run (the docs' blocks take a few seconds each on wasm). */
const BLOCK_TIMEOUT_MS = 90_000;

/** What running a block gave. */
interface Run {
  /** Exit code, or null if killed. */
  status: number | null;
  output: string;
  /** Where the block's line n is in the Markdown file, for messages. */
  where: string;
}

/** One runnable block, written into the project. */
interface Program {
  block: Block;
  /** The file node runs. */
  run: string;
  /** The file tsc checks (ts blocks only). */
  typed: string | null;
  /** Lines of setup before the block's first line. */
  offset: number;
}

/** Runs node with `args` in `cwd`; never rejects. */
function node(args: string[], cwd: string, timeout: number): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const status = error == null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, output: `${stdout}${stderr}${error?.killed ? `\n(killed after ${timeout} ms)` : ''}` });
    });
  });
}

/** A directory name for the blocks of `file`. */
const slug = (file: string) => file.replace(/\.md$/, '').replace(/[^\w]+/g, '-').toLowerCase();

/** Writes `block` (after its fragment's setup) into `project`, as the file node runs and, for ts, the file tsc checks. */
function writeProgram(project: string, block: Block): Program {
  const style = moduleStyle(block.code, block.id);
  const setup = block.fragment == null ? '' : SETUPS[block.fragment].code;
  const source = `${setup}${block.code}`;
  const dir = join(project, slug(block.file));
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `block-${block.line}`);
  const jsExt = style === 'esm' ? '.mjs' : '.cjs';
  let typed: string | null = null;
  let js = source;
  if (RUN_LANGUAGES[block.language] === 'ts') {
    typed = `${base}${style === 'esm' ? '.mts' : '.cts'}`;
    writeFileSync(typed, source);
    js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: style === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS },
    }).outputText;
  }
  writeFileSync(`${base}${jsExt}`, js);
  return { block, run: `${base}${jsExt}`, typed, offset: setup === '' ? 0 : setup.split('\n').length - 1 };
}

/** "block-67.mjs line n is README.md line 67 + n (after 12 lines of setup)". */
function where(p: Program): string {
  const name = p.typed ?? p.run;
  return `${name.slice(name.lastIndexOf('/') + 1)} line n is ${p.block.file} line ${p.block.line} + n` +
    (p.offset > 0 ? ` - ${p.offset} (after the ${p.offset} lines of setup '${p.block.fragment}')` : '');
}

/** What a newcomer writes first: `getLayer` is typed Layer, which has no `sparsity` (one error, on line 4). */
const UNTYPED_ACCESS = `import * as tf from '@tensorflow/tfjs';
import { prunableDense } from 'tfjs-prune';
const model = tf.sequential({ layers: [prunableDense({ units: 2, inputShape: [3], name: 'hidden1' })] });
console.log(model.getLayer('hidden1').sparsity());
`;

/** The runnable block whose output `block` (marked `<!-- output -->`) quotes: the one before it in its file. */
function quotedBlock(blocks: readonly Block[], block: Block): Block | undefined {
  const before = blocks.filter((b) => b.file === block.file && b.line < block.line);
  const last = before[before.length - 1];
  return last !== undefined && Object.prototype.hasOwnProperty.call(RUN_LANGUAGES, last.language) ? last : undefined;
}

/** Problems of the docs' blocks that need no run: languages, fragment setups, module styles. */
function blockProblems(blocks: Block[]): string[] {
  const known = [...Object.keys(RUN_LANGUAGES), ...TEXT_LANGUAGES].join(', ');
  return blocks.flatMap((b) => {
    const problems: string[] = [];
    const runs = Object.prototype.hasOwnProperty.call(RUN_LANGUAGES, b.language);
    if (b.language === '') {
      problems.push(`${b.id}: a code block without a language: label it js or ts (run by this test), or sh or text (not run).`);
    } else if (!runs && !TEXT_LANGUAGES.includes(b.language)) {
      problems.push(`${b.id}: language '${b.language}' is none of ${known}.`);
    }
    if (b.fragment != null && !Object.prototype.hasOwnProperty.call(SETUPS, b.fragment)) {
      problems.push(`${b.id}: fragment '${b.fragment}' names no setup of test/docs/snippets.ts (${Object.keys(SETUPS).join(', ')}).`);
    }
    if (b.fragment != null && !runs) problems.push(`${b.id}: only js and ts blocks can be fragments.`);
    if (b.output && (b.language !== 'text' || quotedBlock(blocks, b) === undefined)) {
      problems.push(`${b.id}: an output block is a text block after a js or ts block of the same file, quoting what it printed.`);
    }
    if (runs) {
      try {
        moduleStyle(b.code, b.id);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return problems;
  });
}

describe("the docs' code blocks", function () {
  this.timeout(2 * BLOCK_TIMEOUT_MS);
  let project: string;
  const runs = new Map<string, Promise<Run>>();
  const programs = new Map<string, Program>();
  let typeErrors: Promise<Map<string, string[]>>;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'tfjs-prune-docs-'));
    // The package as installed: its package.json (exports map) and CommonJS build.
    const pkg = join(project, 'node_modules', PACKAGE.name);
    mkdirSync(pkg, { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    buildPackage(join(pkg, 'dist'), ['cjs']);
    // This repository's TF.js packages, each linked (never the folder itself), and Node's types for tsc.
    const scope = join(ROOT, 'node_modules', '@tensorflow');
    mkdirSync(join(project, 'node_modules', '@tensorflow'));
    for (const name of readdirSync(scope)) symlinkSync(join(scope, name), join(project, 'node_modules', '@tensorflow', name), 'dir');
    mkdirSync(join(project, 'node_modules', '@types'));
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
    const preload = join(project, 'wasm-backend.mjs');
    writeFileSync(preload, "import * as tf from '@tensorflow/tfjs';\nimport '@tensorflow/tfjs-backend-wasm';\nawait tf.setBackend('wasm');\n");

    for (const file of FILES) {
      // One file's blocks in order, each after the previous one ended; the files side by side.
      let previous: Promise<unknown> = Promise.resolve();
      for (const block of PROGRAMS.filter((b) => b.file === file)) {
        let program: Program;
        try {
          program = writeProgram(project, block);
        } catch (error) {
          runs.set(block.id, Promise.resolve({ status: null, output: (error as Error).message, where: '' }));
          continue;
        }
        programs.set(block.id, program);
        const run = previous.then(async () => ({
          ...await node(['--import', pathToFileURL(preload).href, program.run], join(project, slug(file)), BLOCK_TIMEOUT_MS),
          where: where(program),
        }));
        runs.set(block.id, run);
        previous = run;
      }
    }
    // A check that the check bites: the newcomer's untyped access, which must fail as it would for a user.
    const untyped = join(project, 'untyped-access.mts');
    writeFileSync(untyped, UNTYPED_ACCESS);
    const typed = [...[...programs.values()].flatMap((p) => p.typed ?? []), untyped];
    typeErrors = node([TSC, '--noEmit', '--pretty', 'false', '--strict', '--skipLibCheck',
      '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node',
      ...typed], project, BLOCK_TIMEOUT_MS).then(({ status, output }) => {
      const errors = new Map<string, string[]>(typed.map((file) => [file, []]));
      for (const line of output.split('\n').filter((l) => l.trim() !== '')) {
        // tsc names each file relative to its working directory: `readme/block-84.mts(7,3): error TS…`.
        const file = typed.find((f) => line.startsWith(`${f.slice(project.length + 1)}(`));
        if (file != null) errors.get(file)!.push(line);
      }
      // A failure that names none of the blocks (tsc itself failing) fails every ts block.
      if (status !== 0 && [...errors.values()].every((e) => e.length === 0)) for (const e of errors.values()) e.push(output);
      return errors;
    });
  });

  after(async () => {
    await Promise.all([...runs.values(), typeErrors]);
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('type-checks against the real types: model.getLayer(name).sparsity() is an error, as it is for a user', async () => {
    const errors = (await typeErrors).get(join(project, 'untyped-access.mts'))!;
    expect(errors.join('\n')).to.match(/error TS2339: Property 'sparsity' does not exist on type 'Layer'/);
    expect(errors).to.have.length(1);
  });

  it('has a language on every block, js or ts to run, sh or text not to; fragments name a setup; no block mixes import and require', () => {
    expect(FILES).to.include.members(['README.md', 'docs/guide.md']);
    expect(blockProblems(BLOCKS)).to.deep.equal([]);
  });

  for (const block of PROGRAMS) {
    const kind = RUN_LANGUAGES[block.language];
    const what = `${block.id} (${block.language}${block.fragment == null ? '' : `, a fragment after setup '${block.fragment}'`})`;
    if (kind === 'ts') {
      it(`${what} type-checks against the package's types`, async () => {
        const program = programs.get(block.id);
        const errors = program == null ? [(await runs.get(block.id)!).output] : (await typeErrors).get(program.typed!)!;
        expect(errors, `tsc${program == null ? '' : ` (${where(program)})`}:\n${errors.join('\n')}`).to.deep.equal([]);
      });
    }
    it(`${what} runs`, async () => {
      const run = await runs.get(block.id)!;
      expect(run.status, `${block.id} failed${run.where ? ` (${run.where})` : ''}:\n${run.output}`).to.equal(0);
    });
  }

  for (const block of BLOCKS.filter((b) => b.output && b.language === 'text')) {
    const quoted = quotedBlock(BLOCKS, block);
    if (quoted === undefined) continue;
    it(`${block.id} quotes lines that ${quoted.id} prints`, async () => {
      const printed = new Set((await runs.get(quoted.id)!).output.split('\n').map((l) => l.trimEnd()));
      const missing = block.code.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '' && !printed.has(l));
      expect(missing, `${block.id} quotes lines ${quoted.id} does not print`).to.deep.equal([]);
    });
  }

  it('names in its sh blocks only npm scripts of package.json, example files that exist and the tarball npm pack builds', () => {
    const problems: string[] = [];
    for (const block of BLOCKS.filter((b) => b.language === 'sh')) {
      for (const [i, raw] of block.code.split('\n').entries()) {
        const line = raw.replace(/#.*$/, '');
        const at = `${block.file}:${block.line + 1 + i}`;
        for (const [, script] of line.matchAll(/\bnpm run ([\w:.-]+)/g)) {
          if (!(script in PACKAGE.scripts)) problems.push(`${at}: npm run ${script}: no such script`);
        }
        if (/\bnpm start\b/.test(line) && !('start' in PACKAGE.scripts)) problems.push(`${at}: npm start: no start script`);
        for (const [, file] of line.matchAll(/\b((?:examples|scripts|bench|experiments)\/[\w./-]+\.ts)\b/g)) {
          if (!existsSync(join(ROOT, file))) problems.push(`${at}: ${file} does not exist`);
        }
        for (const [, tarball] of line.matchAll(/\.\/([\w.-]+\.tgz)/g)) {
          if (tarball !== `${PACKAGE.name}-${PACKAGE.version}.tgz`) problems.push(`${at}: npm pack builds ${PACKAGE.name}-${PACKAGE.version}.tgz, not ${tarball}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });
});

describe("the docs' code blocks: extraction", () => {
  const markdown = [
    '# Title',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    '```',
    'Text.',
    '<!-- fragment: trained-mlp -->',
    '',
    '~~~ts',
    'const n: number = 1;',
    '~~~',
    '```',
    'output = activation(input · kernel)',
    '```',
    '   ```sh title="x"',
    '   npm test',
    '   ```',
  ].join('\n');

  it('finds every fenced block with its line, language, code and fragment setup', () => {
    const blocks = extractBlocks(markdown, 'x.md');
    expect(blocks.map((b) => [b.id, b.language, b.code, b.fragment])).to.deep.equal([
      ['x.md:2', 'js', "import * as tf from '@tensorflow/tfjs';\n", null],
      ['x.md:8', 'ts', 'const n: number = 1;\n', 'trained-mlp'],
      ['x.md:11', '', 'output = activation(input · kernel)\n', null],
      ['x.md:14', 'sh', 'npm test\n', null],
    ]);
    expect(() => extractBlocks('```js\nopen\n', 'y.md')).to.throw('y.md:1: the code block opened here is never closed.');
  });

  it('fails the suite on an unlabelled block, an unknown language, an unknown setup and a block that mixes import and require', () => {
    const blocks = extractBlocks([
      '```', 'x', '```',
      '```python', 'x', '```',
      '<!-- fragment: nothing -->', '```js', 'x;', '```',
      '```js', "import a from 'a';", "const b = require('b');", '```',
    ].join('\n'), 'z.md');
    const problems = blockProblems(blocks);
    expect(problems).to.have.length(4);
    expect(problems[0]).to.equal('z.md:1: a code block without a language: label it js or ts (run by this test), or sh or text (not run).');
    expect(problems[1]).to.match(/^z\.md:4: language 'python' is none of js, javascript/);
    expect(problems[2]).to.match(/^z\.md:8: fragment 'nothing' names no setup of test\/docs\/snippets\.ts \(trained-mlp/);
    expect(problems[3]).to.match(/^z\.md:11: the block mixes import and require/);
  });

  it('reads an output marker, which must be on a text block after a runnable one', () => {
    const blocks = extractBlocks([
      '```js', 'console.log(1);', '```', '<!-- output -->', '```text', '1', '```',
      '<!-- output -->', '```text', '2', '```',
    ].join('\n'), 'o.md');
    expect(blocks.map((b) => b.output)).to.deep.equal([false, true, true]);
    expect(blockProblems(blocks)).to.deep.equal(['o.md:9: an output block is a text block after a js or ts block of the same file, quoting what it printed.']);
  });

  it('runs a block as CommonJS when it requires and as an ES module otherwise, ignoring comments', () => {
    expect(moduleStyle("const tf = require('@tensorflow/tfjs');\n", 'a')).to.equal('cjs');
    expect(moduleStyle("import { x } from 'tfjs-prune';\nawait x();\n", 'a')).to.equal('esm');
    expect(moduleStyle("await f(); // like require('x')\n", 'a')).to.equal('esm');
    expect(moduleStyle("import 'tfjs-prune';\n/* require('y') */\n", 'a')).to.equal('esm');
    expect(moduleStyle("const url = 'https://example.com'; require('x');\n", 'a')).to.equal('cjs');
  });
});
