import * as tfl from '@tensorflow/tfjs-layers';
import { checkOptionNames, checkOptions, describeValue } from '../checks';
import { checkLayersModel } from '../model/model_checks';
import { compactionReport, CompactionReport } from '../transforms/compact_units';
import { findPrunableLayers, outputLayers } from '../model/prunable_layers';
import { lastPruningMethod, layerPruningReport, LayerPruningReport } from './prune_layer';
import { checkPruningMethod, checkPruningMethods, PruningMethod } from './pruning_method';

/**
 * Options of {@link pruningSummary}.
 *
 * ```js
 * pruningSummary(model, {method: 'unit', methods: {output: 'weight'}, printFn: (line) => lines.push(line)});
 * ```
 */
export interface PruningSummaryArgs {
  /**
   * The method every layer was pruned with. Default: the method each layer was last pruned with
   * in this process (by {@link pruneModel}, {@link pruneLayer} or {@link PruningScheduleCallback}), else unknown.
   */
  method?: PruningMethod;
  /** Per-layer methods by layer name, overriding `method` (as `PruningScheduleCallback` takes them). Default: none. */
  methods?: Readonly<Record<string, PruningMethod>>;
  /** Whether to print the table. Default: true when `printFn` is given, else false. */
  print?: boolean;
  /** Prints one line of the table, as `model.summary(lineLength, positions, printFn)` does. Default: `console.log`. */
  printFn?: (line: string) => void;
  /**
   * Whether to add what {@link compactUnits} would do ({@link compactionReport}:
   * channels, multiply-accumulates and parameters before and after, the
   * pruned units that stay and why), to the summary and its table. Default: false.
   */
  compaction?: boolean;
}

/**
 * One prunable layer's row of a {@link PruningSummary}.
 *
 * ```js
 * const {layer, sparsity, prunedUnits, method} = pruningSummary(model).layers[0];
 * ```
 */
export interface PruningSummaryRow extends LayerPruningReport {
  /**
   * Whether the layer computes one of the model's outputs: {@link pruneModel}
   * and {@link PruningScheduleCallback} leave it alone when they prune by
   * `'unit'`, unless named (its units are outputs, such as classes); `'weight'` prunes it.
   */
  output: boolean;
  /** The method the layer was pruned with, or null when not known (a model loaded from files and not pruned since). */
  method: PruningMethod | null;
}

/**
 * The pruning state of a model: one row per prunable layer and the totals over them.
 *
 * ```js
 * const {layers, total} = pruningSummary(model);
 * console.log(`${total.nonzero} of ${total.weights} weights kept in ${layers.length} layers`);
 * ```
 */
export interface PruningSummary {
  /** The prunable layers, in nested models and wrappers too, in model order. */
  layers: PruningSummaryRow[];
  /** Sums over all rows; `sparsity` is the fraction of all their masked entries that is pruned. */
  total: {
    /** Masked entries of all rows. */
    weights: number;
    /** Masked entries the masks keep. */
    nonzero: number;
    /** Fraction of all masked entries that is pruned. */
    sparsity: number;
    /** Units pruned entirely, over all rows. */
    prunedUnits: number;
  };
  /** With `compaction: true`, what {@link compactUnits} would do. */
  compaction?: CompactionReport;
}

const COLUMNS = ['Layer (type)', 'Kernel shape', 'Method', 'Nonzero / weights', 'Sparsity', 'Pruned units'];
const WIDTHS = [40, 30, 8, 22, 10, 12];

/**
 * The pruning state of every prunable layer of `model` (in nested models
 * and wrappers too): its class, masked weights and their shapes, method
 * when known, nonzero (kept) masked entries, sparsity and pruned units
 * (of its output units), with totals. With `print` (or a `printFn`) it
 * also prints them as a table in the style of `model.summary()`.
 *
 * ```js
 * const summary = pruningSummary(model, {method: 'weight', print: true});
 * summary.total.sparsity; // e.g. 0.9
 * ```
 */
export function pruningSummary(model: tfl.LayersModel, args: PruningSummaryArgs = {}): PruningSummary {
  checkLayersModel(model, 'pruningSummary');
  checkOptions(args, 'pruningSummary: options must be an object {method?, methods?, print?, printFn?, compaction?}');
  checkOptionNames(args, 'pruningSummary', ['method', 'methods', 'print', 'printFn', 'compaction']);
  const { method, methods = {}, printFn, compaction = false } = args;
  const print = args.print ?? printFn !== undefined;
  if (method !== undefined) checkPruningMethod(method, 'pruningSummary: method');
  checkPruningMethods(methods, 'pruningSummary: methods');
  if (typeof print !== 'boolean') {
    throw new TypeError(`pruningSummary: print must be true or false; received ${describeValue(print)}.`);
  }
  if (typeof compaction !== 'boolean') {
    throw new TypeError(`pruningSummary: compaction must be true or false; received ${describeValue(compaction)}.`);
  }
  if (printFn !== undefined && typeof printFn !== 'function') {
    throw new TypeError(`pruningSummary: printFn must be a function (line: string) => void; received ${describeValue(printFn)}.`);
  }
  const layers = findPrunableLayers(model);
  const unknown = Object.keys(methods).filter((name) => !layers.some((l) => l.name === name));
  if (unknown.length > 0) {
    throw new Error(`pruningSummary: methods names ${unknown.map((n) => `'${n}'`).join(', ')}, not a prunable layer of ` +
      `the model; its prunable layers are: ${layers.map((l) => `'${l.name}'`).join(', ') || 'none'}.`);
  }
  const outputs = outputLayers(model);
  const rows = layers.map((layer) => ({
    ...layerPruningReport(layer), output: outputs.has(layer), method: methods[layer.name] ?? method ?? lastPruningMethod(layer),
  }));
  const summary: PruningSummary = {
    layers: rows,
    total: { weights: sum(rows, 'weights'), nonzero: sum(rows, 'nonzero'), sparsity: overallSparsity(rows), prunedUnits: sum(rows, 'prunedUnits') },
  };
  if (compaction) summary.compaction = compactionReport(model);
  if (print) printSummary(model, summary, printFn ?? console.log);
  return summary;
}

/**
 * The fraction of pruned masked entries over all `reports` (0 for none): the
 * sparsity of a model when they are all its prunable layers.
 */
export function overallSparsity(reports: ReadonlyArray<Pick<LayerPruningReport, 'weights' | 'nonzero'>>): number {
  const weights = sum(reports, 'weights');
  return weights === 0 ? 0 : 1 - sum(reports, 'nonzero') / weights;
}

function printSummary(model: tfl.LayersModel, summary: PruningSummary, printFn: (line: string) => void): void {
  const cells = summary.layers.map((r) => {
    const shapes = r.masks.map((m) => (r.masks.length === 1 ? `[${m.shape.join(',')}]` : `${m.weight} [${m.shape.join(',')}]`)).join(' ');
    return [`${r.layer} (${r.className})`, shapes, r.method ?? '-', `${r.nonzero} / ${r.weights}`, r.sparsity.toFixed(4), String(r.prunedUnits)];
  });
  const widths = columnWidths(WIDTHS, [COLUMNS, ...cells]);
  const width = widths.reduce((a, b) => a + b, 0);
  printFn(`Pruning summary of model '${model.name}'`);
  printFn('_'.repeat(width));
  printFn(row(COLUMNS, widths));
  printFn('='.repeat(width));
  cells.forEach((c, i) => {
    printFn(row(c, widths));
    printFn((i === cells.length - 1 ? '=' : '_').repeat(width));
  });
  if (summary.layers.length === 0) printFn('(no prunable layer)');
  const t = summary.total;
  printFn(`Kernel weights: ${t.weights}`);
  printFn(`Nonzero (kept): ${t.nonzero}`);
  printFn(`Sparsity: ${t.sparsity.toFixed(4)}`);
  printFn(`Pruned units: ${t.prunedUnits}`);
  const outputs = summary.layers.filter((r) => r.output).map((r) => r.layer);
  if (outputs.length > 0) {
    const [it, its] = outputs.length === 1 ? ['it', 'its'] : ['them', 'their'];
    printFn(`Output layer${outputs.length === 1 ? '' : 's'} ${outputs.join(', ')}: unit and channel pruning leave ${it} ` +
      `alone unless named (${its} units are model outputs); weight pruning prunes ${it}.`);
  }
  printFn('_'.repeat(width));
  if (summary.compaction !== undefined) printCompaction(summary.compaction, printFn);
}

const COMPACTION_COLUMNS = ['Layer (type)', 'Inputs', 'Outputs', 'MACs per example', 'Parameters'];
const COMPACTION_WIDTHS = [40, 14, 14, 26, 20];

/** The compaction table: a row per layer with a kernel, the pruned units it keeps beneath it, and the totals. */
export function printCompaction(report: CompactionReport, printFn: (line: string) => void): void {
  const change = ({ before, after }: { before: number; after: number }) => `${before} -> ${after}`;
  const cells = report.layers.map((l) => [`${l.layer} (${l.className})`, change(l.inputs), change(l.outputs), change(l.macs), change(l.parameters)]);
  const widths = columnWidths(COMPACTION_WIDTHS, [COMPACTION_COLUMNS, ...cells]);
  const width = widths.reduce((a, b) => a + b, 0);
  printFn('Compaction (compactUnits)');
  printFn(row(COMPACTION_COLUMNS, widths));
  printFn('='.repeat(width));
  report.layers.forEach((l, i) => {
    printFn(row(cells[i], widths));
    // Units kept for the same reason share a line.
    const reasons = new Map<string, number[]>();
    for (const { unit, reason } of l.kept) reasons.set(reason, [...(reasons.get(reason) ?? []), unit]);
    for (const [reason, units] of reasons) printFn(`  keeps pruned unit${units.length === 1 ? '' : 's'} ${units.join(', ')}: ${reason}`);
  });
  printFn('='.repeat(width));
  // Groups of more than one producer are what unit pruning alone cannot shrink.
  for (const g of report.groups.filter((group) => group.producers.length > 1)) {
    printFn(`Channel group ${g.producers.join(' + ')}: ${change(g.channels)} channels`);
  }
  printFn(`MACs per example: ${change(report.total.macs)}`);
  printFn(`Parameters: ${change(report.total.parameters)}`);
  printFn('_'.repeat(width));
}

/** Each column's width: its default, or wider for a longer cell (a long layer name), with a space before the next. */
function columnWidths(defaults: readonly number[], rows: ReadonlyArray<readonly string[]>): number[] {
  return defaults.map((width, i) => Math.max(width, ...rows.map((cells) => cells[i].length + 1)));
}

/** Cells padded to the column widths, each keeping at least one space before the next. */
function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === cells.length - 1 ? cell : `${cell} `.padEnd(widths[i]))).join('');
}

function sum<K extends 'weights' | 'nonzero' | 'prunedUnits'>(rows: ReadonlyArray<Pick<LayerPruningReport, K>>, key: K): number {
  return rows.reduce((total, r) => total + r[key], 0);
}
