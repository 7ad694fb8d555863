import { checkFraction, checkOptions, describeValue } from '../checks';
import type { SensitivityScan } from './sensitivity_scan';

/**
 * Per-layer sparsities from {@link proposeSparsities}.
 *
 * ```js
 * const {sparsities, sparsity, predictedScore} = proposeSparsities(scan, 0.8);
 * pruneModel(model, {sparsity: sparsities});
 * ```
 */
export interface SparsityProposal {
  /** A sparsity per scanned layer, by name: what `pruneModel`'s `sparsity` takes. */
  sparsities: Record<string, number>;
  /** The overall sparsity they give over the scanned layers' weights: the target. */
  sparsity: number;
  /** The baseline minus the layers' interpolated losses at those sparsities, as if the losses added up. */
  predictedScore: number;
}

/** A point of a layer's loss curve: pruned weights and score lost. */
interface Point {
  x: number;
  loss: number;
}

interface LayerCurve {
  name: string;
  weights: number;
  /** Measured points by sparsity, from (0, 0). */
  points: Point[];
}

/**
 * Proposes per-layer sparsities that reach `target`, the overall sparsity of
 * the scanned layers' weights, with the least predicted loss of score, from
 * a {@link sensitivityScan} (as Distiller's sensitivity-driven schedules do).
 *
 * A layer's loss at sparsity s is the baseline minus its score, linearly
 * interpolated between the scanned sparsities (from no loss at 0); its
 * cost is counted per pruned weight, `s · weights`. Losses of layers are
 * assumed to add up. The algorithm is greedy on loss per pruned weight: each
 * layer's curve is replaced by its lower convex hull (so that a costly step
 * before a cheap stretch is weighed together with it), all hull segments
 * of all layers are taken in order of increasing loss per weight (ties: the
 * earlier layer), and the last one in part, until `target · weights` are
 * pruned. For convex curves this is the exact optimum of the interpolated
 * model (a fractional knapsack). A layer goes no further than its largest
 * scanned sparsity; a target beyond them all is an error. Sparsity here is
 * a fraction of weights: exact for `'weight'` and `'random'` scans,
 * approximate for `'unit'` and blocks.
 *
 * @param scan A {@link sensitivityScan} result, or a table of the same form.
 * @param target The overall sparsity to reach, in [0, 1].
 *
 * @example
 * ```js
 * const scan = await sensitivityScan(model, evaluate, {sparsities: [0.25, 0.5, 0.75, 0.9]});
 * const {sparsities, predictedScore} = proposeSparsities(scan, 0.7); // e.g. {conv1: 0.25, conv2: 0.69, dense: 0.9}
 * ```
 */
export function proposeSparsities(scan: SensitivityScan, target: number): SparsityProposal {
  const curves = checkedCurves(scan);
  checkFraction(target, 'proposeSparsities: target');
  const total = curves.reduce((n, c) => n + c.weights, 0);
  const reachable = curves.reduce((n, c) => n + c.points[c.points.length - 1].x, 0);
  const needed = target * total;
  if (needed > reachable * (1 + 1e-12)) {
    throw new Error(`proposeSparsities: target ${target} exceeds ${total === 0 ? 0 : reachable / total}, the overall sparsity ` +
      "with every layer at its largest scanned sparsity; scan higher sparsities.");
  }
  const segments = curves.flatMap((curve, layer) => {
    if (curve.weights === 0) return [];
    const hull = lowerHull(curve.points);
    return hull.slice(1).map((p, i) => ({ layer, from: hull[i].x, to: p.x, slope: (p.loss - hull[i].loss) / (p.x - hull[i].x) }));
  });
  segments.sort((a, b) => a.slope - b.slope || a.layer - b.layer || a.from - b.from);
  const pruned = new Array<number>(curves.length).fill(0);
  let remaining = needed;
  for (const { layer, from, to } of segments) {
    if (remaining <= 0) break;
    const take = Math.min(to - from, remaining);
    pruned[layer] = from + take;
    remaining -= take;
  }
  const sparsities: Record<string, number> = {};
  let lost = 0;
  curves.forEach((curve, i) => {
    // Rounded to 12 digits: 0.1, not the 0.09999999999999964 of the segments' sums.
    sparsities[curve.name] = curve.weights === 0 ? 0 : Math.round((pruned[i] / curve.weights) * 1e12) / 1e12;
    lost += interpolate(curve.points, pruned[i]);
  });
  const sparsity = total === 0 ? 0 : pruned.reduce((a, b) => a + b, 0) / total;
  return { sparsities, sparsity, predictedScore: scan.baseline - lost };
}

/** The lower convex hull of points sorted by x (Andrew's monotone chain): collinear points dropped. */
function lowerHull(points: readonly Point[]): Point[] {
  const hull: Point[] = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const [o, a] = [hull[hull.length - 2], hull[hull.length - 1]];
      // a is on or above the line from o to p: not a corner of the lower hull.
      if ((a.x - o.x) * (p.loss - o.loss) - (a.loss - o.loss) * (p.x - o.x) > 0) break;
      hull.pop();
    }
    hull.push(p);
  }
  return hull;
}

/** The loss at `x` pruned weights, linearly between the measured points. */
function interpolate(points: readonly Point[], x: number): number {
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (x <= b.x) return b.x === a.x ? b.loss : a.loss + ((x - a.x) / (b.x - a.x)) * (b.loss - a.loss);
  }
  return points[points.length - 1].loss;
}

/** Each layer's loss curve from a scan's rows, in the order layers first appear; validates the table. */
function checkedCurves(scan: unknown): LayerCurve[] {
  const usage = 'proposeSparsities: scan must be a sensitivityScan result {baseline: number, rows: [{layer, sparsity, score, weights}]}';
  checkOptions(scan, usage);
  const { baseline, rows } = scan as Partial<SensitivityScan>;
  if (typeof baseline !== 'number' || !Number.isFinite(baseline)) throw new TypeError(`${usage}; its baseline is ${describeValue(baseline)}.`);
  if (!Array.isArray(rows) || rows.length === 0) throw new TypeError(`${usage}; its rows are ${Array.isArray(rows) ? 'empty' : describeValue(rows)}.`);
  const curves = new Map<string, LayerCurve & { sparsities: Set<number> }>();
  rows.forEach((row: unknown, i) => {
    const where = `proposeSparsities: scan.rows[${i}]`;
    checkOptions(row, `${where} must be a row {layer, sparsity, score, weights}`);
    const { layer, sparsity, score, weights } = row as Record<string, unknown>;
    if (typeof layer !== 'string') throw new TypeError(`${where}.layer must be a layer name; received ${describeValue(layer)}.`);
    checkFraction(sparsity, `${where}.sparsity`);
    if (typeof score !== 'number' || !Number.isFinite(score)) throw new TypeError(`${where}.score must be a finite number; received ${describeValue(score)}.`);
    if (typeof weights !== 'number' || !Number.isInteger(weights) || weights < 0) {
      throw new TypeError(`${where}.weights must be a non-negative integer; received ${describeValue(weights)}.`);
    }
    const curve = curves.get(layer) ?? { name: layer, weights, points: [], sparsities: new Set<number>() };
    curves.set(layer, curve);
    if (curve.weights !== weights) throw new Error(`${where} gives layer '${layer}' ${weights} weights, an earlier row ${curve.weights}.`);
    if (curve.sparsities.has(sparsity)) throw new Error(`${where} repeats sparsity ${sparsity} for layer '${layer}'.`);
    curve.sparsities.add(sparsity);
    curve.points.push({ x: sparsity * weights, loss: baseline - score });
  });
  return [...curves.values()].map(({ name, weights, points }) => {
    points.sort((a, b) => a.x - b.x);
    // No loss unpruned, unless the scan measured sparsity 0 itself.
    if (points[0].x !== 0) points.unshift({ x: 0, loss: 0 });
    return { name, weights, points };
  });
}
