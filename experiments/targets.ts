import type { Stat, Summary } from './aggregate';
import type { SpeedRow } from './results';

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

/** LeNet-5's dense target: test accuracy of the dense baseline at least this (mean of its seeds; Han et al. 2015: 0.80% error). */
export const CNN_DENSE_TARGET = { accuracy: 0.99 } as const;
/**
 * LeNet-5's weight target: gradual weight pruning at this sparsity within this many points of dense (Han et al. 2015:
 * 0.80% → 0.77% error at 92% pruned). Its row is global scope's: Han et al. prune each layer at its own rate (the first
 * convolution keeps 66%), which one threshold over the layers sets from the weights; 90% of every layer leaves that
 * convolution 50 of its 500 weights.
 */
export const CNN_WEIGHT_TARGET = { method: 'weight (global)', sparsity: 0.9, points: 0.1 } as const;
/** LeNet-5's filter target: gradual filter pruning at this fraction, compacted, within `points` of dense and `speedup` times faster at `batch`. */
export const CNN_FILTER_TARGET = { sparsity: 0.5, points: 0.3, speedup: 2.5, batch: 32 } as const;
/** The residual CNN's target: gradual channel pruning at this fraction, compacted, within `points` of dense and `speedup` times faster at `batch`. */
export const RESIDUAL_CHANNEL_TARGET = { sparsity: 0.5, points: 0.5, speedup: 2, batch: 32 } as const;

/**
 * The dense LeNet-5's accuracy against {@link CNN_DENSE_TARGET}, or null when it was not run.
 *
 * ```ts
 * const dense = cnnDenseTarget(summarize(rows)); // {accuracy: {mean, std}, seeds: 3, met: true}
 * ```
 */
export function cnnDenseTarget(summaries: Summary[]): { accuracy: Stat; seeds: number; met: boolean } | null {
  const dense = summaries.find((s) => s.network === 'LeNet-5' && s.method === 'dense' && s.schedule === 'none');
  return dense == null ? null : { accuracy: dense.testAccuracy, seeds: dense.seeds, met: dense.testAccuracy.mean >= CNN_DENSE_TARGET.accuracy };
}

/** A LeNet-5 target checked: accuracies over the seeds both rows ran, and (filter target) the predict speedup. */
export interface CnnTarget {
  dense: Stat;
  pruned: Stat;
  /** `pruned - dense` in percentage points, of the means. */
  points: number;
  /** Seeds of the pruned row. */
  seeds: number;
  accuracyMet: boolean;
  /** Mean over the seeds of dense / compacted predict time at the target's batch (filter target only; null when not timed). */
  speedup: number | null;
  met: boolean;
}

/**
 * The LeNet-5 weight target ({@link CNN_WEIGHT_TARGET}), or null when its rows were not run.
 *
 * ```ts
 * const target = cnnWeightTarget(summarize(rows)); // {dense, pruned, points, met, ...}
 * ```
 */
export function cnnWeightTarget(summaries: Summary[]): CnnTarget | null {
  const t = accuracyTarget(summaries, CNN_WEIGHT_TARGET.method, CNN_WEIGHT_TARGET);
  return t == null ? null : { ...t, speedup: null, met: t.accuracyMet };
}

/**
 * The LeNet-5 filter target ({@link CNN_FILTER_TARGET}): accuracy and the
 * measured speedup of the compacted models, or null when its rows were not run.
 *
 * ```ts
 * const target = cnnFilterTarget(summarize(rows), results.speed);
 * ```
 */
export function cnnFilterTarget(summaries: Summary[], speed: SpeedRow[]): CnnTarget | null {
  return speedTarget(summaries, speed, 'LeNet-5', 'unit', CNN_FILTER_TARGET);
}

/**
 * The residual CNN's channel target ({@link RESIDUAL_CHANNEL_TARGET}):
 * accuracy and the measured speedup of the compacted models, or null when its rows were not run.
 *
 * ```ts
 * const target = residualChannelTarget(summarize(rows), results.speed);
 * ```
 */
export function residualChannelTarget(summaries: Summary[], speed: SpeedRow[]): CnnTarget | null {
  return speedTarget(summaries, speed, 'residual CNN', 'channel', RESIDUAL_CHANNEL_TARGET);
}

function speedTarget(summaries: Summary[], speed: SpeedRow[], network: Summary['network'], method: string,
  target: { sparsity: number; points: number; speedup: number; batch: number }): CnnTarget | null {
  const t = accuracyTarget(summaries, method, target, network);
  if (t == null) return null;
  const timed = speed.filter((s) => s.network === network && s.schedule === 'gradual' && s.method === method &&
    s.targetSparsity === target.sparsity && s.batch === target.batch);
  const speedup = timed.length === 0 ? null : timed.reduce((sum, s) => sum + s.speedup, 0) / timed.length;
  return { ...t, speedup, met: t.accuracyMet && speedup != null && speedup >= target.speedup };
}

function accuracyTarget(summaries: Summary[], method: string, target: { sparsity: number; points: number }, network: Summary['network'] = 'LeNet-5') {
  const dense = summaries.find((s) => s.network === network && s.method === 'dense' && s.schedule === 'none');
  const pruned = summaries.find((s) => s.network === network && s.schedule === 'gradual' && s.method === method &&
    s.targetSparsity === target.sparsity);
  if (dense == null || pruned == null) return null;
  const points = 100 * (pruned.testAccuracy.mean - dense.testAccuracy.mean);
  return { dense: dense.testAccuracy, pruned: pruned.testAccuracy, points, seeds: pruned.seeds, accuracyMet: points >= -target.points };
}

/** Two LeNet-5 methods at one schedule and sparsity: test accuracies and `a - b` in points. */
export interface MethodGap {
  schedule: Summary['schedule'];
  sparsity: number;
  a: number;
  b: number;
  points: number;
}

/**
 * Test accuracy of LeNet-5's method `a` minus that of method `b`, at every
 * schedule and sparsity where both were measured (for example `'weight
 * (global)'` against `'weight'`, or `'weight'` against `'random'`).
 *
 * ```ts
 * for (const g of methodGaps(summarize(rows), 'weight', 'random')) console.log(g.sparsity, g.points);
 * ```
 */
export function methodGaps(summaries: Summary[], a: string, b: string): MethodGap[] {
  const cnn = summaries.filter((s) => s.network === 'LeNet-5');
  return cnn.filter((s) => s.method === a).flatMap((x) => {
    const y = cnn.find((s) => s.method === b && s.schedule === x.schedule && s.targetSparsity === x.targetSparsity);
    return y == null ? [] : [{
      schedule: x.schedule, sparsity: x.targetSparsity, a: x.testAccuracy.mean, b: y.testAccuracy.mean,
      points: 100 * (x.testAccuracy.mean - y.testAccuracy.mean),
    }];
  });
}
