import * as path from 'node:path';
import { summarize } from './aggregate';
import type { ComparisonResults } from './results';
import { signed as signedPoints } from './format';
import {
  CNN_DENSE_TARGET, CNN_FILTER_TARGET, CNN_WEIGHT_TARGET, cnnDenseTarget, cnnFilterTarget, cnnWeightTarget, fallOffs, mainTarget, QUICK_TARGET_NOTE,
  RESIDUAL_CHANNEL_TARGET, residualChannelTarget,
} from './targets';

/**
 * Prints the end-of-run summary: the LeNet-300-100 and LeNet-5 models side
 * by side, the reference MLP's dense accuracy, the targets, the run time and where the report is.
 *
 * ```ts
 * printSummary(results, 'docs/results', files, console.log);
 * ```
 */
export function printSummary(results: ComparisonResults, dir: string, files: string[], print: (line: string) => void): void {
  const summaries = summarize(results.rows);
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  print('');
  print(`Summary (${results.settings.backend} backend, seeds ${results.settings.seeds.join(', ')}${results.settings.quick ? ', --quick subset' : ''}):`);
  for (const s of summaries.filter((x) => x.network !== 'reference MLP' && (x.schedule === 'none' || x.schedule === 'gradual'))) {
    const name = s.schedule === 'none' ? s.method : `${s.schedule} ${s.method} ${(100 * s.targetSparsity).toFixed(0)}%`;
    print(`  ${s.network.padEnd(13)} ${name.padEnd(29)} test ${pct(s.testAccuracy.mean)}  sparsity ${pct(s.sparsity).padStart(7)}  ` +
      `nonzero ${String(Math.round(s.nonzeroParameters)).padStart(7)}  gzip ${(s.gzipBytes / 1024).toFixed(0).padStart(5)} KiB` +
      `${s.seeds > 1 ? `  (${s.seeds} seeds)` : ''}`);
  }
  const reference = summaries.find((s) => s.network === 'reference MLP' && s.method === 'dense');
  if (reference != null) print(`  reference MLP dense            test ${pct(reference.testAccuracy.mean)}`);
  const quick = results.settings.quick ? `; ${QUICK_TARGET_NOTE}` : '';
  const target = mainTarget(summaries);
  if (target != null) {
    print(`Target, gradual weight pruning at 90% within 0.5 points of dense: ${target.met ? 'met' : 'MISSED'} ` +
      `(${signedPoints(target.points)} points${quick})`);
  }
  const cnnDense = cnnDenseTarget(summaries);
  if (cnnDense != null) {
    print(`Target, dense LeNet-5 at least ${pct(CNN_DENSE_TARGET.accuracy)}: ${cnnDense.met ? 'met' : 'MISSED'} ` +
      `(${pct(cnnDense.accuracy.mean)}, ${cnnDense.seeds} seed${cnnDense.seeds > 1 ? 's' : ''}${quick})`);
  }
  const cnnWeight = cnnWeightTarget(summaries);
  if (cnnWeight != null) {
    print(`Target, LeNet-5 gradual global weight pruning at 90% within ${CNN_WEIGHT_TARGET.points} points of dense: ${cnnWeight.met ? 'met' : 'MISSED'} ` +
      `(${signedPoints(cnnWeight.points)} points${quick})`);
  }
  const cnnFilter = cnnFilterTarget(summaries, results.speed);
  if (cnnFilter != null) {
    print(`Target, LeNet-5 gradual filter pruning at 50% within ${CNN_FILTER_TARGET.points} points and ${CNN_FILTER_TARGET.speedup}x faster at batch ` +
      `${CNN_FILTER_TARGET.batch}: ${cnnFilter.met ? 'met' : 'MISSED'} (${signedPoints(cnnFilter.points)} points, ` +
      `${cnnFilter.speedup == null ? 'not timed' : `${cnnFilter.speedup.toFixed(2)}x`}${quick})`);
  }
  const residual = residualChannelTarget(summaries, results.speed);
  if (residual != null) {
    const t = RESIDUAL_CHANNEL_TARGET;
    print(`Target, residual CNN gradual channel pruning at ${100 * t.sparsity}% within ${t.points} points and ${t.speedup}x faster at batch ` +
      `${t.batch}: ${residual.met ? 'met' : 'MISSED'} (${signedPoints(residual.points)} points, ` +
      `${residual.speedup == null ? 'not timed' : `${residual.speedup.toFixed(2)}x`}${quick})`);
  }
  for (const f of fallOffs(summaries)) {
    print(`  ${f.network} ${f.schedule} ${f.method}: holds up to ${f.holdsUpTo == null ? 'none' : pct(f.holdsUpTo)}, ` +
      `falls off from ${f.fallsFrom == null ? 'none tested' : pct(f.fallsFrom)}`);
  }
  print(`Done in ${(results.totalSeconds / 60).toFixed(1)} min. Report: ${path.join(dir, files.find((f) => f.endsWith('.md')) ?? '')}`);
}
