import { expect } from 'chai';
import { quickStart } from '../../examples/quick_start';

describe('examples/quick_start', () => {
  it('trains a pruned classifier in quick mode: 80% sparsity reached, accuracy far above chance', async () => {
    const lines: string[] = [];
    const result = await quickStart({ quick: true, log: (line) => lines.push(line) });
    // Exactly round(0.8 · size) pruned entries per layer.
    const sizes: Record<string, number> = { hidden1: 16 * 64, hidden2: 64 * 64, output: 64 * 4 };
    for (const [name, size] of Object.entries(sizes)) {
      expect(result.layerSparsity[name], name).to.equal(Math.round(0.8 * size) / size);
    }
    const sparsity = result.history.sparsity as number[];
    expect(sparsity).to.have.length(8);
    expect(sparsity[sparsity.length - 1]).to.equal(result.sparsity);
    expect(result.history.targetSparsity[7]).to.equal(0.8);
    // 4 classes: chance is 0.25.
    expect(result.testAccuracy).to.be.above(0.8);
    expect(lines).to.have.length(8 + 3 + 1);
    expect(lines[lines.length - 1]).to.match(/^test accuracy 0\.\d{4} at sparsity 0\.\d{4}$/);
  });
});
