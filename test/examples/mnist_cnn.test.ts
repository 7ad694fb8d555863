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
    expect(result.strippedClasses).to.deep.equal(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    expect(lines.filter((l) => l.startsWith('conv1 (PrunableConv2D)'))).to.have.length(1);
    expect(lines[lines.length - 2]).to.match(/^test accuracy 0\.\d{4}$/);
  });
});
