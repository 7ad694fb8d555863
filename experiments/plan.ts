import { BaselineRun } from './baselines';
import type { GradualRun } from './gradual';
import type { OneShotRun } from './one_shot';
import type { PretrainRun } from './pretrain';
import { PruningChoice } from './pruning_choices';
import { ComparisonSettings, NetworkName, rowLabel } from './results';
import { CNN_FILTER_TARGET, CNN_WEIGHT_TARGET, RESIDUAL_CHANNEL_TARGET } from './targets';
import { stepsPerEpoch } from './training';

/** One training run of the study: what a worker runs, as plain data (it crosses to the worker process). */
export type RunTask =
  | { id: string; kind: 'reference'; run: { seed: number; epochs: number; sparsities: number[] } }
  | { id: string; kind: 'pretrain'; run: PretrainRun }
  | { id: string; kind: 'baseline'; run: BaselineRun }
  | { id: string; kind: 'gradual'; run: GradualRun }
  | { id: string; kind: 'one-shot'; run: OneShotRun };

/** The dropout rate of LeNet-5's baseline, after its dense hidden layer (as in the Stack Overflow answer's advice). */
export const CNN_DROPOUT_RATE = 0.5;
/**
 * The LeNet-5 rows run over the headline seeds (with the dense baseline): those of the weight target (global
 * scope at 90%) and of the filter target (50%).
 */
export const HEADLINE = { [CNN_WEIGHT_TARGET.method]: CNN_WEIGHT_TARGET.sparsity, unit: CNN_FILTER_TARGET.sparsity } as const;
/** The residual CNN row run over the headline seeds (with its dense baseline): the channel target's (50%). */
export const RESIDUAL_HEADLINE = { channel: RESIDUAL_CHANNEL_TARGET.sparsity } as const;

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
 * The id of the pretraining task whose model `task` starts from, if any: it
 * runs after that task, in any worker.
 *
 * ```ts
 * const after = pretrainOf(task); // 'LeNet-5 pretrained, seed 1'
 * ```
 */
export function pretrainOf(task: RunTask): string | undefined {
  return task.kind === 'reference' || task.kind === 'pretrain' ? undefined : task.run.from;
}

/**
 * Every training run the settings ask for, in the canonical order of the
 * report (the order does not depend on which worker runs what). The MLP
 * study trains each run from scratch, over each of `seeds`. The CNNs
 * (LeNet-5, the residual CNN) follow the pretrain-then-prune protocol: per
 * seed, one dense model trained for `cnnPretrainEpochs` on all the training
 * images; every pruning run of that seed and its dense baseline start from
 * it and train `cnnEpochs` more on the first `cnnTrainSize` images. Every CNN
 * run's last epoch runs at `cnnFineTuneLearningRate`. The
 * headline rows ({@link HEADLINE}, {@link RESIDUAL_HEADLINE}, the dense
 * models) run each of `headlineSeeds` too.
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
  /** Plans the pretraining of `network` for `seed`; returns its id, which the runs starting from it name. */
  const pretrain = (run: PretrainRun): string => {
    const id = rowLabel({ ...run, method: 'pretrained', schedule: 'none', targetSparsity: 0 });
    tasks.push({ id, kind: 'pretrain', run });
    return id;
  };
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
      baseline({ ...mlp, experiment: 'baselines', dropoutRate: 0, oneShot: { choices } });
      for (const rate of s.dropoutRates) baseline({ ...mlp, experiment: 'baselines', dropoutRate: rate });
    }
    if (has('gradual')) {
      for (const choice of ['weight', 'unit'] as const) {
        for (const finalSparsity of s.sparsities) gradual({ ...mlp, experiment: 'gradual', choice, finalSparsity });
      }
    }
  }
  const headlineOnly = s.headlineSeeds.filter((seed) => !s.seeds.includes(seed));
  const allSeeds = [...s.seeds, ...headlineOnly];
  // Every CNN run's last epoch runs at the lower rate (a single epoch does not): the pretraining settles, a fine-tune recovers.
  const lastEpochSlower = (epochs: number) => ({ epochs, decayFrom: epochs > 1 ? epochs - 1 : undefined });
  const pretrained = { ...lastEpochSlower(s.cnnPretrainEpochs), trainSize: s.trainSize };
  const fineTune = { ...lastEpochSlower(s.cnnEpochs), trainSize: s.cnnTrainSize };
  if (has('cnn-baselines') || has('cnn-gradual')) {
    const cnn = { network: 'LeNet-5' as const };
    for (const seed of allSeeds) {
      const headline = !s.seeds.includes(seed);
      const from = pretrain({ ...cnn, ...pretrained, experiment: 'cnn-baselines', seed });
      if (has('cnn-baselines')) {
        baseline({ ...cnn, ...fineTune, seed, from, experiment: 'cnn-baselines', dropoutRate: 0 });
        if (!headline) {
          // Dropout changes training from the start: its own full training, the pretraining's and the fine-tune's epochs.
          baseline({ ...cnn, ...pretrained, ...lastEpochSlower(s.cnnPretrainEpochs + s.cnnEpochs), seed, experiment: 'cnn-baselines', dropoutRate: CNN_DROPOUT_RATE });
          for (const { choice, sparsities, deployed } of cnnChoices(s)) {
            for (const sparsity of sparsities) {
              tasks.push({
                id: rowLabel({ ...cnn, seed, method: choice, schedule: 'one-shot', targetSparsity: sparsity }),
                kind: 'one-shot',
                run: { ...cnn, ...fineTune, experiment: 'cnn-baselines', seed, from, pretrainEpochs: s.cnnPretrainEpochs, choice, sparsity, deployed },
              });
            }
          }
        }
      }
      if (has('cnn-gradual')) {
        for (const { choice, sparsities, deployed } of cnnChoices(s)) {
          const headlineSparsity = HEADLINE[choice as keyof typeof HEADLINE];
          for (const finalSparsity of headline ? sparsities.filter((x) => x === headlineSparsity) : sparsities) {
            gradual({ ...cnn, ...fineTune, seed, from, experiment: 'cnn-gradual', choice, finalSparsity, deployed });
          }
        }
      }
    }
  }
  if (has('residual')) {
    const residual = { network: 'residual CNN' as const, experiment: 'residual' as const };
    for (const seed of allSeeds) {
      const headline = !s.seeds.includes(seed);
      const from = pretrain({ ...residual, ...pretrained, seed });
      baseline({ ...residual, ...fineTune, seed, from, dropoutRate: 0 });
      for (const choice of ['channel', 'unit'] as const) {
        const headlineSparsity = RESIDUAL_HEADLINE[choice as keyof typeof RESIDUAL_HEADLINE];
        for (const finalSparsity of headline ? s.channelSparsities.filter((x) => x === headlineSparsity) : s.channelSparsities) {
          gradual({ ...residual, ...fineTune, seed, from, choice, finalSparsity, deployed: 'compacted' });
        }
      }
    }
  }
  return tasks;
}

/** Milliseconds per training step of each network at batch 128 on wasm, roughly: the order in which to start the runs. */
const STEP_COST: Record<NetworkName, number> = { 'LeNet-5': 150, 'residual CNN': 300, 'reference MLP': 110, 'LeNet-300-100': 12 };

/**
 * A rough cost of a task: its training steps times its network's step
 * time. The pool starts the longest first (so that no long run starts last
 * while the other workers sit idle) and estimates the time left from it.
 *
 * ```ts
 * const order = [...tasks].sort((a, b) => taskCost(b, settings) - taskCost(a, settings));
 * ```
 */
export function taskCost(task: RunTask, s: ComparisonSettings): number {
  if (task.kind === 'reference') return STEP_COST['reference MLP'] * stepsPerEpoch(s.trainSize, s.batchSize) * task.run.epochs;
  return STEP_COST[task.run.network] * stepsPerEpoch(task.run.trainSize, s.batchSize) * task.run.epochs;
}
