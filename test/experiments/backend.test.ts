import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { useBackend } from '../../experiments/backend';

describe('experiments backend', () => {
  after(async () => {
    await tf.setBackend('wasm');
  });

  it('auto picks wasm when tfjs-node is not installed, silently', async () => {
    const warnings: string[] = [];
    expect(await useBackend('auto', (w) => warnings.push(w))).to.equal('wasm');
    expect(warnings).to.deep.equal([]);
  });

  it('switches to the backend asked for', async () => {
    expect(await useBackend('cpu')).to.equal('cpu');
    expect(tf.getBackend()).to.equal('cpu');
    expect(await useBackend('wasm')).to.equal('wasm');
  });

  it('says how to get tensorflow when tfjs-node is missing, and keeps the backend', async () => {
    let message = '';
    await useBackend('tensorflow').catch((e: Error) => {
      message = e.message;
    });
    expect(message).to.match(/Backend 'tensorflow' needs @tensorflow\/tfjs-node: not installed\. Install it with npm install @tensorflow\/tfjs-node, or choose --backend wasm or cpu/);
    expect(tf.getBackend()).to.equal('wasm');
  });
});
