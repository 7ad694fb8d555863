/**
 * Stopping a pruning run and resuming it later, as after a crash or across
 * sessions: train with a gradual schedule, save a checkpoint with the masks,
 * the optimizer state and the schedule (`includeOptimizer: true`, the
 * schedule's config in the model's user-defined metadata), reload it with
 * `loadPrunableModel`, and go on training. The new PruningScheduleCallback
 * starts from the optimizer's step count, so the schedule continues where it
 * stopped and ends at exactly its final sparsity.
 *
 *   npx ts-node --transpile-only examples/save_reload_resume.ts           # full run
 *   npx ts-node --transpile-only examples/save_reload_resume.ts --quick   # smaller and faster; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
// In an application: from 'tfjs-prune/node' (the main entry and the file system).
import {
  loadPrunableModel, PolynomialDecay, prunableDense, PruningScheduleCallback, pruningSummary, scheduleFromConfig,
} from '../src/node';
import { runExample } from './run_example';
import { accuracy, CLASSES, FEATURES, syntheticTask } from './synthetic_task';

/** Options of {@link saveReloadResume}. */
export interface SaveReloadResumeOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** The checkpoint directory. Default: a new temporary directory, deleted at the end. */
  dir?: string;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** What {@link saveReloadResume} measured. */
export interface SaveReloadResumeResult {
  /** Training steps (optimizer updates) done before the checkpoint. */
  savedStep: number;
  /** Steps the reloaded optimizer had counted (the resumed schedule's starting step). */
  reloadedIterations: number;
  /** The resumed callback's step at the end: every step of the whole run. */
  finalStep: number;
  /** Total steps of the run, saved and resumed. */
  totalSteps: number;
  /** Per-layer sparsity at the checkpoint, and right after reloading it. */
  sparsityAtSave: number[];
  sparsityAfterReload: number[];
  /** Per-layer sparsity at the end. */
  finalSparsity: number[];
  /** The schedule's final sparsity. */
  targetSparsity: number;
  /** Accuracy of the resumed model on held-out samples. */
  testAccuracy: number;
}

/** Trains half of a gradual pruning run, saves, reloads and finishes it. */
export async function saveReloadResume(options: SaveReloadResumeOptions = {}): Promise<SaveReloadResumeResult> {
  const { quick = false, log = console.log } = options;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tfjs-prune-checkpoint-'));
  const samples = quick ? 1024 : 8192;
  const epochs = quick ? 8 : 20;
  const batchSize = 64;
  const train = syntheticTask(samples, 2);
  const test = syntheticTask(2048, 3);
  const totalSteps = epochs * Math.ceil(samples / batchSize);
  const fitArgs = { batchSize, verbose: 0 as const };
  const sparsities = (model: tf.LayersModel) => pruningSummary(model).layers.map((l) => l.sparsity);

  try {
    const model = tf.sequential({
      layers: [
        prunableDense({ units: 64, activation: 'relu', inputShape: [FEATURES], name: 'hidden1' }),
        prunableDense({ units: 64, activation: 'relu', name: 'hidden2' }),
        prunableDense({ units: CLASSES, activation: 'softmax', name: 'output' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const schedule = new PolynomialDecay({
      initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: Math.floor(totalSteps * 0.75), frequency: Math.ceil(totalSteps / 40),
    });

    // Session 1: the first half of the epochs.
    const pruning = new PruningScheduleCallback({ schedule });
    await model.fit(train.xs, train.ys, { ...fitArgs, epochs: epochs / 2, callbacks: [pruning] });
    const savedStep = pruning.step as number;
    const sparsityAtSave = sparsities(model);
    log(`session 1: ${savedStep} of ${totalSteps} steps, sparsity ${sparsityAtSave.map((s) => s.toFixed(4)).join(', ')}`);

    // The checkpoint: masks are weights of the model; includeOptimizer adds the optimizer state
    // (with its step count) and the metadata carries the schedule.
    model.setUserDefinedMetadata({ pruningSchedule: { className: schedule.getClassName(), config: schedule.getConfig() } });
    await model.save(`file://${dir}`, { includeOptimizer: true });
    model.dispose();
    log(`saved to ${dir}`);

    // Session 2, perhaps in another process: reload (compiled, with its optimizer) and resume.
    const reloaded = await loadPrunableModel(`file://${dir}`);
    const { pruningSchedule } = reloaded.getUserDefinedMetadata() as {
      pruningSchedule: { className: string; config: tf.serialization.ConfigDict };
    };
    const sparsityAfterReload = sparsities(reloaded);
    const reloadedIterations = reloaded.optimizer.iterations;
    log(`reloaded: the optimizer has counted ${reloadedIterations} steps; sparsity ${sparsityAfterReload.map((s) => s.toFixed(4)).join(', ')}`);
    const resumed = new PruningScheduleCallback({ schedule: scheduleFromConfig(pruningSchedule.className, pruningSchedule.config) });
    await reloaded.fit(train.xs, train.ys, { ...fitArgs, epochs: epochs / 2, callbacks: [resumed] });
    const finalSparsity = sparsities(reloaded);
    const testAccuracy = accuracy(reloaded, test);
    log(`session 2: ${resumed.step} of ${totalSteps} steps, sparsity ${finalSparsity.map((s) => s.toFixed(4)).join(', ')}, ` +
      `test accuracy ${testAccuracy.toFixed(4)}`);
    reloaded.dispose();
    return {
      savedStep, reloadedIterations, finalStep: resumed.step as number, totalSteps, sparsityAtSave, sparsityAfterReload,
      finalSparsity, targetSparsity: schedule.finalSparsity, testAccuracy,
    };
  } finally {
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
    if (options.dir == null) rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runExample((quick) => saveReloadResume({ quick }));
