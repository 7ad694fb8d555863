import { expect } from 'chai';
import { ChannelGroups, freshChannels } from '../../../src/transforms/compaction/channels';

describe('ChannelGroups', () => {
  it('removes a group only when every source is a pruned unit and nothing vetoes it', () => {
    const groups = new ChannelGroups();
    const [a, b, c] = [groups.create(true), groups.create(true), groups.create(false, 'it is not pruned')];
    expect([a, b, c].map((g) => groups.removed(g))).to.deep.equal([true, true, false]);
    expect(groups.whyKept(c)).to.equal('it is not pruned');
    groups.veto(b, 'it reaches an output of the model');
    expect(groups.removed(b)).to.equal(false);
    expect(groups.whyKept(b)).to.equal('it reaches an output of the model');
    expect(groups.whyKept(a)).to.equal(null);
  });

  it('joins groups: a union goes only if both could, and keeps the first reason', () => {
    const groups = new ChannelGroups();
    const [a, b, c] = [groups.create(true), groups.create(true), groups.create(false, 'it is not pruned')];
    groups.union(a, b);
    expect(groups.removed(a)).to.equal(true);
    groups.union(b, c);
    expect([a, b, c].map((g) => groups.removed(g))).to.deep.equal([false, false, false]);
    expect(groups.whyKept(a)).to.equal('it is not pruned');
    groups.veto(a, 'a second reason');
    expect(groups.whyKept(c)).to.equal('it is not pruned');
    expect(groups.find(a)).to.equal(groups.find(c));
  });

  it('gives each channel of a fresh tensor its own group and constant', () => {
    const groups = new ChannelGroups();
    const t = freshChannels([null, 4, 4, 3], 3, groups, (c) => ({ pruned: c !== 1, constant: c / 2 }));
    expect(Array.from(t.constants)).to.deep.equal([0, 0.5, 1]);
    expect(new Set(t.groups).size).to.equal(3);
    expect(Array.from(t.groups, (g) => groups.removed(g))).to.deep.equal([true, false, true]);
  });
});
