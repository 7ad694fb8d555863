import type { Summary } from './aggregate';
import { count, kib, mean, percent, seconds, signed, stat } from './format';
import { gradualSchedule, Ramp } from './gradual';
import { CNN_DROPOUT_RATE, HEADLINE } from './plan';
import type { Figure } from './plots';
import { PRUNING_CHOICES, PruningChoice } from './pruning_choices';
import type { ComparisonResults, SpeedRow } from './results';
import { rowLabel } from './results';
import { SPARSE_SPEED_NOTE, sparseSpeedCell } from './sparse_speed';
import { SPEED_BATCHES } from './speed';
import {
  CNN_DENSE_TARGET, CNN_FILTER_TARGET, CNN_WEIGHT_TARGET, cnnDenseTarget, cnnFilterTarget, cnnWeightTarget, methodGaps, MethodGap, QUICK_TARGET_NOTE,
} from './targets';
import { stepsPerEpoch } from './training';

// The report's LeNet-5 parts: its targets and its section.

/**
 * The LeNet-5 lines of the report's target section: each target, met or
 * missed, with its numbers; or what to run to measure it.
 *
 * ```ts
 * lines.push(...cnnTargetLines(summarize(results.rows), results.speed, false));
 * ```
 */
export function cnnTargetLines(summaries: Summary[], speed: SpeedRow[], quick: boolean): string[] {
  const note = quick ? `; ${QUICK_TARGET_NOTE}.` : '.';
  const verdict = (met: boolean) => `**${met ? 'met' : 'missed'}**`;
  const seeds = (n: number) => `mean of ${n} seed${n > 1 ? 's' : ''}`;
  const lines: string[] = [];
  const dense = cnnDenseTarget(summaries);
  lines.push(dense == null
    ? `- Dense LeNet-5 reaches ${percent(CNN_DENSE_TARGET.accuracy)}: not measured (run the \`cnn-baselines\` experiment).`
    : `- Dense LeNet-5 reaches at least ${percent(CNN_DENSE_TARGET.accuracy)} test accuracy: ${verdict(dense.met)} ` +
      `(${percent(dense.accuracy.mean)}, ${seeds(dense.seeds)}; Han et al. 2015 report 0.80% error)${note}`);
  const weight = cnnWeightTarget(summaries);
  lines.push(weight == null
    ? `- LeNet-5, gradual weight pruning at ${percent(CNN_WEIGHT_TARGET.sparsity, 0)}: not measured (run the \`cnn-gradual\` and \`cnn-baselines\` experiments).`
    : `- LeNet-5, gradual weight pruning at ${percent(CNN_WEIGHT_TARGET.sparsity, 0)} in global scope (one threshold over the pruned layers, which sets ` +
      'each layer\'s rate from its weights, as Han et al. set theirs by hand: their first convolution keeps 66% of its weights) ' +
      `keeps test error within ${CNN_WEIGHT_TARGET.points} points of dense: ` +
      `${verdict(weight.met)} (error ${percent(1 - weight.pruned.mean)} vs ${percent(1 - weight.dense.mean)}, ${signed(weight.points)} points of accuracy, ` +
      `${seeds(weight.seeds)}; Han et al. 2015 report 0.80% → 0.77% with 92% of LeNet-5's weights removed)${note}`);
  const filter = cnnFilterTarget(summaries, speed);
  lines.push(filter == null
    ? `- LeNet-5, gradual filter pruning at ${percent(CNN_FILTER_TARGET.sparsity, 0)} and compaction: not measured (run the \`cnn-gradual\` and \`cnn-baselines\` experiments).`
    : `- LeNet-5, gradual filter pruning at ${percent(CNN_FILTER_TARGET.sparsity, 0)}, compacted, stays within ${CNN_FILTER_TARGET.points} points of dense ` +
      `and predicts at least ${CNN_FILTER_TARGET.speedup}x faster at batch ${CNN_FILTER_TARGET.batch}: ${verdict(filter.met)} ` +
      `(accuracy ${percent(filter.pruned.mean)} vs ${percent(filter.dense.mean)}, ${signed(filter.points)} points: ${filter.accuracyMet ? 'within' : 'outside'}; ` +
      `speedup ${filter.speedup == null ? 'not timed' : `${filter.speedup.toFixed(2)}x`}; ${seeds(filter.seeds)})${note}`);
  lines.push(...gapLine('weight (global)', 'weight', (gaps) => {
    const wins = gaps.filter((g) => g.points > 0);
    return `- Global vs layer scope (weight pruning): global scope is ahead at ${wins.length} of ${gaps.length} measured points` +
      (wins.length === 0 ? '' : ` (${wins.map(describeGap).join('; ')})`) +
      `; behind or equal at the others (${gaps.filter((g) => g.points <= 0).map(describeGap).join('; ') || 'none'}).`;
  }, summaries));
  lines.push(...gapLine('weight', 'random', (gaps) => {
    const gradual = gaps.filter((g) => g.schedule === 'gradual');
    const range = (list: MethodGap[]) => list.length === 0 ? 'not measured'
      : `${signed(Math.min(...list.map((g) => g.points)))} to ${signed(Math.max(...list.map((g) => g.points)))} points`;
    return `- Random vs magnitude pruning: random pruning trails magnitude pruning (weight, layer scope) by ${range(gradual)} in gradual ` +
      `pruning and by ${range(gaps.filter((g) => g.schedule !== 'gradual'))} one-shot, with or without the fine-tune ` +
      `(magnitude minus random: ${gaps.map(describeGap).join('; ')}).`;
  }, summaries));
  return lines;
}

function gapLine(a: string, b: string, say: (gaps: MethodGap[]) => string, summaries: Summary[]): string[] {
  const gaps = methodGaps(summaries, a, b);
  return gaps.length === 0 ? [] : [say(gaps)];
}

function describeGap(g: MethodGap): string {
  return `${g.schedule} ${percent(g.sparsity, 0)}: ${signed(g.points)} points`;
}

/**
 * The LeNet-5 section: the budget and why, the table of every model, the
 * predict timings, the comparisons of methods, and the plots.
 *
 * ```ts
 * lines.push(...cnnSection(results, summarize(results.rows), figure));
 * ```
 */
export function cnnSection(results: ComparisonResults, summaries: Summary[], figure: Figure): string[] {
  const rows = summaries.filter((s) => s.network === 'LeNet-5');
  if (rows.length === 0) return [];
  const s = results.settings;
  const dense = rows.find((r) => r.method === 'dense' && r.schedule === 'none');
  const trained = results.rows.filter((r) => r.network === 'LeNet-5' && r.trainSeconds > 0);
  const perEpoch = trained.length === 0 ? null : mean(trained.map((r) => r.trainSeconds / r.epochs));
  const order = { none: 0, gradual: 1, 'one-shot': 2, 'one-shot + fine-tune': 3 } as const;
  const choice = (r: Summary) => PRUNING_CHOICES.indexOf(r.method as PruningChoice);
  const sorted = [...rows].sort((a, b) => order[a.schedule] - order[b.schedule] || choice(a) - choice(b) || a.targetSparsity - b.targetSparsity);
  const versusDense = (r: Summary) => dense == null ? '–' : signed(100 * (r.testAccuracy.mean - dense.testAccuracy.mean));
  const lines = [
    '## 3. LeNet-5: weight, global, random and filter pruning, with measured speed',
    '',
    'LeNet-5 as Han et al. 2015 prune it: 28x28x1 → conv 20@5x5 ReLU → max-pool 2 → conv 50@5x5 ReLU → max-pool 2 → ' +
      'dense 500 ReLU → dense 10 softmax, built of `prunableConv2d` and `prunableDense` (stock `tf.layers.conv2d` cannot train on wasm). ' +
      'Pruned: both convolutions and the dense hidden layer; the output layer stays dense.',
    '',
    `- Protocol: pretrain, then prune (as tfmot's guides and Zhu & Gupta 2017 do). ${pretrainBudget(s)} ` +
      'The dense baseline trains the same epochs further without pruning; the dropout baseline is trained from scratch with dropout ' +
      `for ${s.cnnPretrainEpochs + s.cnnEpochs} epochs of all ${count(s.trainSize)} images, its last epoch at the lower rate too. One-shot rows prune the pretrained model at once, then are measured ` +
      'as they are and again after the same fine-tune as a gradual run (masks fixed, a new Adam).' +
      (perEpoch == null ? '' : ` This run measured ${seconds(perEpoch)} per LeNet-5 epoch in each of ${s.jobs} worker process` +
        `${s.jobs > 1 ? 'es training at once' : ''}, over ${trained.length} LeNet-5 training runs.`),
    ...pretrainCurve(results, 'LeNet-5'),
    `- Methods: \`weight\` (smallest |w| in each layer, \`scope: 'layer'\`), \`weight (global)\` (one threshold over all pruned layers, ` +
      `\`scope: 'global'\`), \`random\` (\`method: 'random'\`, seeded from the run's seed), \`unit\` (filter pruning: the filters and hidden units ` +
      'of smallest L2 norm in each layer, then `compactUnits`, which removes them and every input channel they fed). ' +
      'Gradual pruning follows the cubic schedule of section 2 (`PolynomialDecay`, power 3) over the fine-tune. ' +
      `Dropout baseline: rate ${CNN_DROPOUT_RATE} after the dense hidden layer.`,
    `- Seeds: the dense model, gradual weight pruning at ${percent(HEADLINE['weight (global)'], 0)} in global scope and gradual filter pruning at ${percent(HEADLINE.unit, 0)} ` +
      `ran seeds ${[...new Set([...s.seeds, ...s.headlineSeeds])].join(', ')} (mean ± standard deviation); every other row ran seed${s.seeds.length > 1 ? 's' : ''} ` +
      `${s.seeds.join(', ')} only, so differences of a tenth of a point there may be seed noise.`,
    '- Deployed files: the model as `stripPruning` (or `compactUnits` for filter pruning) makes it, saved with the library\'s `fileSystem`: ' +
      '"params" counts the deployed model\'s parameters, "gzip" is its float32 `weights.bin` gzipped, "uint8" its `weights.bin` saved with ' +
      '`quantization: {dtype: \'uint8\'}` (as is, then gzipped).',
    '',
    '| schedule | method | target | measured sparsity | seeds | test accuracy | vs dense (points) | nonzero / deployed params | gzip | uint8 | uint8 gzip | predict batch 1, sparse / dense† | train time* |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...sorted.map((r) => `| ${r.schedule} | ${r.method} | ${percent(r.targetSparsity, 0)} | ${percent(r.sparsity, 2)} | ${r.seeds} | ` +
      `${stat(r.testAccuracy)} | ${versusDense(r)} | ${count(r.nonzeroParameters)} / ${count(r.totalParameters)}${r.deployed === 'compacted' ? ' (compacted)' : ''} | ` +
      `${kib(r.gzipBytes)} | ${kib(r.uint8Bytes)} | ${kib(r.uint8GzipBytes)} | ${sparseSpeedCell(results.sparseSpeed ?? [], r)} | ` +
      `${r.trainSeconds > 0 ? seconds(r.trainSeconds) : 'reuses pretrained'} |`),
    '',
    `\\* Train times are wall-clock, with ${s.jobs} worker process${s.jobs > 1 ? 'es' : ''} training at once: runs shared the machine ` +
      'with each other and with whatever else ran on it (load averages in results.json); they compare methods only roughly.',
    '',
    SPARSE_SPEED_NOTE,
    '',
    ...speedTable(results.speed, 'LeNet-5', 'filter pruning'),
    ...figure('lenet5-gradual.svg'),
    ...figure('lenet5-one-shot-vs-gradual.svg'),
    ...figure('lenet5-speed.svg'),
    ...figure('lenet5-size.svg'),
  ];
  return lines;
}

/**
 * The pretrain-then-prune budget of the CNN sections, in a sentence.
 *
 * ```ts
 * pretrainBudget(results.settings); // 'Per seed, the dense network trains 3 epochs of all 60,000 training images ...'
 * ```
 */
export function pretrainBudget(s: ComparisonResults['settings']): string {
  const steps = (images: number, epochs: number) => count(stepsPerEpoch(images, s.batchSize) * epochs);
  const last = (epochs: number) => epochs > 1 ? `, its last epoch at ${s.cnnFineTuneLearningRate}` : '';
  const ramp = (kind: Ramp) => {
    const { endStep, frequency } = gradualSchedule(1, stepsPerEpoch(s.cnnTrainSize, s.batchSize) * s.cnnEpochs, kind);
    return `the first ${count(endStep)} step${endStep > 1 ? 's' : ''}, a mask update every ${count(frequency)},`;
  };
  return `Per seed, the dense network trains ${s.cnnPretrainEpochs} epoch${s.cnnPretrainEpochs > 1 ? 's' : ''} of all ${count(s.trainSize)} ` +
    `training images (${steps(s.trainSize, s.cnnPretrainEpochs)} steps at batch ${s.batchSize}, Adam at ${s.learningRate}${last(s.cnnPretrainEpochs)}), ` +
    `once; every run of that seed starts from it and trains ${s.cnnEpochs} epoch${s.cnnEpochs > 1 ? 's' : ''} of the first ${count(s.cnnTrainSize)} images ` +
    `(${steps(s.cnnTrainSize, s.cnnEpochs)} steps, a new Adam at ${s.learningRate}${last(s.cnnEpochs)}); gradual pruning raises the sparsity ` +
    `over ${ramp('weights')} when it masks single weights (weight, global and random pruning), over ${ramp('units')} ` +
    'when it masks whole units (filter and channel pruning); the rest recover.';
}

/**
 * The accuracy of a network's pretrained models after each epoch, a line per seed (none when none was pretrained).
 *
 * ```ts
 * lines.push(...pretrainCurve(results, 'LeNet-5')); // '- Pretraining, accuracy after each epoch: seed 1: 98.10%, 98.75%, 98.93%; ...'
 * ```
 */
export function pretrainCurve(results: ComparisonResults, network: ComparisonResults['rows'][number]['network']): string[] {
  const rows = results.rows.filter((r) => r.network === network && r.method === 'pretrained' && r.epochAccuracies != null);
  if (rows.length === 0) return [];
  return [`- Pretraining, accuracy after each epoch (on the images every accuracy here is measured on): ` +
    `${rows.map((r) => `seed ${r.seed}: ${r.epochAccuracies!.map((a) => percent(a)).join(', ')}`).join('; ')}.`];
}

/**
 * The table of predict times of a network's compacted models against their dense ones.
 *
 * ```ts
 * lines.push(...speedTable(results.speed, 'LeNet-5', 'filter pruning'));
 * ```
 */
export function speedTable(speed: SpeedRow[], network: SpeedRow['network'], how: string): string[] {
  const cnn = speed.filter((s) => s.network === network);
  if (cnn.length === 0) return [];
  const models = [...new Map(cnn.map((s) => [rowLabel(s), s])).values()];
  const clock = cnn[0].clock === 'cpu' ? 'process CPU time (wasm and cpu compute on one thread, so waiting for other processes does not count)' : 'wall time';
  const cell = (model: SpeedRow, batch: number) => {
    const t = cnn.find((s) => rowLabel(s) === rowLabel(model) && s.batch === batch);
    return t == null ? '– | – | –' : `${t.compactedMs.toFixed(2)} | ${t.denseMs.toFixed(2)} | **${t.speedup.toFixed(2)}x**`;
  };
  const loads = cnn.map((s) => s.loadAverage);
  return [
    '### Predict time of the compacted models',
    '',
    `Each compacted model (${how}, then \`compactUnits\`) against the dense model of its seed, both loaded from their deployed ` +
      'float32 files with `tf.loadLayersModel` and timed in the main process after all training had ended: per batch size, 3 warm-up calls each, ' +
      `then ${SPEED_BATCHES.map((b) => `${cnn.find((t) => t.batch === b)?.repetitions ?? '–'} calls at batch ${b}`).join(' and ')}, ` +
      `alternating between the two models; medians of ${clock}, in ms per \`predict\` call ` +
      `(timing/cases' \`runCase\`), and the speedup as the median over rounds of the dense call's time over the compacted call's beside it, ` +
      `which load that comes and goes falls on alike. The 1-minute load average during the timings was ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}.`,
    '',
    `| model | ${SPEED_BATCHES.map((b) => `batch ${b}: compacted ms | dense ms | speedup`).join(' | ')} |`,
    `|---|${SPEED_BATCHES.map(() => '---:|---:|---:').join('|')}|`,
    ...models.map((m) => `| ${m.schedule} ${m.method} ${percent(m.targetSparsity, 0)}, seed ${m.seed} | ${SPEED_BATCHES.map((b) => cell(m, b)).join(' | ')} |`),
    '',
  ];
}
