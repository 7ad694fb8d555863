import { expect } from 'chai';
import { keptChannelCount, selectGroupChannels } from '../../src/masks/channel_selection';

const ranking = (importance: number[], sparsity: number, live = importance.map(() => 1)) => ({
  importance: Float64Array.from(importance), live: Uint8Array.from(live), sparsity,
});

describe('selectGroupChannels', () => {
  it('layer scope: each group loses its least important channels, ties to the lower index', () => {
    const [a, b] = selectGroupChannels([ranking([3, 1, 2, 4], 0.5), ranking([1, 1, 1, 1, 1, 1], 1 / 3)], 'layer', 1);
    expect(Array.from(a)).to.deep.equal([1, 0, 0, 1]);
    expect(Array.from(b)).to.deep.equal([0, 0, 1, 1, 1, 1]);
  });

  it('keeps what is already pruned pruned, also past the target', () => {
    const [keep] = selectGroupChannels([ranking([9, 8, 7, 1], 0.25, [0, 0, 1, 1])], 'layer', 1);
    expect(Array.from(keep)).to.deep.equal([0, 0, 1, 1]);
  });

  it('keeps one channel of a group at sparsity 1', () => {
    const [keep] = selectGroupChannels([ranking([1, 3, 2], 1)], 'layer', 1);
    expect(Array.from(keep)).to.deep.equal([0, 1, 0]);
  });

  it('roundTo: rounds the kept count up to a multiple, where the group has that many channels', () => {
    const [wide, narrow] = selectGroupChannels([ranking([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), ranking([1, 2, 3], 0.5)], 'layer', 4);
    expect(Array.from(wide)).to.deep.equal([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]); // 5 kept rounds up to 8
    expect(Array.from(narrow)).to.deep.equal([0, 0, 1]); // 3 channels < 4: round(1.5) = 2 go, unrounded
  });

  it('global scope: one ranking over all groups, each keeping at least one channel', () => {
    const [a, b] = selectGroupChannels([ranking([0.1, 0.2, 0.3], 0.5), ranking([5, 6, 7], 0.5)], 'global', 1);
    expect(Array.from(a)).to.deep.equal([0, 0, 1]); // 3 of 6 go: two here (the third would empty it), then b's least
    expect(Array.from(b)).to.deep.equal([0, 1, 1]);
  });
});

describe('keptChannelCount', () => {
  it('is channels minus pruned, rounded up, at least 1 and at most the live channels', () => {
    expect(keptChannelCount(10, 3, 1, 10)).to.equal(7);
    expect(keptChannelCount(10, 3, 4, 10)).to.equal(8);
    expect(keptChannelCount(10, 10, 1, 10)).to.equal(1);
    expect(keptChannelCount(10, 1, 4, 6)).to.equal(6);
  });
});
