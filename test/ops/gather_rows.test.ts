import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { gatherRows } from '../../src/ops/gather_rows';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';
import { randomWeights } from '../support/random';

describeOnBackends('gatherRows', (backend) => {
  const [rows, columns] = [7, 3];
  let table: tf.Tensor2D;
  let indices: tf.Tensor1D;
  before(() => {
    table = tf.tensor2d(randomWeights(rows * columns, 1, 'normal'), [rows, columns]);
    // Repeats: their gradients add up.
    indices = tf.tensor1d([3, 0, 3, 6, 3, 1], 'int32');
  });
  after(() => tf.dispose([table, indices]));

  it('gathers the rows tf.gather gathers', () => {
    tf.tidy(() => {
      expect(Array.from(gatherRows(table, indices).dataSync())).to.deep.equal(Array.from(tf.gather(table, indices).dataSync()));
    });
  });

  it('has the gradient of gather: each row gets the sum of its lookups\' gradients, unread rows 0', () => {
    const r = tf.tensor2d(randomWeights(indices.size * columns, 2, 'normal'), [indices.size, columns]);
    const [grad] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, indices), r)))([table]);
    const g = grad.arraySync() as number[][];
    const rv = r.arraySync() as number[][];
    const expected = Array.from({ length: rows }, (_, row) => Array.from({ length: columns }, (__, c) =>
      Array.from(indices.dataSync()).reduce((sum, index, i) => (index === row ? sum + rv[i][c] : sum), 0)));
    g.forEach((row, i) => row.forEach((v, c) => expect(v).to.be.closeTo(expected[i][c], 1e-6, `[${i}][${c}]`)));
    expect(g[2]).to.deep.equal([0, 0, 0]);
    tf.dispose([r, grad]);
  });

  it(`trains on ${backend} and leaks no tensor`, async () => {
    const variable = tf.variable(table.clone());
    const optimizer = tf.train.sgd(0.1);
    await expectNoTensorLeak(() => {
      optimizer.minimize(() => tf.sum(tf.square(gatherRows(variable as tf.Tensor as tf.Tensor2D, indices))));
    });
    // Only the rows looked up move.
    const moved = tf.tidy(() => Array.from(tf.sum(tf.abs(tf.sub(variable, table)), 1).dataSync()));
    expect(moved.map((m) => m > 0)).to.deep.equal([true, true, false, true, false, false, true]);
    variable.dispose();
    optimizer.dispose();
  });
});
