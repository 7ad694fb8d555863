// The `tfjs-prune` command: parses argv (commander), reads and writes model
// folders (the library's fileSystem handler and its commit protocol), and
// renders the reports of the browser-safe operations of ../model_files,
// which do the work. Every error is one line on stderr and a non-zero exit.
import * as tf from '@tensorflow/tfjs-core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { existsSync, promises as fsPromises, readFileSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';
import { QUANTIZATION_DTYPES, QuantizationDtype } from '../io/weight_quantization';
import { compactModelFile } from '../model_files/compact_model_file';
import { aboutSubject, ModelFileError } from '../model_files/model_file_error';
import { pruneModelFile, PruneModelFileArgs } from '../model_files/prune_model_file';
import { stripModelFile } from '../model_files/strip_model_file';
import { summarizeModelFile } from '../model_files/summarize_model_file';
import { PRUNING_METHODS, PruningMethod } from '../pruning/pruning_method';
import type { PruningScope } from '../pruning/selection_options';
import { fileSystem } from './file_system';

/** Where the command writes: stdout and stderr, replaceable to run it in-process. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const STDIO: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The command's name, as messages start. */
const NAME = 'tfjs-prune';

/**
 * Runs the `tfjs-prune` command with `args` (argv without node and the
 * script) and resolves to its exit code: 0, or 1 after one line on stderr.
 *
 * ```js
 * process.exitCode = await runCli(['summary', './model']);
 * ```
 */
export async function runCli(args: readonly string[], output: CliOutput = STDIO): Promise<number> {
  let code = 0;
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    output.err(`${NAME}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (process.env.TFJS_PRUNE_DEBUG && error instanceof Error) output.err(`${error.stack}\n`);
    code = 1;
  };
  const program = commands(output, fail);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    // Commander printed its own line (usage errors) or the help and version.
    if (error instanceof CommanderError) return error.exitCode;
    fail(error);
  }
  return code;
}

/** The program: its commands and options, each with its help. */
function commands(output: CliOutput, fail: (error: unknown) => void): Command {
  const program = new Command(NAME)
    .description('Inspect, prune, strip, compact and quantize saved TensorFlow.js layers models.\n' +
      'A <model> is a model folder, its model.json, or a file:// URL.')
    .version(packageVersion(), '-V, --version', 'print the version');
  const configure = (command: Command) => command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text),
      writeErr: (text) => output.err(text),
      outputError: (text, write) => write(`${NAME}: ${text.replace(/^error: /, '')}`),
    });
  configure(program);
  // Each action's errors become one line; the action's own output is written as it goes.
  const action = <A extends unknown[]>(run: (...args: A) => Promise<void>) => async (...args: A) => {
    try {
      await tf.ready();
      await run(...args);
    } catch (error) {
      fail(error);
    }
  };
  const json = new Option('--json', 'print the report as JSON (for machines) instead of text');
  const force = new Option('--force', 'replace the model in an output folder that exists');
  const quantize = new Option('--quantize <dtype>', 'store the weights as float16, uint8 or uint16, as tensorflowjs_converter\'s --quantize_* do')
    .choices(QUANTIZATION_DTYPES);

  configure(program.command('summary')
    .description("print each prunable layer's kind, masked weights, sparsity and pruned units (pruningSummary)")
    .argument('<model>', 'the model: a folder, its model.json or a file:// URL')
    .option('--compaction', 'add what compact would remove and keep (compactionReport)')
    .addOption(json)
    .action(action(async (model: string, options: { compaction?: boolean; json?: boolean }) => {
      const report = await summarizeModelFile(await readModel(model), { compaction: options.compaction === true, source: model });
      if (options.json) {
        const { table: _table, ...data } = report;
        output.out(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      if (!report.prunable) output.out(`${model} has no prunable layer: shown as makePrunable would convert it, with masks of ones.\n`);
      output.out(`${report.table.join('\n')}\n`);
      output.out(`Parameters: ${report.parameters}; multiply-accumulates per example: ${report.macs}; weight data: ${report.weightBytes} bytes\n`);
    })));

  configure(program.command('strip')
    .description('write the plain TF.js model: prunable layers become their plain classes, loadable without tfjs-prune')
    .argument('<in>', 'the model: a folder, its model.json or a file:// URL')
    .argument('<out>', 'the folder to write model.json and weights.bin to (or that folder\'s model.json)')
    .addOption(quantize).addOption(force).addOption(json)
    .action(action(async (input: string, out: string, options: { quantize?: QuantizationDtype; force?: boolean; json?: boolean }) => {
      await checkOutput(out, options.force === true);
      const { artifacts, report } = await stripModelFile(await readModel(input), { quantize: options.quantize, source: input });
      await writeModel(out, artifacts, options.force === true);
      if (options.json) {
        output.out(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      output.out(report.stripped.length === 0
        ? `${input} has no prunable layer: written as it is.\n`
        : `Stripped ${report.stripped.length} prunable layer(s) to their plain classes: ${report.stripped.join(', ')}.\n`);
      output.out(`Wrote ${modelFiles(out)}: ${report.parameters} parameters, ${report.dtype} weights, ` +
        `${report.weightBytes.before} -> ${report.weightBytes.after} bytes. Plain tf.loadLayersModel loads it.\n`);
    })));

  configure(program.command('compact')
    .description('remove pruned units and what follows them (compactUnits), write the plain model, and say what went and what stayed')
    .argument('<in>', 'the unit-pruned model: a folder, its model.json or a file:// URL')
    .argument('<out>', 'the folder to write model.json and weights.bin to (or that folder\'s model.json)')
    .addOption(quantize).addOption(force).addOption(json)
    .action(action(async (input: string, out: string, options: { quantize?: QuantizationDtype; force?: boolean; json?: boolean }) => {
      await checkOutput(out, options.force === true);
      const { artifacts, report } = await compactModelFile(await readModel(input), { quantize: options.quantize, source: input });
      await writeModel(out, artifacts, options.force === true);
      if (options.json) {
        const { table: _table, ...data } = report;
        output.out(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      output.out(`${report.table.join('\n')}\n`);
      output.out(`Wrote ${modelFiles(out)}: ${report.dtype} weights, ${report.weightBytes.before} -> ${report.weightBytes.after} bytes. ` +
        'Plain tf.loadLayersModel loads it.\n');
    })));

  configure(program.command('prune')
    .description('prune a saved model one-shot into a prunable checkpoint (pruneModel); plain models are made prunable first')
    .argument('<in>', 'the model: a folder, its model.json or a file:// URL')
    .argument('<out>', 'the folder to write the prunable checkpoint to (or that folder\'s model.json)')
    .addOption(new Option('--method <method>', 'how layers choose what to prune').choices(PRUNING_METHODS).default('weight'))
    .option('--sparsity <k>', 'the fraction to prune, in [0, 1] (not for nm)', fraction)
    .option('--layers <names>', 'the layers to prune, comma-separated (default: every prunable layer)', names)
    .addOption(new Option('--scope <scope>', "rank each layer on its own, or all the layers together").choices(['layer', 'global']))
    .option('--n <n>', 'nm: entries kept in every group of m', integer)
    .option('--m <m>', 'nm: entries per group', integer)
    .option('--seed <seed>', 'random: the seed of the draw', integer)
    .option('--block-shape <rows,cols>', 'weight: prune whole blocks of this shape', blockShape)
    .option('--round-to <k>', 'channel: each channel group keeps a multiple of k channels', integer)
    .addOption(force).addOption(json)
    .action(action(async (input: string, out: string, options: PruneOptions) => {
      const { force: replace, json: asJson, ...rest } = options;
      if (rest.method !== 'nm' && rest.sparsity === undefined) {
        throw new ModelFileError(`--sparsity is required with --method ${rest.method}: the fraction to prune, in [0, 1].`, '--sparsity');
      }
      const args: PruneModelFileArgs = { source: input };
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) (args as Record<string, unknown>)[key] = value;
      await checkOutput(out, replace === true);
      const { artifacts, report } = await pruneModelFile(await readModel(input), args);
      await writeModel(out, artifacts, replace === true);
      output.err(`${NAME}: warning: ${report.warning}\n`);
      if (asJson) {
        output.out(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      if (report.converted) output.out(`${input} had no prunable layer: converted with makePrunable first.\n`);
      for (const l of report.layers) {
        output.out(`${l.layer} (${l.className}): sparsity ${l.sparsity.toFixed(4)}, ${l.nonzero} of ${l.weights} weights kept, ` +
          `${l.prunedUnits} of ${l.units} units pruned\n`);
      }
      output.out(`Wrote ${modelFiles(out)}: a prunable checkpoint (sparsity ${report.sparsity.toFixed(4)} over the pruned layers); ` +
        `fine-tune it after loadPrunableModel, then ${NAME} strip or compact it.\n`);
    })));
  return program;
}

/** The prune command's options, as commander parses them. */
interface PruneOptions {
  method: PruningMethod;
  sparsity?: number;
  layers?: string[];
  scope?: PruningScope;
  n?: number;
  m?: number;
  seed?: number;
  blockShape?: [number, number];
  roundTo?: number;
  force?: boolean;
  json?: boolean;
}

/** Option parsers: a bad value is a usage error naming the option (commander adds which). */
function fraction(value: string): number {
  const k = Number(value);
  if (value.trim() === '' || !Number.isFinite(k) || k < 0 || k > 1) throw new InvalidArgumentError('It must be a number in [0, 1].');
  return k;
}

function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('It must be an integer.');
  return n;
}

function names(value: string): string[] {
  const list = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (list.length === 0) throw new InvalidArgumentError('It must name at least one layer.');
  return list;
}

function blockShape(value: string): [number, number] {
  const parts = value.split(',').map((part) => Number(part));
  if (parts.length !== 2 || !parts.every((p) => Number.isInteger(p) && p > 0)) {
    throw new InvalidArgumentError('It must be rows,cols: two positive integers, such as 4,1.');
  }
  return [parts[0], parts[1]];
}

/** A model path or `file://` URL (absolute, or relative as `file://./model`, which the file:// router takes too) as a file-system path. */
function modelPath(model: string): string {
  if (!model.startsWith('file://')) return model;
  try {
    return fileURLToPath(model);
  } catch {
    return model.slice('file://'.length);
  }
}

/** The folder a model is written to: `out`, or the folder of `out` given as its model.json. */
function outputFolder(out: string): string {
  const path = modelPath(out);
  return basename(path) === 'model.json' ? dirname(path) : path;
}

/**
 * Refuses, before any work, to write into `out` where it is not a folder,
 * or a folder that exists without `force`.
 */
async function checkOutput(out: string, force: boolean): Promise<void> {
  const existing = await fsPromises.stat(outputFolder(out)).catch(() => null);
  if (existing != null && !existing.isDirectory()) throw new ModelFileError(`${out} exists and is not a folder; give a folder to write the model to.`, out);
  if (existing != null && !force) throw new ModelFileError(`${out} exists; pass --force to replace the model in it.`, out);
}

/** The artifacts of the model at `model` (a folder, its model.json or a file:// URL), read and checked by fileSystem. */
async function readModel(model: string): Promise<tf.io.ModelArtifacts> {
  const path = modelPath(model);
  if (!existsSync(path)) throw new ModelFileError(`${model}: no such file or folder.`, model);
  return aboutSubject(model, () => fileSystem(path).load());
}

/**
 * Writes `artifacts` into the folder `out` with fileSystem's commit
 * protocol (a failed save leaves what was there). A folder that exists is
 * replaced only with `force`.
 */
async function writeModel(out: string, artifacts: tf.io.ModelArtifacts, force: boolean): Promise<void> {
  // Checked again: the folder may have appeared while the model was being worked on.
  await checkOutput(out, force);
  await aboutSubject(out, () => fileSystem(outputFolder(out)).save(artifacts));
}

/** How a message names the files written to `out`. */
function modelFiles(out: string): string {
  const folder = outputFolder(out);
  return `${join(folder, 'model.json')} and ${join(folder, 'weights.bin')}`;
}

/** This package's version, from the package.json above this file (in src/ or dist/cjs, dist/esm). */
function packageVersion(): string {
  for (let dir = resolve(__dirname); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === NAME && pkg.version !== undefined) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
