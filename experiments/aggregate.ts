import type { ResultRow } from './results';

/** Mean and sample standard deviation (0 for a single value). */
export interface Stat {
  mean: number;
  std: number;
}

/** The rows of one configuration (all its seeds) reduced to means. */
export interface Summary {
  experiment: ResultRow['experiment'];
  network: ResultRow['network'];
  method: string;
  schedule: ResultRow['schedule'];
  targetSparsity: number;
  seeds: number;
  testAccuracy: Stat;
  sparsity: number;
  prunedUnits: number;
  deployed: ResultRow['deployed'];
  nonzeroParameters: number;
  totalParameters: number;
  macs: number;
  gzipBytes: number;
  uint8Bytes: number;
  uint8GzipBytes: number;
  trainSeconds: number;
  epochs: number;
}

/**
 * Groups `rows` by configuration (experiment, network, method, schedule,
 * target sparsity), in order of first appearance, and averages over seeds.
 *
 * ```ts
 * const table = summarize(results.rows);
 * ```
 */
export function summarize(rows: ResultRow[]): Summary[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = [row.experiment, row.network, row.method, row.schedule, row.targetSparsity].join('|');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const mean = (pick: (r: ResultRow) => number) => stat(group.map(pick)).mean;
    const first = group[0];
    return {
      experiment: first.experiment,
      network: first.network,
      method: first.method,
      schedule: first.schedule,
      targetSparsity: first.targetSparsity,
      seeds: group.length,
      testAccuracy: stat(group.map((r) => r.testAccuracy)),
      sparsity: mean((r) => r.sparsity),
      prunedUnits: mean((r) => r.prunedUnits),
      deployed: first.deployed,
      nonzeroParameters: mean((r) => r.nonzeroParameters),
      totalParameters: mean((r) => r.totalParameters),
      macs: mean((r) => r.macs),
      gzipBytes: mean((r) => r.gzipBytes),
      uint8Bytes: mean((r) => r.uint8Bytes),
      uint8GzipBytes: mean((r) => r.uint8GzipBytes),
      trainSeconds: mean((r) => r.trainSeconds),
      epochs: first.epochs,
    };
  });
}

/**
 * Mean and sample standard deviation of `values`.
 *
 * ```ts
 * stat([0.97, 0.98]); // {mean: 0.975, std: 0.00707...}
 * ```
 */
export function stat(values: number[]): Stat {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length < 2 ? 0 : values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}
