/**
 * From a pruned model to the files to ship. A model whose hidden layers were
 * unit-pruned during training is deployed three ways, and each saved model is
 * loaded back with plain `tf.loadLayersModel`, as an app would:
 * - `stripPruning`: plain Dense layers with `kernel ⊙ mask`; the same size,
 *   the zeros are stored.
 * - `compactUnits`: the pruned units removed, so the layers are narrower:
 *   fewer parameters, a smaller `weights.bin` and less computation.
 * - the compact model saved with uint8 weight quantization: a quarter of
 *   its float32 `weights.bin`, pruned zeros still exact.
 *
 *   npx ts-node --transpile-only examples/deploy.ts           # full run
 *   npx ts-node --transpile-only examples/deploy.ts --quick   # smaller and faster; or QUICK=1
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
// In an application: from 'tfjs-prune/node' (the main entry and the file system).
import {
  compactUnits, fileSystem, FileSystemArgs, PolynomialDecay, prunableDense, PruningScheduleCallback, pruningSummary,
  stripPruning,
} from '../src/node';
import { runExample } from './run_example';
import { accuracy, CLASSES, Dataset, FEATURES, syntheticTask } from './synthetic_task';

const HIDDEN_UNITS = 64;
const UNIT_SPARSITY = 0.75;

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** A smaller, faster run (used by the tests). Default: false. */
  quick?: boolean;
  /** Where the deployable models are saved, one subdirectory each. Default: a new temporary directory, deleted at the end. */
  dir?: string;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** One deployed form of the model, as saved and loaded back. */
export interface DeployedModel {
  /** Parameters of the model. */
  params: number;
  /** Widths (units) of its layers. */
  units: number[];
  /** Bytes of its `weights.bin`. */
  weightBytes: number;
  /** Accuracy on held-out samples of the model loaded back from its files. */
  accuracy: number;
  /** Largest difference between its predictions (loaded back) and the pruned model's. */
  difference: number;
}

/** What {@link deploy} measured. */
export interface DeployResult {
  /** Accuracy of the pruned model on held-out samples. */
  prunedAccuracy: number;
  /** Units pruned in each layer. */
  prunedUnits: number[];
  stripped: DeployedModel;
  compact: DeployedModel;
  compactUint8: DeployedModel;
}

/** Trains a unit-pruned model, then saves and reloads it stripped, compacted, and compacted with uint8 weights. */
export async function deploy(options: DeployOptions = {}): Promise<DeployResult> {
  const { quick = false, log = console.log } = options;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tfjs-prune-deploy-'));
  const samples = quick ? 1024 : 8192;
  const epochs = quick ? 8 : 20;
  const batchSize = 64;
  const train = syntheticTask(samples, 2);
  const test = syntheticTask(2048, 3);

  try {
    const model = tf.sequential({
      layers: [
        prunableDense({ units: HIDDEN_UNITS, activation: 'relu', inputShape: [FEATURES], name: 'hidden1' }),
        prunableDense({ units: HIDDEN_UNITS, activation: 'relu', name: 'hidden2' }),
        prunableDense({ units: CLASSES, activation: 'softmax', name: 'output' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    // Unit pruning removes whole units (kernel columns); the output layer keeps its 4 classes.
    const steps = epochs * Math.ceil(samples / batchSize);
    const schedule = new PolynomialDecay({
      initialSparsity: 0, finalSparsity: UNIT_SPARSITY, beginStep: 0, endStep: Math.floor(steps * 0.75), frequency: Math.ceil(steps / 40),
    });
    const pruning = new PruningScheduleCallback({ schedule, method: 'unit', layers: ['hidden1', 'hidden2'] });
    await model.fit(train.xs, train.ys, { epochs, batchSize, verbose: 0, callbacks: [pruning] });
    const prunedAccuracy = accuracy(model, test);
    const summary = pruningSummary(model, { methods: { hidden1: 'unit', hidden2: 'unit' }, printFn: log });
    log(`pruned model: accuracy ${prunedAccuracy.toFixed(4)}`);

    /** Saves `deployable` into `dir/name` (with `args`), loads it back as an app would and measures it. */
    const saveAndLoad = async (name: string, deployable: tf.LayersModel, args?: FileSystemArgs): Promise<DeployedModel> => {
      const path = join(dir, name);
      await deployable.save(fileSystem(path, args));
      const loaded = await tf.loadLayersModel(`file://${path}`);
      const deployed = {
        params: loaded.countParams(),
        units: loaded.layers.map((l) => l.getConfig().units as number),
        weightBytes: statSync(join(path, 'weights.bin')).size,
        accuracy: accuracy(loaded, test),
        difference: maxDifference(model, loaded, test),
      };
      log(`${name}: ${deployed.params} parameters, layer widths [${deployed.units}], weights.bin ${deployed.weightBytes} bytes, ` +
        `accuracy ${deployed.accuracy.toFixed(4)}, predictions within ${deployed.difference.toExponential(1)} of the pruned model's`);
      loaded.dispose();
      return deployed;
    };

    const stripped = stripPruning(model);
    const compact = compactUnits(model);
    const result: DeployResult = {
      prunedAccuracy,
      prunedUnits: summary.layers.map((l) => l.prunedUnits),
      stripped: await saveAndLoad('stripped', stripped),
      compact: await saveAndLoad('compact', compact),
      compactUint8: await saveAndLoad('compact-uint8', compact, { quantization: { dtype: 'uint8' } }),
    };
    for (const m of [model, stripped, compact]) m.dispose();
    return result;
  } finally {
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
    if (options.dir == null) rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest absolute difference between the predictions of two models on `data`. */
function maxDifference(a: tf.LayersModel, b: tf.LayersModel, data: Dataset): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(data.xs) as tf.Tensor, b.predict(data.xs) as tf.Tensor))).dataSync()[0]);
}

if (require.main === module) runExample((quick) => deploy({ quick }));
