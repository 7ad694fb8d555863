import type { Stat } from './aggregate';

// How the report and the summary write numbers.

/** `0.9812` → `'98.12%'`. */
export function percent(x: number, digits = 2): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** A mean over seeds with its spread, as a percentage: `'98.12 ± 0.05%'`, or `'98.12%'` for one seed. */
export function stat(s: Stat): string {
  return s.std > 0 ? `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}%` : percent(s.mean);
}

/** Percentage points with their sign: `'+0.12'`, `'-1.50'`. */
export function signed(points: number): string {
  return `${points >= 0 ? '+' : ''}${points.toFixed(2)}`;
}

/** Bytes as KiB with one decimal. */
export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Seconds, as minutes from 10 minutes on. */
export function seconds(s: number): string {
  return s >= 600 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
}

/** The arithmetic mean. */
export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** An integer with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
