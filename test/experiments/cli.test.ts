import * as os from 'node:os';
import { expect } from 'chai';
import { main, parseCommandLine } from '../../experiments/cli';
import { sink } from '../support/sink';

describe('experiments CLI', () => {
  it('defaults to the full comparison on the automatic backend', () => {
    const o = parseCommandLine([]);
    expect(o).to.deep.include({
      experiments: ['one-shot', 'gradual', 'baselines', 'cnn-baselines', 'cnn-gradual', 'residual'],
      seeds: [1],
      headlineSeeds: [1, 2, 3],
      epochs: 10,
      referenceEpochs: 3,
      cnnPretrainEpochs: 3,
      cnnEpochs: 3,
      cnnSparsities: [0.8, 0.9, 0.95, 0.98],
      filterSparsities: [0.25, 0.5, 0.75],
      channelSparsities: [0.3, 0.5, 0.7],
      cnnTrainSize: 15000,
      jobs: os.availableParallelism(),
      batchSize: 128,
      learningRate: 0.001,
      cnnFineTuneLearningRate: 0.0001,
      sparsities: [0.5, 0.8, 0.9, 0.95, 0.98],
      oneShotSparsities: [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99],
      dropoutRates: [0.2, 0.5],
      trainSize: 60000,
      testSize: 10000,
      backend: 'auto',
      quick: false,
      resume: false,
    });
    expect(o.out).to.equal('docs/results');
  });

  it('--quick shrinks data and epochs and writes elsewhere; explicit flags still win', () => {
    const quick = parseCommandLine(['--quick']);
    expect(quick).to.include({
      quick: true, epochs: 2, referenceEpochs: 1, cnnPretrainEpochs: 1, cnnEpochs: 1, trainSize: 1000, cnnTrainSize: 1000, testSize: 500,
    });
    expect(quick.headlineSeeds).to.deep.equal([1]);
    expect(quick.out).to.not.equal('docs/results');
    const o = parseCommandLine(['--quick', '--epochs', '3', '-o', 'out', '-e', 'gradual,baselines', '--seeds', '4,2',
      '--sparsities', '0.9', '--backend', 'cpu', '--train-size', '600', '--jobs', '3', '--headline-seeds', '5', '--cnn-epochs', '2',
      '--cnn-pretrain-epochs', '4', '--channel-sparsities', '0.5', '--resume']);
    expect(o).to.deep.include({
      epochs: 3, out: 'out', experiments: ['gradual', 'baselines'], seeds: [4, 2], sparsities: [0.9], backend: 'cpu', trainSize: 600,
      cnnTrainSize: 600, jobs: 3, headlineSeeds: [5], cnnEpochs: 2, cnnPretrainEpochs: 4, channelSparsities: [0.5], resume: true,
    });
    // Without --quick, LeNet-5's subset stays at its default unless --train-size is smaller.
    expect(parseCommandLine(['--train-size', '10000'])).to.include({ trainSize: 10000, cnnTrainSize: 10000 });
    expect(parseCommandLine(['--cnn-train-size', '5000'])).to.include({ trainSize: 60000, cnnTrainSize: 5000 });
    // Held-out images come off the end of the training set.
    expect(parseCommandLine(['--holdout', '10000'])).to.include({ holdout: 10000, trainSize: 50000, cnnTrainSize: 15000 });
    expect(parseCommandLine([])).to.include({ holdout: 0 });
  });

  it('rejects bad flags with a message naming the flag and what it accepts', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--epochs', '0'], /--epochs takes integers >= 1; received '0'/],
      [['--epochs', 'ten'], /--epochs takes integers >= 1; received 'ten'/],
      [['--seeds', '1,,2'], /--seeds takes a comma-separated list without empty items; received '1,,2'/],
      [['--seeds', '1,1'], /--seeds lists a value twice: '1,1'/],
      [['--seeds', '-3'], /--seeds takes integers >= 1; received '-3'/],
      [['--sparsities', '90'], /--sparsities takes fractions in \(0, 1\) such as 0\.9 \(not percents\); received '90'/],
      [['--sparsities', '0'], /--sparsities takes fractions in \(0, 1\)/],
      [['--one-shot-sparsities', '0,1'], /--one-shot-sparsities takes fractions in \[0, 1\).*received '1'/],
      [['--experiments', 'pruning'], /--experiments: 'pruning' is not one of one-shot, gradual, baselines, cnn-baselines, cnn-gradual, residual/],
      [['--jobs', '0'], /--jobs takes integers >= 1; received '0'/],
      [['--jobs', '1.5'], /--jobs takes integers >= 1; received '1.5'/],
      [['-j', 'all'], /--jobs takes integers >= 1; received 'all'/],
      [['--cnn-epochs', '0'], /--cnn-epochs takes integers >= 1; received '0'/],
      [['--holdout', '10000', '--train-size', '55000'], /--train-size \(55000\) and --holdout \(10000\) take at most MNIST's 60000 training images together/],
      [['--holdout', '60000'], /--holdout takes integers from 1 to 59999; received '60000'/],
      [['--cnn-pretrain-epochs', '-1'], /--cnn-pretrain-epochs takes integers >= 1; received '-1'/],
      [['--channel-sparsities', '0.5,1.5'], /--channel-sparsities takes fractions in \(0, 1\).*received '1\.5'/],
      [['--fine-tune-steps', '50'], /unknown option '--fine-tune-steps'/],
      [['--headline-seeds', '1,1'], /--headline-seeds lists a value twice: '1,1'/],
      [['--cnn-sparsities', '95'], /--cnn-sparsities takes fractions in \(0, 1\) such as 0\.9 \(not percents\); received '95'/],
      [['--filter-sparsities', '1'], /--filter-sparsities takes fractions in \(0, 1\)/],
      [['--cnn-train-size', '0'], /--cnn-train-size takes integers from 1 to 60000; received '0'/],
      [['--train-size', '500', '--cnn-train-size', '800'], /--cnn-train-size \(800\) takes at most --train-size \(500\) images/],
      [['--backend', 'gpu'], /argument 'gpu' is invalid\. Allowed choices are auto, tensorflow, wasm, cpu/],
      [['--train-size', '70000'], /--train-size takes integers from 1 to 60000; received '70000'/],
      [['--learning-rate', '-1'], /--learning-rate takes a number > 0; received '-1'/],
      [['--epoch', '3'], /unknown option '--epoch'/],
      [['--epochs'], /option '--epochs <n>' argument missing/],
      [['run'], /too many arguments/],
    ];
    for (const [args, message] of bad) {
      expect(() => parseCommandLine(args), args.join(' ')).to.throw(message);
    }
  });

  it('main prints the error and exits with 1 on a bad flag, before any work', async () => {
    const out = sink();
    const err = sink();
    expect(await main(['--epochs', '0'], { out: out.stream, err: err.stream })).to.equal(1);
    expect(err.text()).to.match(/--epochs takes integers >= 1; received '0'.*\n.*npm start -- --help lists the flags/);
    expect(out.text()).to.equal('');
  });

  it('--help prints every flag and exits with 0', async () => {
    const out = sink();
    const err = sink();
    expect(await main(['--help'], { out: out.stream, err: err.stream })).to.equal(0);
    for (const flag of ['--experiments', '--epochs', '--cnn-epochs', '--seeds', '--headline-seeds', '--sparsities', '--cnn-sparsities',
      '--filter-sparsities', '--cnn-pretrain-epochs', '--channel-sparsities', '--cnn-train-size', '--jobs', '--out', '--backend', '--quick',
      '--resume', '--holdout', '--help']) {
      expect(out.text()).to.include(flag);
    }
  });
});
