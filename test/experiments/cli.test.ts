import { expect } from 'chai';
import { main, parseCommandLine } from '../../experiments/cli';
import { sink } from '../support/sink';

describe('experiments CLI', () => {
  it('defaults to the full comparison on the automatic backend', () => {
    const o = parseCommandLine([]);
    expect(o).to.deep.include({
      experiments: ['one-shot', 'gradual', 'baselines'],
      seeds: [1],
      epochs: 10,
      referenceEpochs: 3,
      batchSize: 128,
      learningRate: 0.001,
      sparsities: [0.5, 0.8, 0.9, 0.95, 0.98],
      oneShotSparsities: [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99],
      dropoutRates: [0.2, 0.5],
      trainSize: 60000,
      testSize: 10000,
      backend: 'auto',
      quick: false,
    });
    expect(o.out).to.equal('docs/results');
  });

  it('--quick shrinks data and epochs and writes elsewhere; explicit flags still win', () => {
    const quick = parseCommandLine(['--quick']);
    expect(quick).to.include({ quick: true, epochs: 2, referenceEpochs: 1, trainSize: 1000, testSize: 500 });
    expect(quick.out).to.not.equal('docs/results');
    const o = parseCommandLine(['--quick', '--epochs', '3', '-o', 'out', '-e', 'gradual,baselines', '--seeds', '4,2',
      '--sparsities', '0.9', '--backend', 'cpu', '--train-size', '600']);
    expect(o).to.deep.include({ epochs: 3, out: 'out', experiments: ['gradual', 'baselines'], seeds: [4, 2], sparsities: [0.9], backend: 'cpu', trainSize: 600 });
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
      [['--experiments', 'pruning'], /--experiments: 'pruning' is not one of one-shot, gradual, baselines/],
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
    for (const flag of ['--experiments', '--epochs', '--seeds', '--sparsities', '--out', '--backend', '--quick', '--help']) {
      expect(out.text()).to.include(flag);
    }
  });
});
