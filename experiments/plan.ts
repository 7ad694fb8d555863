import { BaselineRun } from './baselines';
import type { GradualRun } from './gradual';
import { PruningChoice } from './pruning_choices';
import { ComparisonSettings, NetworkName, rowLabel } from './results';
import { stepsPerEpoch } from './training';

/** One training run of the study: what a worker runs, as plain data (it crosses to the worker process). */
export type RunTask =
  | { id: string; kind: 'reference'; run: { seed: number; epochs: number; sparsities: number[] } }
  | { id: string; kind: 'baseline'; run: BaselineRun }
  | { id: string; kind: 'gradual'; run: GradualRun };

/** The dropout rate of LeNet-5's baseline, after its dense hidden layer (as in the Stack Overflow answer's advice). */
export const CNN_DROPOUT_RATE = 0.5;
/** The LeNet-5 rows run over the headline seeds: gradual weight pruning at 90% and filter pruning at 50% (with the dense baseline). */
export const HEADLINE = { weight: 0.9, unit: 0.5 } as const;

/** The LeNet-5 choices of gradual and one-shot pruning, with the sparsities each takes from the settings. */
function cnnChoices(s: ComparisonSettings): Array<{ choice: PruningChoice; sparsities: number[]; deployed?: 'compacted' }> {
  return [
    { choice: 'weight', sparsities: s.cnnSparsities },
    { choice: 'weight (global)', sparsities: s.cnnSparsities },
    { choice: 'random', sparsities: s.cnnSparsities },
    { choice: 'unit', sparsities: s.filterSparsities, deployed: 'compacted' },
  ];
}

/**
 * Every training run the settings ask for, in the canonical order of the
 * report (the order does not depend on which worker runs what). The MLP
 * study runs each of `seeds`; LeNet-5 runs each of `seeds`, and its
 * headline rows ({@link HEADLINE} and the dense model) each of
 * `headlineSeeds` too.
 *
 * ```ts
 * for (const task of planTasks(settings)) console.log(task.id);
 * ```
 */
export function planTasks(s: ComparisonSettings): RunTask[] {
  const has = (name: ComparisonSettings['experiments'][number]) => s.experiments.includes(name);
  const tasks: RunTask[] = [];
  const gradual = (run: GradualRun) => tasks.push({
    id: rowLabel({ ...run, method: run.choice, schedule: 'gradual', targetSparsity: run.finalSparsity }), kind: 'gradual', run,
  });
  const baseline = (run: BaselineRun) => tasks.push({
    id: rowLabel({ ...run, method: run.dropoutRate > 0 ? `dropout ${run.dropoutRate}` : 'dense', schedule: 'none', targetSparsity: 0 }),
    kind: 'baseline',
    run,
  });
  for (const seed of s.seeds) {
    if (has('one-shot')) {
      tasks.push({
        id: rowLabel({ network: 'reference MLP', method: 'dense', schedule: 'none', targetSparsity: 0, seed }),
        kind: 'reference',
        run: { seed, epochs: s.referenceEpochs, sparsities: s.oneShotSparsities },
      });
    }
    const mlp = { network: 'LeNet-300-100' as const, seed, epochs: s.epochs, trainSize: s.trainSize };
    if (has('baselines')) {
      const choices = (['weight', 'unit'] as const).map((choice) => ({ choice, sparsities: s.sparsities }));
      baseline({ ...mlp, experiment: 'baselines', dropoutRate: 0, oneShot: { choices, fineTune: false } });
      for (const rate of s.dropoutRates) baseline({ ...mlp, experiment: 'baselines', dropoutRate: rate });
    }
    if (has('gradual')) {
      for (const choice of ['weight', 'unit'] as const) {
        for (const finalSparsity of s.sparsities) gradual({ ...mlp, experiment: 'gradual', choice, finalSparsity });
      }
    }
  }
  const cnn = { network: 'LeNet-5' as const, epochs: s.cnnEpochs, trainSize: s.cnnTrainSize };
  const headlineOnly = s.headlineSeeds.filter((seed) => !s.seeds.includes(seed));
  if (has('cnn-baselines')) {
    for (const seed of s.seeds) {
      baseline({ ...cnn, seed, experiment: 'cnn-baselines', dropoutRate: 0, oneShot: { choices: cnnChoices(s), fineTune: true } });
      baseline({ ...cnn, seed, experiment: 'cnn-baselines', dropoutRate: CNN_DROPOUT_RATE });
    }
    for (const seed of headlineOnly) baseline({ ...cnn, seed, experiment: 'cnn-baselines', dropoutRate: 0 });
  }
  if (has('cnn-gradual')) {
    for (const seed of s.seeds) {
      for (const { choice, sparsities, deployed } of cnnChoices(s)) {
        for (const finalSparsity of sparsities) gradual({ ...cnn, seed, experiment: 'cnn-gradual', choice, finalSparsity, deployed });
      }
    }
    for (const seed of headlineOnly) {
      for (const { choice, sparsities, deployed } of cnnChoices(s)) {
        const finalSparsity = HEADLINE[choice as keyof typeof HEADLINE];
        if (finalSparsity !== undefined && sparsities.includes(finalSparsity)) {
          gradual({ ...cnn, seed, experiment: 'cnn-gradual', choice, finalSparsity, deployed });
        }
      }
    }
  }
  return tasks;
}

/** Milliseconds per training step of each network at batch 128 on wasm, roughly: the order in which to start the runs. */
const STEP_COST: Record<NetworkName, number> = { 'LeNet-5': 200, 'reference MLP': 110, 'LeNet-300-100': 12 };

/**
 * A rough cost of a task, to start the longest first (so that no long run
 * starts last while the other workers sit idle).
 *
 * ```ts
 * const order = [...tasks].sort((a, b) => taskCost(b, settings) - taskCost(a, settings));
 * ```
 */
export function taskCost(task: RunTask, s: ComparisonSettings): number {
  if (task.kind === 'reference') return STEP_COST['reference MLP'] * stepsPerEpoch(s.trainSize, s.batchSize) * task.run.epochs;
  const steps = stepsPerEpoch(task.run.trainSize, s.batchSize);
  const fineTunes = task.kind === 'baseline' && task.run.oneShot?.fineTune
    ? task.run.oneShot.choices.reduce((n, c) => n + c.sparsities.length, 0) * Math.min(s.fineTuneSteps, steps)
    : 0;
  return STEP_COST[task.run.network] * (steps * task.run.epochs + fineTunes);
}
