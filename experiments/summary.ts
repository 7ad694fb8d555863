import * as path from 'node:path';
import { summarize } from './aggregate';
import type { ComparisonResults } from './results';
import { fallOffs, mainTarget, QUICK_TARGET_NOTE } from './targets';

/**
 * Prints the end-of-run summary: the LeNet-300-100 models side by side, the
 * reference MLP's dense accuracy, the targets, the run time and where the report is.
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
  for (const s of summaries.filter((x) => x.network === 'LeNet-300-100' && x.schedule !== 'one-shot')) {
    const name = s.schedule === 'none' ? s.method : `${s.schedule} ${s.method} ${(100 * s.targetSparsity).toFixed(0)}%`;
    print(`  LeNet-300-100 ${name.padEnd(20)} test ${pct(s.testAccuracy.mean)}  sparsity ${pct(s.sparsity).padStart(7)}  ` +
      `nonzero ${String(Math.round(s.nonzeroParameters)).padStart(7)}  gzip ${(s.gzipBytes / 1024).toFixed(0).padStart(5)} KiB`);
  }
  const reference = summaries.find((s) => s.network === 'reference MLP' && s.method === 'dense');
  if (reference != null) print(`  reference MLP dense            test ${pct(reference.testAccuracy.mean)}`);
  const target = mainTarget(summaries);
  if (target != null) {
    const quick = results.settings.quick ? `; ${QUICK_TARGET_NOTE}` : '';
    print(`Target, gradual weight pruning at 90% within 0.5 points of dense: ${target.met ? 'met' : 'MISSED'} ` +
      `(${target.points >= 0 ? '+' : ''}${target.points.toFixed(2)} points${quick})`);
  }
  for (const f of fallOffs(summaries)) {
    print(`  ${f.network} ${f.schedule} ${f.method}: holds up to ${f.holdsUpTo == null ? 'none' : pct(f.holdsUpTo)}, ` +
      `falls off from ${f.fallsFrom == null ? 'none tested' : pct(f.fallsFrom)}`);
  }
  print(`Done in ${(results.totalSeconds / 60).toFixed(1)} min. Report: ${path.join(dir, files.find((f) => f.endsWith('.md')) ?? '')}`);
}
