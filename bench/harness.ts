// Reports benchmark cases (timed by ../timing/cases) as a table and as JSON.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchCase, CaseResult, runCase } from '../timing/cases';
import { BenchBackend, useBackend } from './backend';

/** The machine, as the tables and JSON report it. */
export function machine(): { cores: number; cpu: string; node: string; tfjs: string } {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    tfjs: tf.version.tfjs,
  };
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/**
 * Prints the results as one table: per case, both sides' medians (process
 * CPU time and wall time), the ratio on the case's clock, and PASS/FAIL per
 * target.
 */
export function printTable(title: string, results: CaseResult[]): void {
  const m = machine();
  console.log(`\n${title} — ${m.cores} cores, ${m.cpu}, node ${m.node}, tfjs ${m.tfjs}`);
  console.log('Medians of process CPU time and of wall time; ratio and targets on the clock named after the ratio ' +
    '(CPU time on the single-threaded wasm and cpu backends).');
  const header = ['backend', 'case', 'sizes', 'candidate', 'cpu ms', 'wall ms', 'baseline', 'cpu ms', 'wall ms',
    'ratio', 'targets'];
  const rows = results.map((r) => [
    r.backend,
    r.case,
    r.sizes,
    `${r.candidate.label} (n=${r.candidate.repetitions})`,
    formatMs(r.candidate.cpuMedianMs),
    formatMs(r.candidate.wallMedianMs),
    `${r.baseline.label} (n=${r.baseline.repetitions})${r.baselineScale === 1 ? '' : ` × ${r.baselineScale.toFixed(3)}`}`,
    formatMs(r.baseline.cpuMedianMs),
    formatMs(r.baseline.wallMedianMs),
    `${r.ratio.toFixed(3)} ${r.clock}`,
    r.targets.map((t) => `${t.pass ? 'PASS' : 'FAIL'} ${t.target}`).join('; ') || '-',
  ]);
  printMarkdownTable(header, rows);
}

/** Prints `rows` under `header` as a Markdown table, each column padded to its widest cell. */
export function printMarkdownTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** Writes the results to bench/results/<name>.json and returns that path. */
export function writeResults(name: string, results: CaseResult[]): string {
  const file = path.join(__dirname, 'results', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = { name, date: new Date().toISOString(), machine: machine(), results };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** The cases of a backend, and a function that frees their models and tensors. */
export interface BenchCases {
  cases: BenchCase[];
  dispose: () => void;
}

/** Whether every target of every result passed. */
export function allPassed(results: CaseResult[]): boolean {
  return results.every((r) => r.targets.every((t) => t.pass));
}

/**
 * Runs the cases `casesFor` builds (and may train) on each backend in turn, printing a line
 * per case, and checks that each backend's cases leaked no tensor.
 */
export async function runCasesOnBackends(
  label: string,
  backends: BenchBackend[],
  casesFor: (backend: BenchBackend) => BenchCases | Promise<BenchCases>,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const backend of backends) {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const { cases, dispose } = await casesFor(backend);
    for (const c of cases) {
      const result = await runCase(c);
      console.log(`  ${result.case}: ${result.candidate.medianMs.toFixed(1)} ms vs ${result.baseline.medianMs.toFixed(1)} ms`);
      results.push(result);
    }
    dispose();
    if (tf.memory().numTensors !== before) throw new Error(`${label} benchmark leaked ${tf.memory().numTensors - before} tensors`);
  }
  return results;
}

/** Runs a benchmark as a script: `run`, then `report`; exit status 1 if a target failed or an error was thrown. */
export function runAsScript<T>(run: () => Promise<T>, report: (results: T) => boolean): void {
  run().then((results) => {
    if (!report(results)) process.exitCode = 1;
  }).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
