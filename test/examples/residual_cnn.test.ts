import { expect } from 'chai';
import { residualCnn } from '../../examples/residual_cnn';

describe('examples/residual_cnn', function () {
  // About a minute alone on 2 cores; more when other work shares them.
  this.timeout(300_000);

  it('prunes half of every channel group of a residual CNN on MNIST while it fine-tunes, and compaction removes them all', async () => {
    const lines: string[] = [];
    const result = await residualCnn({ quick: true, log: (line) => lines.push(line) });
    // The residual streams are one group each with both their producers; the inner convs one each.
    expect(result.groups).to.deep.equal([
      { producers: ['stem_conv', 'block1_b_conv'], channels: 24, prunedChannels: 12 },
      { producers: ['block1_a_conv'], channels: 24, prunedChannels: 12 },
      { producers: ['block2_proj_conv', 'block2_b_conv'], channels: 48, prunedChannels: 24 },
      { producers: ['block2_a_conv'], channels: 48, prunedChannels: 24 },
    ]);
    // 4096 training images for 2 + 2 epochs: well above chance (0.1), and the compacted model computes what the pruned one does.
    // After its 2 epochs the dense model is still settling (Adam at 0.003, unseeded initialization and shuffles): its accuracy varies from run to run.
    expect(result.accuracy.dense).to.be.above(0.6);
    expect(result.accuracy.pruned).to.be.above(0.7);
    expect(result.difference).to.be.below(1e-4);
    expect(result.accuracy.compacted).to.be.closeTo(result.accuracy.pruned, 1e-3);
    // Half the channels of both sides of nearly every conv: about a quarter of the MACs stay (the stem reads 1 channel).
    expect(result.macs.after / result.macs.before).to.be.below(0.3);
    expect(result.parameters.after / result.parameters.before).to.be.below(0.3);
    expect(result.predictMs.dense).to.be.above(0);
    expect(result.predictMs.compacted).to.be.above(0);
    expect(lines.at(-1)).to.match(/^compacted: 3655488 -> \d+ MACs per image, 44194 -> \d+ parameters; predict at batch 32 on wasm: [\d.]+ ms dense, [\d.]+ ms compacted$/);
  });
});
