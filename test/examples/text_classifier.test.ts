import { expect } from 'chai';
import { textClassifier } from '../../examples/text_classifier';

describe('examples/text_classifier', () => {
  it('prunes an Embedding + LSTM classifier to 80% while it trains on wasm, as accurate as the dense one, its weights gzipping far smaller', async () => {
    const lines: string[] = [];
    const result = await textClassifier({ quick: true, log: (line) => lines.push(line) });
    expect(result.layers).to.deep.equal([
      { layer: 'embedding', className: 'PrunableEmbedding', sparsity: 0.8 },
      { layer: 'lstm', className: 'PrunableLSTM', sparsity: 0.8 },
    ]);
    // Stripped, saved and loaded back with plain TF.js.
    for (const model of [result.dense, result.pruned]) expect(model.classes).to.deep.equal(['Embedding', 'LSTM', 'Dense']);
    // Two classes: chance is 0.5.
    expect(result.dense.testAccuracy).to.be.above(0.9);
    expect(result.pruned.testAccuracy).to.be.above(0.9);
    // The same bytes raw; gzipped, the zeros of the pruned weights go.
    expect(result.pruned.weightBytes).to.equal(result.dense.weightBytes);
    expect(result.pruned.gzipBytes).to.be.below(0.4 * result.dense.gzipBytes);
    expect(lines.filter((l) => l.startsWith('lstm (PrunableLSTM)'))).to.have.length(1);
    expect(lines[lines.length - 1]).to.match(/^gzipped weights: 0\.\d\d of the dense model's$/);
  });
});
