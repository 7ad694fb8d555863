import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystem } from '../src/node';
import { ExperimentContext, runSeeds, trainAndMeasure } from './context';
import { accuracy } from './metrics';
import { ExperimentModel, networkBuilder } from './models';
import type { ExperimentName, NetworkName, ResultRow } from './results';
import { disposeModel } from './training';

/** The dense training of a CNN that every pruning run of its seed starts from. */
export interface PretrainRun {
  experiment: ExperimentName;
  network: NetworkName;
  seed: number;
  epochs: number;
  /** Training images: the first this many of the context's. */
  trainSize: number;
  /** The epoch (from 0) from which Adam's rate drops to the context's `fineTuneLearningRate`; none: `learningRate` throughout. */
  decayFrom?: number;
}

/**
 * The folder of the pretrained model of the task `id` under `root`, named
 * for the task so that any worker finds it.
 *
 * ```ts
 * pretrainedDir('/tmp/runs/pretrained', 'LeNet-5 pretrained, seed 1'); // '/tmp/runs/pretrained/lenet-5-pretrained-seed-1'
 * ```
 */
export function pretrainedDir(root: string, id: string): string {
  return path.join(root, id.toLowerCase().replace(/[^a-z0-9.]+/g, '-'));
}

/**
 * Trains the network dense from its seed's initialization, measures it as
 * the row `pretrained` (with its accuracy after each epoch: how long
 * pretraining needs), and saves it (masks of ones included) under the
 * context's `pretrainedRoot`, where {@link startingModel} loads it.
 *
 * ```ts
 * const [row] = await runPretrain(context, {experiment: 'cnn-baselines', network: 'LeNet-5', seed: 1, epochs: 4, trainSize: 60000}, id);
 * ```
 */
export async function runPretrain(context: ExperimentContext, run: PretrainRun, id: string): Promise<ResultRow[]> {
  const built = networkBuilder(run.network)(runSeeds(run.seed).model, 0);
  try {
    const epochAccuracies: number[] = [];
    const row = await trainAndMeasure(context, built, {
      row: { experiment: run.experiment, network: run.network, method: 'pretrained', schedule: 'none', targetSparsity: 0, seed: run.seed, epochs: run.epochs },
    }, {
      decayFrom: run.decayFrom,
      callbacks: [new tf.CustomCallback({
        onEpochEnd: async () => {
          epochAccuracies.push(accuracy(built.model, context.test.xs, context.test.labels));
        },
      })],
    });
    await built.model.save(fileSystem(pretrainedDir(context.pretrainedRoot, id)));
    return [{ ...row, epochAccuracies }];
  } finally {
    disposeModel(built.model);
  }
}

/**
 * The network of a run, built from its seed (with dropout at `dropoutRate`),
 * holding the weights of the pretrained model `from` when given: the run
 * then continues that model's training.
 *
 * ```ts
 * const built = await startingModel(context, 'LeNet-5', 1, {from: 'LeNet-5 pretrained, seed 1'});
 * ```
 */
export async function startingModel(context: ExperimentContext, network: NetworkName, seed: number,
  options: { dropoutRate?: number; from?: string } = {}): Promise<ExperimentModel> {
  const built = networkBuilder(network)(runSeeds(seed).model, options.dropoutRate ?? 0);
  if (options.from == null) return built;
  try {
    const pretrained = await tf.loadLayersModel(fileSystem(pretrainedDir(context.pretrainedRoot, options.from)));
    try {
      // The same architecture, built the same way: the weights correspond in order.
      built.model.setWeights(pretrained.getWeights());
    } finally {
      pretrained.dispose();
    }
    return built;
  } catch (error) {
    disposeModel(built.model);
    throw error;
  }
}
