import { expect } from 'chai';
import { createProgress } from '../../experiments/progress';
import { sink } from '../support/sink';

describe('experiments progress', () => {
  it('writes a plain line per epoch and the summary when the stream is not a terminal', () => {
    const out = sink();
    const progress = createProgress(out.stream);
    const run = progress.startRun('gradual weight 90%', { epochs: 2, stepsPerEpoch: 3 });
    for (let step = 1; step <= 6; step++) {
      run.update({ epoch: Math.floor((step - 1) / 3), step, loss: 1 / step, accuracy: 0.5, sparsity: step / 10 });
    }
    run.finish('test accuracy 97.00%');
    progress.log('done');
    const lines = out.text().trim().split('\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.match(/^gradual weight 90%: epoch 1\/2, loss 0\.3333, accuracy 50\.0%, sparsity 30\.0%, \d+ s$/);
    expect(lines[1]).to.match(/^gradual weight 90%: epoch 2\/2, loss 0\.1667, accuracy 50\.0%, sparsity 60\.0%/);
    expect(lines.slice(2)).to.deep.equal(['gradual weight 90%: test accuracy 97.00%', 'done']);
  });

  it('shows nothing without a stream', () => {
    const progress = createProgress(null);
    const run = progress.startRun('x', { epochs: 1, stepsPerEpoch: 1 });
    run.update({ epoch: 0, step: 1, loss: 1, accuracy: 1, sparsity: 0 });
    run.finish('ok');
    progress.log('nothing');
  });
});
