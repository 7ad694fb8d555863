import type { Summary } from './aggregate';

/** The target: gradual weight pruning within this many points of dense at 90% sparsity. */
export const TARGET_POINTS = 0.5;
/** A curve "falls off" from the first sparsity at which it is more than this many points below dense. */
export const FALL_OFF_POINTS = 1;

/** What a `--quick` run says beside the target: its subset and epochs are too small to meet it. */
export const QUICK_TARGET_NOTE = 'a --quick run, on a small subset for few epochs, is not expected to meet it: run without --quick to measure it';

/** The check of the main target. */
export interface MainTarget {
  dense: number;
  pruned: number;
  /** `pruned - dense`, in percentage points. */
  points: number;
  met: boolean;
}

/** Where one pruning curve stops keeping up with its dense model. */
export interface FallOff {
  network: Summary['network'];
  method: string;
  schedule: Summary['schedule'];
  dense: number;
  /** Highest tested sparsity up to which every point stays within {@link TARGET_POINTS} of dense; null if none does. */
  holdsUpTo: number | null;
  /** Lowest tested sparsity more than {@link FALL_OFF_POINTS} below dense; null if none is. */
  fallsFrom: number | null;
}

/**
 * Gradual weight pruning of LeNet-300-100 at 90% against its dense baseline,
 * or null when either was not run.
 *
 * ```ts
 * const target = mainTarget(summarize(rows)); // {dense, pruned, points, met}
 * ```
 */
export function mainTarget(summaries: Summary[]): MainTarget | null {
  const dense = denseOf(summaries, 'LeNet-300-100');
  const pruned = summaries.find((s) => s.schedule === 'gradual' && s.method === 'weight' && s.targetSparsity === 0.9);
  if (dense == null || pruned == null) return null;
  const points = 100 * (pruned.testAccuracy.mean - dense);
  return { dense, pruned: pruned.testAccuracy.mean, points, met: points >= -TARGET_POINTS };
}

/**
 * For every pruning curve (network, method, schedule) whose dense model was
 * measured: up to where it holds and from where it falls off.
 *
 * ```ts
 * for (const f of fallOffs(summarize(rows))) console.log(f.method, f.schedule, f.fallsFrom);
 * ```
 */
export function fallOffs(summaries: Summary[]): FallOff[] {
  const curves = new Map<string, Summary[]>();
  for (const s of summaries) {
    if (s.schedule === 'none' || s.targetSparsity === 0) continue;
    const key = [s.network, s.method, s.schedule].join('|');
    curves.set(key, [...(curves.get(key) ?? []), s]);
  }
  return [...curves.values()].flatMap((curve) => {
    const dense = denseOf(summaries, curve[0].network);
    if (dense == null) return [];
    const points = [...curve].sort((a, b) => a.targetSparsity - b.targetSparsity);
    const below = (s: Summary) => 100 * (dense - s.testAccuracy.mean);
    let holdsUpTo: number | null = null;
    for (const p of points) {
      if (below(p) > TARGET_POINTS) break;
      holdsUpTo = p.targetSparsity;
    }
    const fallsFrom = points.find((p) => below(p) > FALL_OFF_POINTS)?.targetSparsity ?? null;
    return [{ network: curve[0].network, method: curve[0].method, schedule: curve[0].schedule, dense, holdsUpTo, fallsFrom }];
  });
}

function denseOf(summaries: Summary[], network: Summary['network']): number | undefined {
  return summaries.find((s) => s.network === network && s.method === 'dense' && s.schedule === 'none')?.testAccuracy.mean;
}
