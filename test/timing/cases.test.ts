import { expect } from 'chai';
import { CaseResult, pairedSpeedup, runCase, SideResult } from '../../timing/cases';

function side(label: string, samplesMs: number[]): SideResult {
  return {
    label, repetitions: samplesMs.length, medianMs: NaN, samplesMs,
    cpuMedianMs: NaN, wallMedianMs: NaN, cpuSamplesMs: samplesMs, wallSamplesMs: samplesMs,
  };
}

function result(candidate: number[], baseline: number[]): CaseResult {
  return {
    backend: 'wasm', case: 'a case', sizes: '', clock: 'cpu', candidate: side('candidate', candidate), baseline: side('baseline', baseline),
    baselineScale: 1, ratio: NaN, targets: [],
  };
}

describe('timing/cases', () => {
  it('runCase times the sides round by round, alternating which goes first, after their warm-up runs', async () => {
    const calls: string[] = [];
    const r = await runCase({
      name: 'order', sizes: '',
      candidate: { label: 'c', run: () => calls.push('c') },
      baseline: { label: 'b', run: () => calls.push('b') },
      repetitions: 4, warmup: 1,
    });
    expect(calls).to.deep.equal(['c', 'b', 'b', 'c', 'c', 'b', 'b', 'c', 'c', 'b']);
    expect(r.candidate.samplesMs).to.have.length(4);
    expect(r.baseline.samplesMs).to.have.length(4);
  });

  it('pairedSpeedup is the median of each round\'s baseline / candidate, which a load on some rounds leaves as it is', () => {
    // Rounds 3 to 5 ran four times slower on both sides: the medians' ratio says 8, each round says 2.
    expect(pairedSpeedup(result([1, 1, 4, 4, 4], [2, 2, 8, 8, 8]))).to.equal(2);
    expect(pairedSpeedup(result([1, 2], [3, 8]))).to.equal(3.5);
  });

  it('pairedSpeedup refuses sides of different sample counts, naming the case', () => {
    expect(() => pairedSpeedup(result([1, 2], [1]))).to.throw(/'a case' has 2 candidate and 1 baseline samples/);
    expect(() => pairedSpeedup(result([], []))).to.throw(/'a case' has 0 candidate and 0 baseline samples/);
  });
});
