import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { fileSystem, loadPrunableModel, PolynomialDecay, PruningScheduleCallback } from '../../src/node';
import { describeOnBackends } from '../support/backends';
import { randomWeights } from '../support/random';
import { nestedPrunableModel, prunableLayers, weightValues } from '../io/fixtures';
import { useTempDirs } from './temp_dirs';

/** Seeded inputs [32, 6] and one-hot labels [32, 3]: 4 batches of 8. */
function data(): [tf.Tensor2D, tf.Tensor2D] {
  const x = tf.tensor2d(randomWeights(32 * 6, 71, 'normal'), [32, 6]);
  const labels = Array.from(randomWeights(32, 72, 'uniform'), (u) => Math.floor((u + 1) * 1.5));
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() as tf.Tensor2D;
  return [x, y];
}

async function optimizerState(model: tf.LayersModel): Promise<Array<[string, number[]]>> {
  const weights = await model.optimizer.getWeights();
  return weights.map((w) => [w.name, Array.from(w.tensor.dataSync())]);
}

describeOnBackends('resuming training after a file system reload (includeOptimizer)', () => {
  const tempDir = useTempDirs();

  it('continues with the same optimizer state and pruning schedule as uninterrupted training', async () => {
    const [x, y] = data();
    const fitArgs = { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 as const };
    const schedule = () => new PolynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 8 });
    const model = nestedPrunableModel(73);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const pruning = new PruningScheduleCallback({ schedule: schedule() });
    await model.fit(x, y, { ...fitArgs, callbacks: [pruning] });
    expect(pruning.step).to.equal(4);

    const dir = tempDir();
    await model.save(fileSystem(dir), { includeOptimizer: true });
    const saved = { weights: weightValues(model), optimizer: await optimizerState(model) };
    // The reference: the same model trained on without interruption.
    await model.fit(x, y, { ...fitArgs, callbacks: [pruning] });

    const reloaded = await loadPrunableModel(fileSystem(dir));
    expect(weightValues(reloaded)).to.deep.equal(saved.weights);
    expect(reloaded.optimizer.getClassName()).to.equal('Adam');
    expect(reloaded.optimizer.iterations).to.equal(4);
    expect(await optimizerState(reloaded)).to.deep.equal(saved.optimizer);
    // A new callback starts from the optimizer's 4 steps, not from 0.
    const resumed = new PruningScheduleCallback({ schedule: schedule() });
    await reloaded.fit(x, y, { ...fitArgs, callbacks: [resumed] });

    expect(resumed.step).to.equal(8);
    expect(reloaded.optimizer.iterations).to.equal(model.optimizer.iterations);
    expect(prunableLayers(reloaded).map((l) => l.sparsity())).to.deep.equal(prunableLayers(model).map((l) => l.sparsity()));
    expect(prunableLayers(reloaded).every((l) => Math.abs(l.sparsity() - 0.8) < 0.05)).to.equal(true);
    expect(weightValues(reloaded)).to.deep.equal(weightValues(model));
    expect(await optimizerState(reloaded)).to.deep.equal(await optimizerState(model));
    tf.dispose([x, y]);
    model.dispose();
    reloaded.dispose();
  });
});
