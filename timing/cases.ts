// Times two sides of a case (candidate vs baseline): medians on process CPU
// time or wall time, their ratio and the targets. Shared by the benchmarks
// (bench/) and the experiments (experiments/), which both stay apart from src/.
import * as tf from '@tensorflow/tfjs';

/** One side of a case: something to run and time. */
export interface Side {
  /** What runs, as printed in the table. */
  label: string;
  /** One timed repetition; must finish its work before resolving. */
  run: () => unknown | Promise<unknown>;
  /** Untimed work before each run (and warm-up run), e.g. resetting state. */
  prepare?: () => unknown;
  /** Timed repetitions. Default: the case's. */
  repetitions?: number;
  /** Untimed runs first. Default: the case's. */
  warmup?: number;
  /** Sides with the same key (on the same backend) are timed once per process and reused. */
  cacheKey?: string;
}

/** A comparison: candidate time / baseline time, with optional targets. */
export interface BenchCase {
  name: string;
  /** Sizes and workload, as printed in the table. */
  sizes: string;
  candidate: Side;
  baseline: Side;
  /**
   * What the candidate is compared with is the baseline's median times this
   * (default 1): a measured rate scaled to the candidate's work, such as a
   * 1024³ matMul's time scaled to a training step's multiply-accumulates.
   */
  baselineScale?: number;
  /** Target: candidate median / (baseline median · baselineScale) at most this. */
  maxRatio?: number;
  /** Target: candidate median at most this many milliseconds. */
  maxCandidateMs?: number;
  /** Targets on what the case measured besides time (a compacted model's multiply-accumulates), reported with the timed ones. */
  checks?: Array<{ target: string; pass: boolean }>;
  /** Timed repetitions per side (default 5). */
  repetitions?: number;
  /** Untimed runs per side before timing (default 1). */
  warmup?: number;
}

/**
 * A side that runs one training step of `model` on `data` on `backend`,
 * switched to for the step and back to wasm after it (a stock model may
 * train only on cpu: its data must live there).
 */
export function stepping(label: string, model: tf.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }, backend: string): Side {
  return {
    label,
    run: async () => {
      await tf.setBackend(backend);
      try {
        await model.trainOnBatch(data.x, data.y);
      } finally {
        await tf.setBackend('wasm');
      }
    },
  };
}

/**
 * A side that predicts `x` with `model` as one batch (predict's default
 * batchSize, 32, would split a larger batch), reading the result back so
 * that the work is done. The read is outside `tf.tidy`, which walks a
 * returned typed array element by element.
 */
export function predicting(label: string, model: tf.LayersModel, x: tf.Tensor): Side {
  return {
    label,
    run: () => {
      const y = model.predict(x, { batchSize: x.shape[0] }) as tf.Tensor;
      y.dataSync();
      y.dispose();
    },
  };
}

/** The clock a result is judged on; both are recorded. */
export type Clock = 'cpu' | 'wall';

export interface SideResult {
  label: string;
  repetitions: number;
  /** Median on the case's clock. */
  medianMs: number;
  /** Samples on the case's clock. */
  samplesMs: number[];
  cpuMedianMs: number;
  wallMedianMs: number;
  cpuSamplesMs: number[];
  wallSamplesMs: number[];
}

export interface CaseResult {
  backend: string;
  case: string;
  sizes: string;
  /** The clock of `medianMs`, the ratio and the targets. */
  clock: Clock;
  candidate: SideResult;
  baseline: SideResult;
  /** The baseline's scale (see {@link BenchCase.baselineScale}). */
  baselineScale: number;
  ratio: number;
  targets: Array<{ target: string; pass: boolean }>;
}

/**
 * Backends that compute on this process's one thread (wasm runs without
 * threads in Node). There the process CPU time is the work done, and unlike
 * wall time it does not grow while other processes hold the cores, as they
 * do on a shared machine; elsewhere (tfjs-node's thread pool) wall time counts.
 */
const SINGLE_THREADED_BACKENDS = new Set(['wasm', 'cpu']);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One run of a side: wall time and process CPU time (user + system), in ms. */
async function timeOnce(side: Side): Promise<{ wall: number; cpu: number }> {
  side.prepare?.();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await side.run();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/**
 * The baseline's time over the candidate's, as the median over rounds of each
 * round's ratio: a round times the two sides one right after the other, so
 * load that comes and goes (other processes, the host) falls on both of its
 * samples, where a ratio of medians may pair a quiet sample with a busy one.
 * Takes a result whose sides were both timed in that run, alike in count.
 */
export function pairedSpeedup(result: CaseResult): number {
  const { candidate, baseline } = result;
  if (candidate.samplesMs.length !== baseline.samplesMs.length || candidate.samplesMs.length === 0) {
    throw new Error(`pairedSpeedup: '${result.case}' has ${candidate.samplesMs.length} candidate and ${baseline.samplesMs.length} baseline ` +
      'samples; it takes sides timed round by round in one run, as many of each.');
  }
  return median(candidate.samplesMs.map((c, i) => baseline.samplesMs[i] / c));
}

const cache = new Map<string, SideResult>();

/**
 * Runs a case: warm-up runs of each side, then timed repetitions that
 * alternate between the sides (baseline first on even rounds, candidate first
 * on odd ones), so that load from other processes falls on both alike.
 * Medians, ratio and targets are on process CPU time on single-threaded
 * backends, else on wall time; both are recorded.
 */
export async function runCase(c: BenchCase): Promise<CaseResult> {
  const backend = tf.getBackend();
  const clock: Clock = SINGLE_THREADED_BACKENDS.has(backend) ? 'cpu' : 'wall';
  const sides = [c.candidate, c.baseline].map((side) => {
    const key = side.cacheKey === undefined ? undefined : `${backend}/${side.cacheKey}`;
    return {
      side,
      key,
      cached: key === undefined ? undefined : cache.get(key),
      repetitions: side.repetitions ?? c.repetitions ?? 5,
      warmup: side.warmup ?? c.warmup ?? 1,
      samples: [] as Array<{ wall: number; cpu: number }>,
    };
  });
  const live = sides.filter((s) => s.cached === undefined);
  for (const s of live) for (let i = 0; i < s.warmup; i++) await timeOnce(s.side);
  const rounds = Math.max(0, ...live.map((s) => s.repetitions));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [...live].reverse() : live;
    for (const s of order) if (s.samples.length < s.repetitions) s.samples.push(await timeOnce(s.side));
  }
  const [candidate, baseline] = sides.map((s): SideResult => {
    if (s.cached !== undefined) return s.cached;
    const cpuSamplesMs = s.samples.map((t) => t.cpu);
    const wallSamplesMs = s.samples.map((t) => t.wall);
    const result = {
      label: s.side.label,
      repetitions: s.repetitions,
      medianMs: median(clock === 'cpu' ? cpuSamplesMs : wallSamplesMs),
      samplesMs: clock === 'cpu' ? cpuSamplesMs : wallSamplesMs,
      cpuMedianMs: median(cpuSamplesMs),
      wallMedianMs: median(wallSamplesMs),
      cpuSamplesMs,
      wallSamplesMs,
    };
    if (s.key !== undefined) cache.set(s.key, result);
    return result;
  });
  const baselineScale = c.baselineScale ?? 1;
  const ratio = candidate.medianMs / (baseline.medianMs * baselineScale);
  const targets: CaseResult['targets'] = [];
  if (c.maxCandidateMs !== undefined) {
    targets.push({ target: `candidate <= ${c.maxCandidateMs} ms`, pass: candidate.medianMs <= c.maxCandidateMs });
  }
  if (c.maxRatio !== undefined) targets.push({ target: `ratio <= ${+c.maxRatio.toPrecision(3)}`, pass: ratio <= c.maxRatio });
  targets.push(...(c.checks ?? []));
  return { backend, case: c.name, sizes: c.sizes, clock, candidate, baseline, baselineScale, ratio, targets };
}
