import { expect } from 'chai';
import { mnistCnn } from '../../examples/mnist_cnn';

describe('examples/mnist_cnn', () => {
  it('trains a CNN on real MNIST with filter pruning in quick mode: half the filters gone, accuracy far above chance', async () => {
    const lines: string[] = [];
    const result = await mnistCnn({ quick: true, log: (line) => lines.push(line) });
    expect(result.layers).to.deep.equal([
      { layer: 'conv1', className: 'PrunableConv2D', units: 16, prunedUnits: 8, sparsity: 0.5 },
      { layer: 'conv2', className: 'PrunableConv2D', units: 32, prunedUnits: 16, sparsity: 0.5 },
      { layer: 'hidden', className: 'PrunableDense', units: 128, prunedUnits: result.layers[2].prunedUnits, sparsity: 0.5 },
    ]);
    // 10 classes: chance is 0.1.
    expect(result.testAccuracy).to.be.above(0.85);
    // Compacted, saved and loaded back with plain TF.js: half the filters gone, the same accuracy.
    expect(result.compacted.classes).to.deep.equal(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    expect(result.compacted.widths).to.deep.equal({ conv1: 8, conv2: 16, hidden: 128, output: 10 });
    expect(result.compacted.testAccuracy).to.be.closeTo(result.testAccuracy, 1e-6);
    // conv1 230400 -> 115200, conv2 819200 -> 204800, hidden 65536 -> 32768, output 1280.
    expect(result.compacted.macs).to.deep.equal({ before: 1116416, after: 354048 });
    expect(lines.filter((l) => l.startsWith('conv1 (PrunableConv2D)'))).to.have.length(1);
    expect(lines.some((l) => /^conv2 \(Conv2D\)\s+16 -> 8\s+32 -> 16/.test(l))).to.equal(true);
    expect(lines[lines.length - 1]).to.match(/^compacted and loaded back: conv1 8, conv2 16, hidden 128, output 10; \d+ -> \d+ MACs per image; test accuracy 0\.\d{4}$/);
  });
});
