import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { SeededDropout } from '../../experiments/seeded_dropout';
import { expectNoTensorLeak } from '../support/memory';

describe('SeededDropout', () => {
  const x = () => tf.ones([4, 50]);
  const dropped = (layer: SeededDropout, input: tf.Tensor) =>
    Array.from((layer.apply(input, { training: true }) as tf.Tensor).dataSync());

  it('draws a new mask for every training call, the same sequence for the same seed', async () => {
    await expectNoTensorLeak(() => tf.tidy(() => {
      const a = new SeededDropout({ rate: 0.5, seed: 3 });
      const b = new SeededDropout({ rate: 0.5, seed: 3 });
      const input = x();
      const [a1, a2] = [dropped(a, input), dropped(a, input)];
      const [b1, b2] = [dropped(b, input), dropped(b, input)];
      expect(a1).to.not.deep.equal(a2);
      expect(b1).to.deep.equal(a1);
      expect(b2).to.deep.equal(a2);
      expect(dropped(new SeededDropout({ rate: 0.5, seed: 4 }), input)).to.not.deep.equal(a1);
      // Inverted dropout: kept values are scaled by 1 / (1 - rate).
      expect(new Set(a1)).to.deep.equal(new Set([0, 2]));
    }));
  });

  it('passes inputs through outside training', () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 3 });
    const output = layer.apply(x()) as tf.Tensor;
    expect(Array.from(output.dataSync()).every((v) => v === 1)).to.equal(true);
    output.dispose();
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).to.throw(RangeError, /SeededDropout: rate must be a number in \[0, 1\); received 1/);
    expect(() => new SeededDropout({ rate: -0.1, seed: 1 })).to.throw(RangeError, /received -0.1/);
  });
});
