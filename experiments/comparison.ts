import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { runBaselines } from './baselines';
import type { ExperimentContext } from './context';
import { loadMnist, mnistTensors } from './data/mnist';
import { runGradual } from './gradual';
import { runReferenceOneShot } from './one_shot';
import type { Progress } from './progress';
import type { ComparisonResults, ComparisonSettings, ResultRow } from './results';

/**
 * Runs the selected experiments for every seed on the current TF.js backend
 * and returns every measured model. For each seed: the reference MLP's
 * one-shot sweep, the LeNet-300-100 baselines, then its gradual runs.
 *
 * ```ts
 * const results = await runComparison(settings, createProgress(process.stderr));
 * ```
 */
export async function runComparison(settings: ComparisonSettings, progress: Progress): Promise<ComparisonResults> {
  const started = new Date();
  const start = performance.now();
  const data = loadMnist({ trainSize: settings.trainSize, testSize: settings.testSize });
  const train = mnistTensors(data.train);
  const test = mnistTensors(data.test);
  const context: ExperimentContext = {
    train,
    test: { xs: test.xs, labels: data.test.labels },
    epochs: settings.epochs,
    referenceEpochs: settings.referenceEpochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    progress,
  };
  const rows: ResultRow[] = [];
  const has = (name: ComparisonSettings['experiments'][number]) => settings.experiments.includes(name);
  try {
    for (const seed of settings.seeds) {
      if (has('one-shot')) rows.push(...await runReferenceOneShot(context, seed, settings.oneShotSparsities));
      if (has('baselines')) rows.push(...await runBaselines(context, seed, settings.sparsities, settings.dropoutRates));
      if (has('gradual')) {
        for (const method of ['weight', 'unit'] as const) {
          for (const sparsity of settings.sparsities) rows.push(await runGradual(context, seed, method, sparsity));
        }
      }
    }
  } finally {
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  }
  return {
    settings,
    rows,
    totalSeconds: (performance.now() - start) / 1000,
    startedAt: started.toISOString(),
    machine: `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
  };
}
