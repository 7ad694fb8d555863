import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { computeFloat32, readFloat32 } from '../../src/ops/float32_data';
import { describeOnBackends } from '../support/backends';
import { expectNoTensorLeak } from '../support/memory';

describeOnBackends('readFloat32', (backend) => {
  it('passes the values of float32, int32 and bool tensors as Float32Arrays, in order', () => {
    tf.tidy(() => {
      const inputs = [
        { tensor: tf.tensor2d([[1.5, -2], [0, 4]]), name: 'a' },
        { tensor: tf.tensor1d([3, -7], 'int32'), name: 'b' },
        { tensor: tf.tensor1d([true, false, true], 'bool'), name: 'c' },
        { tensor: tf.cast(tf.tensor1d([true, false], 'bool'), 'float32'), name: 'd' },
      ];
      const seen = readFloat32(inputs, (...values) => values.map((v) => [v instanceof Float32Array, Array.from(v)]));
      expect(seen).to.deep.equal([
        [true, [1.5, -2, 0, 4]],
        [true, [3, -7]],
        [true, [1, 0, 1]],
        [true, [1, 0]],
      ]);
    });
  });

  it('returns what `read` returns and leaves the tensors as they were', () => {
    const t = tf.tensor1d([1, 2, 3]);
    expect(readFloat32([{ tensor: t, name: 't' }], (v) => v[0] + v[1] + v[2])).to.equal(6);
    expect(Array.from(t.dataSync())).to.deep.equal([1, 2, 3]);
    t.dispose();
  });

  it('rejects string and complex tensors, naming the argument and the dtype', () => {
    tf.tidy(() => {
      expect(() => readFloat32([{ tensor: tf.tensor1d(['a']), name: 'w' }], () => 0)).to.throw(
        TypeError, 'w must be a real-valued tensor (float32, int32 or bool); received dtype string');
      // wasm has no complex kernels.
      if (backend === 'cpu') {
        const z = tf.complex(tf.tensor1d([1]), tf.tensor1d([2]));
        expect(() => readFloat32([{ tensor: z, name: 'mask' }], () => 0)).to.throw(TypeError, 'received dtype complex64');
      }
    });
  });

  it('reads a tensor whose data lives on the other backend', async () => {
    await tf.setBackend(backend === 'cpu' ? 'wasm' : 'cpu');
    const t = tf.tensor1d([4, 5]);
    await tf.setBackend(backend);
    expect(readFloat32([{ tensor: t, name: 't' }], (v) => Array.from(v))).to.deep.equal([4, 5]);
    t.dispose();
  });
});

describeOnBackends('computeFloat32', () => {
  it('returns a float32 tensor of the shape holding what `compute` wrote from the inputs', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
      const b = tf.tensor2d([[1, 0, 1], [0, 1, 0]], undefined, 'int32');
      const out = computeFloat32([3, 2], [{ tensor: a, name: 'a' }, { tensor: b, name: 'b' }], (o, x, y) => {
        for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i] + 0.5;
      });
      expect(out.dtype).to.equal('float32');
      expect(out.shape).to.deep.equal([3, 2]);
      expect(Array.from(out.dataSync())).to.deep.equal([1.5, 0.5, 3.5, 0.5, 5.5, 0.5]);
      // The result is a tensor like any other.
      expect(Array.from(tf.add(out, 1).dataSync())).to.deep.equal([2.5, 1.5, 4.5, 1.5, 6.5, 1.5]);
    });
  });

  it('makes a result independent of its inputs and of later results', () => {
    const a = tf.tensor1d([1, 2]);
    const first = computeFloat32([2], [{ tensor: a, name: 'a' }], (o, x) => o.set(x));
    const second = computeFloat32([2], [{ tensor: a, name: 'a' }], (o) => o.fill(9));
    a.dispose();
    expect(Array.from(first.dataSync())).to.deep.equal([1, 2]);
    expect(Array.from(second.dataSync())).to.deep.equal([9, 9]);
    tf.dispose([first, second]);
  });

  it('handles empty tensors and no inputs', () => {
    const empty = computeFloat32([0, 3], [], (o) => expect(o.length).to.equal(0));
    expect(empty.shape).to.deep.equal([0, 3]);
    empty.dispose();
  });

  it('disposes the new tensor and passes the error on when compute or an input check throws', async () => {
    const a = tf.tensor1d([1, 2]);
    const s = tf.tensor1d(['x']);
    await expectNoTensorLeak(() => {
      expect(() => computeFloat32([2], [{ tensor: a, name: 'a' }], () => {
        throw new Error('boom');
      })).to.throw('boom');
      expect(() => computeFloat32([1], [{ tensor: s, name: 's' }], () => undefined)).to.throw(TypeError, 's must be');
    });
    tf.dispose([a, s]);
  });

  it('leaks no tensor', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    await expectNoTensorLeak(() => {
      computeFloat32([3], [{ tensor: a, name: 'a' }], (o, x) => o.set(x)).dispose();
    });
    a.dispose();
  });
});
