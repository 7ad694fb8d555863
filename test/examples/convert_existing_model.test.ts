import { expect } from 'chai';
import { convertExistingModel } from '../../examples/convert_existing_model';

describe('examples/convert_existing_model', () => {
  it('converts a trained plain model, prunes it to 90%, fine-tunes it and strips it back to Dense layers', async () => {
    const lines: string[] = [];
    const result = await convertExistingModel({ quick: true, log: (line) => lines.push(line) });
    // 4 classes: chance is 0.25.
    expect(result.trainedAccuracy).to.be.above(0.8);
    // A mask of ones changes nothing; the stripped model computes what the pruned one does.
    expect(result.convertedAccuracy).to.equal(result.trainedAccuracy);
    expect(result.layerClasses).to.deep.equal({
      converted: ['PrunableDense', 'PrunableDense', 'PrunableDense'],
      stripped: ['Dense', 'Dense', 'Dense'],
    });
    // round(0.9 · n) pruned entries per layer: 922 + 3686 + 230 of 16·64 + 64·64 + 64·4.
    expect(result.sparsity).to.equal(1 - (102 + 410 + 26) / 5376);
    expect(result.fineTunedAccuracy).to.be.above(result.prunedAccuracy);
    expect(result.strippedDifference).to.be.below(1e-5);
    expect(result.strippedAccuracy).to.be.closeTo(result.fineTunedAccuracy, 1e-3);
    expect(lines[0]).to.match(/^trained plain model: accuracy 0\.\d{4}$/);
    expect(lines).to.include('Sparsity: 0.8999');
  });
});
