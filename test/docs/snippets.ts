// The code blocks of the Markdown docs, as test/docs/snippets.test.ts runs them:
// which files hold docs, how blocks are found and classified, and the setups
// that fragments assume.
import { readdirSync } from 'fs';
import { join } from 'path';

/** Languages of blocks that run: JavaScript and TypeScript (type-checked too). */
export const RUN_LANGUAGES: Readonly<Record<string, 'js' | 'ts'>> = {
  js: 'js', javascript: 'js', mjs: 'js', cjs: 'js', ts: 'ts', typescript: 'ts', mts: 'ts', cts: 'ts',
};
/** Languages of blocks that are not programs: shell commands and printed text. */
export const TEXT_LANGUAGES: readonly string[] = ['sh', 'text'];

/**
 * Markdown files under docs/ that are generated, not written: their blocks
 * are not snippets of the library's API.
 * - docs/results/README.md: written by `npm start` (experiments/report.ts) on
 *   every run of the MNIST comparison; its only block is the command that made it.
 * - docs/results/tuning/README.md: the same report of the held-out run that chose the CNNs' budgets.
 */
export const GENERATED_DOCS: readonly string[] = ['docs/results/README.md', 'docs/results/tuning/README.md'];
/** Folders of generated docs: docs/api/ is the API reference `npm run docs` writes (not committed). */
export const GENERATED_DIRS: readonly string[] = ['docs/api'];

/** The docs whose blocks are tested: README.md and every Markdown file under docs/ but the generated ones. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .map((f) => `docs/${f.replace(/\\/g, '/')}`)
    .filter((f) => f.endsWith('.md') && !GENERATED_DOCS.includes(f) && !GENERATED_DIRS.some((d) => f.startsWith(`${d}/`)));
  return ['README.md', ...docs.sort()];
}

/** A fenced code block of a Markdown file. */
export interface Block {
  /** `file:line` of the opening fence. */
  id: string;
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower case ('' if none). */
  language: string;
  /** The block's lines, the fence's indentation removed. */
  code: string;
  /** The setup a fragment assumes, from a `<!-- fragment: name -->` comment on the line before the fence (blank lines allowed). */
  fragment: string | null;
  /**
   * Whether the block quotes what the runnable block before it printed, from
   * an `<!-- output -->` comment on the line before the fence: each of its
   * lines must be a line of that output, so the docs cannot promise other text.
   */
  output: boolean;
}

/** Every fenced block (``` or ~~~) of `markdown`, in order; an unclosed fence is an error. */
export function extractBlocks(markdown: string, file: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (open == null) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: the code block opened here is never closed.`);
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const marker = k >= 0 ? /^\s*<!--\s*fragment:\s*(\S+)\s*-->\s*$/.exec(lines[k]) : null;
    const output = k >= 0 && /^\s*<!--\s*output\s*-->\s*$/.test(lines[k]);
    blocks.push({
      id: `${file}:${i + 1}`, file, line: i + 1, language: info.toLowerCase(), code: `${body.join('\n')}\n`, fragment: marker?.[1] ?? null, output,
    });
    i = j;
  }
  return blocks;
}

/**
 * How Node must run `code`: as an ES module (`import`, `export`, top-level
 * `await`) or CommonJS (`require`). A block that uses both is an error: it
 * runs as neither a `.mjs` nor a `.cjs` file.
 */
export function moduleStyle(code: string, id: string): 'esm' | 'cjs' {
  const statements = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const esm = /^\s*(import\s*[\w*{'"]|export\s)/m.test(statements);
  const cjs = /\brequire\s*\(/.test(statements);
  if (esm && cjs) {
    throw new Error(`${id}: the block mixes import and require, so it runs as neither an ES module (.mjs) nor CommonJS (.cjs); ` +
      'write it in one style, or split it into one block per style.');
  }
  return cjs ? 'cjs' : 'esm';
}

/** What a fragment assumes, and the code that defines it: the fragment runs after it, in one module. */
export interface Setup {
  description: string;
  code: string;
}

/**
 * The setups of the docs' fragments, named in `<!-- fragment: name -->`.
 * Each is an ES module prelude: a fragment may import names of its own, but
 * not those the setup imports.
 */
export const SETUPS: Readonly<Record<string, Setup>> = {
  'trained-mlp': {
    description: "tf; model, a compiled 16-64-64-4 model of PrunableDense layers 'hidden1', 'hidden2', 'output', " +
      'trained for 2 epochs on xs, ys (512 samples); schedule, a PolynomialDecay',
    code: `import * as tf from '@tensorflow/tfjs';
import { PolynomialDecay, prunableDense } from 'tfjs-prune';
const xs = tf.randomUniform([512, 16], -1, 1);
const ys = tf.oneHot(tf.argMax(xs.slice([0, 0], [-1, 4]), 1), 4);
const model = tf.sequential({ layers: [
  prunableDense({ units: 64, activation: 'relu', inputShape: [16], name: 'hidden1' }),
  prunableDense({ units: 64, activation: 'relu', name: 'hidden2' }),
  prunableDense({ units: 4, activation: 'softmax', name: 'output' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xs, ys, { epochs: 2, verbose: 0 });
const schedule = new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 24, frequency: 8 });
`,
  },
  'trained-cnn': {
    description: "tf; model, a compiled CNN of prunable layers 'conv1', 'conv2', 'dense1', 'output' on 12x12x1 images, " +
      'trained for 1 epoch on xs, ys (256 samples); valXs, valYs, 64 more; schedule, a PolynomialDecay to 0.9 ending at endStep',
    code: `import * as tf from '@tensorflow/tfjs';
// A namespace import, so that fragments may import any name of the library themselves.
import * as setup from 'tfjs-prune';
const images = tf.randomUniform([320, 12, 12, 1]);
const labels = tf.oneHot(tf.argMax(tf.reshape(tf.avgPool(images, 6, 6, 'valid'), [320, 4]), 1), 4);
const [xs, valXs] = tf.split(images, [256, 64]);
const [ys, valYs] = tf.split(labels, [256, 64]);
const model = tf.sequential({ layers: [
  setup.prunableConv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1], name: 'conv1' }),
  setup.prunableConv2d({ filters: 8, kernelSize: 3, activation: 'relu', name: 'conv2' }),
  tf.layers.flatten(),
  setup.prunableDense({ units: 16, activation: 'relu', name: 'dense1' }),
  setup.prunableDense({ units: 4, activation: 'softmax', name: 'output' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xs, ys, { epochs: 1, verbose: 0 });
const endStep = 80;
const schedule = new setup.PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep, frequency: 8 });
`,
  },
};
