import { expect } from 'chai';
import { axisGeometry, inputGradientPads, kernelSpan, readInputPads } from '../../src/ops/conv_geometry';

describe('axisGeometry', () => {
  it("computes TensorFlow's output lengths and 'same' padding (the odd zero after)", () => {
    expect(axisGeometry(28, 5, 1, 1, 'valid')).to.deep.equal({ input: 28, output: 24, kernel: 5, stride: 1, dilation: 1, padBefore: 0 });
    expect(axisGeometry(8, 3, 2, 1, 'same')).to.include({ output: 4, padBefore: 0 });
    expect(axisGeometry(7, 4, 1, 1, 'same')).to.include({ output: 7, padBefore: 1 });
    expect(axisGeometry(9, 3, 1, 2, 'same')).to.include({ output: 9, padBefore: 2 });
    expect(axisGeometry(10, 3, 1, 3, 'valid')).to.include({ output: 4 });
    expect(axisGeometry(11, 4, 3, 1, 'valid')).to.include({ output: 3 });
    expect(kernelSpan(axisGeometry(10, 3, 1, 3, 'valid'))).to.equal(7);
  });

  it('clamps a negative total padding to none: a kernel shorter than its stride', () => {
    const g = axisGeometry(6, 1, 2, 1, 'same');
    expect(g).to.include({ output: 3, padBefore: 0 });
    // The windows read positions 0, 2 and 4: position 5 is dropped.
    expect(readInputPads(g)).to.deep.equal([0, -1]);
  });

  it('pads the dilated output gradient so that a stride-1 correlation gives one value per input', () => {
    for (const [input, kernel, stride, dilation, padding] of [[7, 3, 2, 1, 'same'], [11, 4, 3, 1, 'valid'], [9, 3, 1, 2, 'same']] as const) {
      const g = axisGeometry(input, kernel, stride, dilation, padding);
      const [before, after] = inputGradientPads(g);
      const dilated = (g.output - 1) * stride + 1;
      expect(before).to.be.at.least(0);
      expect(after).to.be.at.least(0);
      expect(dilated + before + after - kernelSpan(g) + 1).to.equal(input);
    }
  });
});
