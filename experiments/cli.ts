import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKEND_CHOICES, BackendChoice, useBackend } from './backend';
import { DROPOUT_RATES } from './baselines';
import { runComparison } from './comparison';
import { GRADUAL_SPARSITIES } from './gradual';
import { REFERENCE_SPARSITIES } from './one_shot';
import { HEADLINE, RESIDUAL_HEADLINE } from './plan';
import { createProgress } from './progress';
import { writeReport } from './report';
import { ComparisonSettings, EXPERIMENTS, ExperimentName } from './results';
import { printSummary } from './summary';

/** The options of the command line, parsed and checked. */
export interface CliOptions extends Omit<ComparisonSettings, 'backend' | 'command'> {
  backend: BackendChoice;
  out: string;
  /** Continue the interrupted run whose finished runs are in `out`. */
  resume: boolean;
}

/**
 * Defaults of the full comparison: 13 LeNet-300-100 runs, the reference MLP, LeNet-5 and the residual CNN
 * (each pretrained per seed, then pruned while fine-tuned), chosen for a budget of 60 minutes on 2 cores
 * with wasm (the report gives the measured times).
 */
const FULL = {
  epochs: 10, referenceEpochs: 3, cnnPretrainEpochs: 3, cnnEpochs: 3, headlineSeeds: [1, 2, 3],
  trainSize: 60000, cnnTrainSize: 15000, testSize: 10000, out: path.join('docs', 'results'),
};
/** What `--quick` changes: a small subset and few epochs, about a minute. */
const QUICK = {
  epochs: 2, referenceEpochs: 1, cnnPretrainEpochs: 1, cnnEpochs: 1, headlineSeeds: [1],
  trainSize: 1000, cnnTrainSize: 1000, testSize: 500, out: path.join(os.tmpdir(), 'tfjs-prune-quick'),
};
/** Final sparsities of LeNet-5's weight and random pruning. */
const CNN_SPARSITIES = [0.8, 0.9, 0.95, 0.98];
/** Fractions of LeNet-5's filters and hidden units that filter pruning removes. */
const FILTER_SPARSITIES = [0.25, 0.5, 0.75];
/** Fractions of the residual CNN's channels that channel and unit pruning remove. */
const CHANNEL_SPARSITIES = [0.3, 0.5, 0.7];

/**
 * The command-line program (commander): flags, defaults and checks.
 *
 * ```ts
 * console.log(buildProgram().helpInformation());
 * ```
 */
export function buildProgram(): Command {
  return new Command('npm start --')
    .description('Weight, filter, channel, global and random pruning vs dropout on real MNIST, MLPs, LeNet-5 and a residual CNN: ' +
      'trains the models in parallel, writes a Markdown report with tables and SVG plots.')
    .addOption(new Option('-e, --experiments <list>', `experiments to run, comma-separated: ${EXPERIMENTS.join(', ')}`)
      .argParser(listOf('--experiments', (v) => oneOf('--experiments', v, EXPERIMENTS))).default([...EXPERIMENTS], EXPERIMENTS.join(',')))
    .addOption(new Option('--epochs <n>', `epochs of every LeNet-300-100 run (default: ${FULL.epochs}, --quick: ${QUICK.epochs})`)
      .argParser(integer('--epochs', 1)))
    .addOption(new Option('--reference-epochs <n>', `epochs of the reference MLP (default: ${FULL.referenceEpochs}, --quick: ${QUICK.referenceEpochs})`)
      .argParser(integer('--reference-epochs', 1)))
    .addOption(new Option('--cnn-pretrain-epochs <n>', 'epochs of the dense pretraining of LeNet-5 and the residual CNN, per seed, on ' +
      `--train-size images (default: ${FULL.cnnPretrainEpochs}, --quick: ${QUICK.cnnPretrainEpochs})`).argParser(integer('--cnn-pretrain-epochs', 1)))
    .addOption(new Option('--cnn-epochs <n>', 'epochs of every CNN run that starts from the pretrained model (pruning while fine-tuning, ' +
      `one-shot fine-tunes, dense baselines) on --cnn-train-size images (default: ${FULL.cnnEpochs}, --quick: ${QUICK.cnnEpochs})`)
      .argParser(integer('--cnn-epochs', 1)))
    .addOption(new Option('--seeds <list>', 'seeds of every run, comma-separated positive integers; tables average over them')
      .argParser(listOf('--seeds', integer('--seeds', 1))).default([1], '1'))
    .addOption(new Option('--headline-seeds <list>', `more seeds for LeNet-5's dense, gradual global weight ${100 * HEADLINE['weight (global)']}% and filter ` +
      `${100 * HEADLINE.unit}% runs and the residual CNN's dense and channel ${100 * RESIDUAL_HEADLINE.channel}% runs ` +
      `(default: ${FULL.headlineSeeds.join(',')}, --quick: ${QUICK.headlineSeeds.join(',')})`)
      .argParser(listOf('--headline-seeds', integer('--headline-seeds', 1))))
    .addOption(new Option('--sparsities <list>', 'final sparsities of gradual pruning, fractions in (0, 1)')
      .argParser(listOf('--sparsities', fraction('--sparsities', false))).default(GRADUAL_SPARSITIES, GRADUAL_SPARSITIES.join(',')))
    .addOption(new Option('--one-shot-sparsities <list>', 'sparsities k of the reference one-shot pruning, fractions in [0, 1)')
      .argParser(listOf('--one-shot-sparsities', fraction('--one-shot-sparsities', true))).default(REFERENCE_SPARSITIES, REFERENCE_SPARSITIES.join(',')))
    .addOption(new Option('--dropout-rates <list>', 'dropout rates of the LeNet-300-100 baselines, fractions in (0, 1)')
      .argParser(listOf('--dropout-rates', fraction('--dropout-rates', false))).default(DROPOUT_RATES, DROPOUT_RATES.join(',')))
    .addOption(new Option('--cnn-sparsities <list>', "sparsities of LeNet-5's weight and random pruning, fractions in (0, 1)")
      .argParser(listOf('--cnn-sparsities', fraction('--cnn-sparsities', false))).default(CNN_SPARSITIES, CNN_SPARSITIES.join(',')))
    .addOption(new Option('--filter-sparsities <list>', "fractions of LeNet-5's filters and hidden units removed by filter pruning, in (0, 1)")
      .argParser(listOf('--filter-sparsities', fraction('--filter-sparsities', false))).default(FILTER_SPARSITIES, FILTER_SPARSITIES.join(',')))
    .addOption(new Option('--channel-sparsities <list>', "fractions of the residual CNN's channels removed by channel and by unit pruning, in (0, 1)")
      .argParser(listOf('--channel-sparsities', fraction('--channel-sparsities', false))).default(CHANNEL_SPARSITIES, CHANNEL_SPARSITIES.join(',')))
    .addOption(new Option('--batch-size <n>', 'batch size of every run').argParser(integer('--batch-size', 1)).default(128))
    .addOption(new Option('--learning-rate <x>', "Adam's learning rate").argParser(positive('--learning-rate')).default(0.001))
    .addOption(new Option('--cnn-fine-tune-learning-rate <x>', "Adam's learning rate of the last epoch of every CNN run (pretraining, " +
      'fine-tunes, dropout)').argParser(positive('--cnn-fine-tune-learning-rate')).default(0.0001))
    .addOption(new Option('--train-size <n>', `use the first n training images, 1 to 60000 (default: ${FULL.trainSize}, --quick: ${QUICK.trainSize})`)
      .argParser(integer('--train-size', 1, 60000)))
    .addOption(new Option('--cnn-train-size <n>', 'CNN runs from the pretrained model use the first n training images, 1 to --train-size ' +
      `(default: ${FULL.cnnTrainSize}, --quick: ${QUICK.cnnTrainSize})`).argParser(integer('--cnn-train-size', 1, 60000)))
    .addOption(new Option('--holdout <n>', 'measure every model on the last n training images instead of the test images, training on ' +
      'the others: a run that tunes budgets without seeing the test set (--train-size plus n at most 60000)').argParser(integer('--holdout', 1, 59999)))
    .addOption(new Option('--test-size <n>', `use the first n test images, 1 to 10000 (default: ${FULL.testSize}, --quick: ${QUICK.testSize})`)
      .argParser(integer('--test-size', 1, 10000)))
    .addOption(new Option('-o, --out <dir>', `output folder (default: ${FULL.out}, --quick: ${QUICK.out})`))
    .addOption(new Option('-j, --jobs <n>', 'worker processes that train at once, an integer >= 1 (default: the number of cores)')
      .argParser(integer('--jobs', 1)).default(os.availableParallelism(), String(os.availableParallelism())))
    .addOption(new Option('-b, --backend <name>', 'TF.js backend; auto is tensorflow (tfjs-node) when installed, else wasm')
      .choices(BACKEND_CHOICES).default('auto'))
    .option('--quick', 'a small subset and few epochs, under a minute: checks that everything runs (its numbers mean nothing)', false)
    .option('--resume', 'continue the interrupted run whose finished runs are in the output folder (with the same settings)', false)
    .allowExcessArguments(false)
    .showHelpAfterError('(npm start -- --help lists the flags)');
}

/**
 * Parses `args` (the arguments after the command). Bad flags throw a
 * CommanderError whose message says which flag and what it accepts.
 *
 * ```ts
 * const options = parseCommandLine(['--quick', '--seeds', '1,2']);
 * ```
 */
export function parseCommandLine(args: string[]): CliOptions {
  const program = buildProgram().exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  program.parse(args, { from: 'user' });
  const o = program.opts();
  const sized = o.quick ? QUICK : FULL;
  const holdout: number = o.holdout ?? 0;
  const trainSize: number = o.trainSize ?? Math.min(sized.trainSize, 60000 - holdout);
  if (trainSize + holdout > 60000) {
    throw new CommanderError(1, 'commander.invalidArgument',
      `--train-size (${trainSize}) and --holdout (${holdout}) take at most MNIST's 60000 training images together.`);
  }
  const cnnTrainSize: number = o.cnnTrainSize ?? Math.min(sized.cnnTrainSize, trainSize);
  if (cnnTrainSize > trainSize) {
    throw new CommanderError(1, 'commander.invalidArgument',
      `--cnn-train-size (${cnnTrainSize}) takes at most --train-size (${trainSize}) images: CNN fine-tunes train on the first of those.`);
  }
  return {
    experiments: o.experiments as ExperimentName[],
    seeds: o.seeds,
    headlineSeeds: o.headlineSeeds ?? sized.headlineSeeds,
    epochs: o.epochs ?? sized.epochs,
    referenceEpochs: o.referenceEpochs ?? sized.referenceEpochs,
    cnnPretrainEpochs: o.cnnPretrainEpochs ?? sized.cnnPretrainEpochs,
    cnnEpochs: o.cnnEpochs ?? sized.cnnEpochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    cnnFineTuneLearningRate: o.cnnFineTuneLearningRate,
    sparsities: o.sparsities,
    oneShotSparsities: o.oneShotSparsities,
    dropoutRates: o.dropoutRates,
    cnnSparsities: o.cnnSparsities,
    filterSparsities: o.filterSparsities,
    channelSparsities: o.channelSparsities,
    trainSize,
    cnnTrainSize,
    testSize: o.testSize ?? sized.testSize,
    holdout,
    out: o.out ?? sized.out,
    backend: o.backend,
    jobs: o.jobs,
    quick: o.quick,
    resume: o.resume,
  };
}

/**
 * The `npm start` command: parses `args`, runs the comparison with progress
 * on `io.err`, writes the report and prints a summary on `io.out`.
 * Returns the exit code: 0, 1 on a bad flag or a failure.
 *
 * ```ts
 * process.exitCode = await main(['--quick']);
 * ```
 */
export async function main(args: string[], io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream } = { out: process.stdout, err: process.stderr }): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') {
      io.out.write(buildProgram().helpInformation());
      return 0;
    }
    io.err.write(`${error.message}\n(npm start -- --help lists the flags)\n`);
    return 1;
  }
  try {
    const { out, backend: choice, resume, ...rest } = options;
    const backend = await useBackend(choice, (message) => io.err.write(`${message}\n`));
    // The command that makes these tables: --resume only continued it.
    const rerun = args.filter((a) => a !== '--resume');
    const command = `npm start${rerun.length > 0 ? ` -- ${rerun.join(' ')}` : ''}`;
    io.err.write(`Running ${rest.experiments.join(', ')} on the ${backend} backend in ${rest.jobs} worker process${rest.jobs > 1 ? 'es' : ''}, ` +
      `seeds ${rest.seeds.join(', ')}; report in ${out}\n`);
    const { results, removeRuns } = await runComparison({ ...rest, backend, command }, createProgress(io.err), { out, resume });
    const files = await writeReport(results, out);
    removeRuns();
    printSummary(results, out, files, (line) => io.out.write(`${line}\n`));
    return 0;
  } catch (error) {
    io.err.write(`Failed: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

function listOf<T>(flag: string, parse: (value: string) => T): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw new InvalidArgumentError(`${flag} takes a comma-separated list without empty items; received '${value}'.`);
    const parsed = items.map(parse);
    if (new Set(items).size !== items.length) throw new InvalidArgumentError(`${flag} lists a value twice: '${value}'.`);
    return parsed;
  };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidArgumentError(`${flag}: '${value}' is not one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

function integer(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} takes ${max === Number.MAX_SAFE_INTEGER ? `integers >= ${min}` : `integers from ${min} to ${max}`}; received '${value}'.`);
    }
    return n;
  };
}

function fraction(flag: string, allowZero: boolean): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1 || (!allowZero && x === 0)) {
      throw new InvalidArgumentError(`${flag} takes fractions in ${allowZero ? '[0, 1)' : '(0, 1)'} such as 0.9 (not percents); received '${value}'.`);
    }
    return x;
  };
}

function positive(flag: string): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || x <= 0) {
      throw new InvalidArgumentError(`${flag} takes a number > 0; received '${value}'.`);
    }
    return x;
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
