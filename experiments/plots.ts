import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Field } from 'vega-lite/build/src/channeldef';
import type { LayerSpec } from 'vega-lite/build/src/spec/layer';
import type { Summary } from './aggregate';
import { PUBLISHED_ACCURACY, PUBLISHED_SPARSITIES } from './published';

// The report's plots as Vega-Lite specifications, rendered to SVG in Node.

/** A plot of the report: its file name, alt text and specification. */
export interface Plot {
  file: string;
  title: string;
  spec: vl.TopLevelSpec;
}

const WIDTH = 560;
const HEIGHT = 320;
const sparsityAxis = { field: 'sparsity', type: 'quantitative', title: 'sparsity of the hidden layers', axis: { format: '.0%' } } as const;
/** A legend that shows line dashes, not the points drawn on the lines. */
const dashLegend = {
  symbolType: 'stroke',
  symbolStrokeWidth: 2,
  symbolSize: 400,
  labelLimit: 300,
  // The points on the lines make Vega-Lite fill the legend symbols and drop their stroke: set it back.
  encode: { symbols: { update: { stroke: { value: '#444444' } } } },
} as const;
/** Test error on a log axis: tenths of a point near 2% stay visible beside a collapse to 20%. */
const errorAxis = { field: 'error', type: 'quantitative', title: 'test error (log scale)', scale: { type: 'log' }, axis: { format: '.1%' } } as const;
const error = (s: Summary) => Math.max(1 - s.testAccuracy.mean, 1e-4);
/** Fixed colours for the unpruned models, dark enough to see as thin dashed lines. */
const baselineColors = { field: 'model', type: 'nominal', title: 'unpruned', scale: { range: ['#222222', '#9467bd', '#8c564b', '#e377c2'] } } as const;
const accuracyAxis = { field: 'accuracy', type: 'quantitative', title: 'test accuracy', axis: { format: '.1%' } } as const;

/**
 * The plots the summaries allow: a plot whose data is missing is left out.
 *
 * ```ts
 * for (const plot of reportPlots(summarize(rows))) fs.writeFileSync(plot.file, await renderSvg(plot.spec));
 * ```
 */
export function reportPlots(summaries: Summary[]): Plot[] {
  const plots: Plot[] = [];
  const reference = summaries.filter((s) => s.network === 'reference MLP' && s.schedule === 'one-shot');
  if (reference.length > 0) plots.push(referencePlot(reference));
  const lenet = summaries.filter((s) => s.network === 'LeNet-300-100');
  const gradual = lenet.filter((s) => s.schedule === 'gradual');
  const baselines = lenet.filter((s) => s.schedule === 'none');
  if (gradual.length > 0) plots.push(gradualPlot(gradual, baselines));
  const oneShot = lenet.filter((s) => s.schedule === 'one-shot');
  if (gradual.length > 0 && oneShot.length > 0) plots.push(oneShotVsGradualPlot([...oneShot, ...gradual], baselines));
  if (lenet.length > 0) plots.push(sizePlot(lenet));
  return plots;
}

/**
 * Renders a Vega-Lite specification to an SVG document.
 *
 * ```ts
 * const svg = await renderSvg({data: {values}, mark: 'line', encoding: {x: {field: 'k'}, y: {field: 'accuracy'}}});
 * ```
 */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function referencePlot(reference: Summary[]): Plot {
  const values = [
    ...reference.map((s) => ({ sparsity: s.targetSparsity, accuracy: s.testAccuracy.mean, method: s.method, source: 'this run' })),
    ...PUBLISHED_SPARSITIES.flatMap((k, i) => [
      { sparsity: k, accuracy: PUBLISHED_ACCURACY.accuracy_weight_prune[i], method: 'weight', source: 'published' },
      { sparsity: k, accuracy: PUBLISHED_ACCURACY.accuracy_unit_prune[i], method: 'unit', source: 'published' },
      { sparsity: k, accuracy: PUBLISHED_ACCURACY.accuracy_weight_prune_wd[i], method: 'weight', source: 'published, weight decay' },
      { sparsity: k, accuracy: PUBLISHED_ACCURACY.accuracy_unit_prune_wd[i], method: 'unit', source: 'published, weight decay' },
    ]),
  ];
  return {
    file: 'reference-one-shot.svg',
    title: 'Reference MLP 784-1000-1000-500-200-10, one-shot pruning without retraining: this run and the published notebook',
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: 'Reference MLP: one-shot pruning without retraining',
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: sparsityAxis,
        y: accuracyAxis,
        color: { field: 'method', type: 'nominal', title: 'method' },
        strokeDash: { field: 'source', type: 'nominal', title: 'source', sort: ['this run', 'published', 'published, weight decay'], legend: dashLegend },
      },
    },
  };
}

/** Horizontal lines for the unpruned models (dense and dropout). */
function baselineRules(baselines: Summary[]): LayerSpec<Field>['layer'][number] {
  return {
    data: { values: baselines.map((s) => ({ accuracy: s.testAccuracy.mean, error: error(s), model: s.method })) },
    mark: { type: 'rule', strokeDash: [4, 3] },
    encoding: { y: { field: 'error', type: 'quantitative' }, color: baselineColors },
  };
}

function gradualPlot(gradual: Summary[], baselines: Summary[]): Plot {
  return {
    file: 'lenet-gradual.svg',
    title: 'LeNet-300-100, test error (log scale) vs sparsity of gradual pruning by weight and by unit; dense and dropout as reference lines',
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: 'LeNet-300-100: gradual pruning vs dense and dropout',
      resolve: { scale: { color: 'independent' } },
      layer: [
        {
          data: { values: gradual.map((s) => ({ sparsity: s.targetSparsity, error: error(s), method: s.method })) },
          mark: { type: 'line', point: true },
          encoding: { x: sparsityAxis, y: errorAxis, color: { field: 'method', type: 'nominal', title: 'gradual pruning' } },
        },
        baselineRules(baselines),
      ],
    },
  };
}

function oneShotVsGradualPlot(pruned: Summary[], baselines: Summary[]): Plot {
  return {
    file: 'lenet-one-shot-vs-gradual.svg',
    title: 'LeNet-300-100, test error (log scale) vs sparsity: one-shot pruning of the trained dense model vs gradual pruning during training',
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: 'LeNet-300-100: one-shot vs gradual pruning',
      resolve: { scale: { color: 'independent' } },
      layer: [
        {
          data: { values: pruned.map((s) => ({ sparsity: s.targetSparsity, error: error(s), method: s.method, schedule: s.schedule })) },
          mark: { type: 'line', point: true },
          encoding: {
            x: sparsityAxis,
            y: errorAxis,
            color: { field: 'method', type: 'nominal', title: 'method' },
            strokeDash: { field: 'schedule', type: 'nominal', title: 'schedule', legend: dashLegend },
          },
        },
        baselineRules(baselines.filter((s) => s.method === 'dense')),
      ],
    },
  };
}

function sizePlot(lenet: Summary[]): Plot {
  return {
    file: 'lenet-size.svg',
    title: 'LeNet-300-100, test error vs gzipped size of the stripped weights (log scales), every model',
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: 'LeNet-300-100: what each approach buys',
      data: {
        values: lenet.map((s) => ({
          kilobytes: s.gzipBytes / 1024,
          error: error(s),
          approach: s.schedule === 'none' ? s.method : `${s.schedule} ${s.method}`,
        })),
      },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x: { field: 'kilobytes', type: 'quantitative', title: 'gzipped stripped weights (KiB, log scale)', scale: { type: 'log' } },
        y: errorAxis,
        color: { field: 'approach', type: 'nominal', title: 'approach' },
        shape: { field: 'approach', type: 'nominal' },
      },
    },
  };
}
