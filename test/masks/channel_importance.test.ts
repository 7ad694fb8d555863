import { expect } from 'chai';
import { channelImportance } from '../../src/masks/channel_importance';

describe('channelImportance', () => {
  it('sums each member\'s squares per channel, normalises by the member\'s mean, and averages over members', () => {
    // A Dense kernel [2, 3] producing 3 channels (columns), and a reader [3, 1] of them (rows), 10x larger.
    const producer = { values: Float32Array.of(1, 0, 2, 1, 0, 0), shape: [2, 3], axis: 1, channelOf: Int32Array.of(0, 1, 2) };
    const reader = { values: Float32Array.of(10, 20, 0), shape: [3, 1], axis: 0, channelOf: Int32Array.of(0, 1, 2) };
    // producer: [2, 0, 4] / mean 2 = [1, 0, 2]; reader: [100, 400, 0] / mean 500/3 = [0.6, 2.4, 0].
    const importance = channelImportance([producer, reader], 3);
    [0.8, 1.2, 1].forEach((v, c) => expect(importance[c]).to.be.closeTo(v, 1e-12));
  });

  it('maps several indices to one channel (Flatten\'s positions) and ignores other groups\' indices', () => {
    const reader = { values: Float32Array.of(1, 1, 2, 2, 5), shape: [5, 1], axis: 0, channelOf: Int32Array.of(0, 0, 1, 1, -1) };
    const importance = channelImportance([reader], 2);
    expect(Array.from(importance)).to.deep.equal([2 / 5, 8 / 5]);
  });

  it('counts an all-zero member for nothing', () => {
    const zero = { values: new Float32Array(4), shape: [2, 2], axis: 1, channelOf: Int32Array.of(0, 1) };
    const one = { values: Float32Array.of(1, 0, 1, 0), shape: [2, 2], axis: 1, channelOf: Int32Array.of(0, 1) };
    expect(Array.from(channelImportance([zero, one], 2))).to.deep.equal([1, 0]);
  });
});
