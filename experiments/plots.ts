import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Field } from 'vega-lite/build/src/channeldef';
import type { LayerSpec } from 'vega-lite/build/src/spec/layer';
import type { Summary } from './aggregate';
import { PUBLISHED_ACCURACY, PUBLISHED_SPARSITIES } from './published';
import type { NetworkName, SpeedRow } from './results';
import { CNN_FILTER_TARGET } from './targets';

/** A network's plots: its name and the prefix of their file names. */
interface PlotNetwork {
  name: NetworkName;
  file: string;
}

// The report's plots as Vega-Lite specifications, rendered to SVG in Node.

/** Markdown lines showing the plot of that file name, if the report has it. */
export type Figure = (file: string) => string[];

/** A plot of the report: its file name, alt text and specification. */
export interface Plot {
  file: string;
  title: string;
  spec: vl.TopLevelSpec;
}

const WIDTH = 560;
const HEIGHT = 320;
const sparsityAxis = {
  field: 'sparsity', type: 'quantitative', title: 'sparsity of the pruned layers (filter pruning: fraction of filters and units)', axis: { format: '.0%' },
} as const;
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
 * for (const plot of reportPlots(summarize(rows), results.speed)) fs.writeFileSync(plot.file, await renderSvg(plot.spec));
 * ```
 */
export function reportPlots(summaries: Summary[], speed: SpeedRow[]): Plot[] {
  const plots: Plot[] = [];
  const reference = summaries.filter((s) => s.network === 'reference MLP' && s.schedule === 'one-shot');
  if (reference.length > 0) plots.push(referencePlot(reference));
  for (const network of [{ name: 'LeNet-300-100', file: 'lenet' }, { name: 'LeNet-5', file: 'lenet5' }] as const) {
    const rows = summaries.filter((s) => s.network === network.name);
    const gradual = rows.filter((s) => s.schedule === 'gradual');
    const baselines = rows.filter((s) => s.schedule === 'none');
    if (gradual.length > 0) plots.push(gradualPlot(network, gradual, baselines));
    const oneShot = rows.filter((s) => s.schedule.startsWith('one-shot'));
    if (gradual.length > 0 && oneShot.length > 0) plots.push(oneShotVsGradualPlot(network, [...oneShot, ...gradual], baselines));
    if (rows.length > 0) plots.push(sizePlot(network, rows));
  }
  if (speed.length > 0) plots.push(speedPlot(speed));
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

function gradualPlot(network: PlotNetwork, gradual: Summary[], baselines: Summary[]): Plot {
  const methods = [...new Set(gradual.map((s) => s.method))].join(', ');
  return {
    file: `${network.file}-gradual.svg`,
    title: `${network.name}, test error (log scale) vs sparsity of gradual pruning (${methods}); dense and dropout as reference lines`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: `${network.name}: gradual pruning vs dense and dropout`,
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

function oneShotVsGradualPlot(network: PlotNetwork, pruned: Summary[], baselines: Summary[]): Plot {
  return {
    file: `${network.file}-one-shot-vs-gradual.svg`,
    title: `${network.name}, test error (log scale) vs sparsity: one-shot pruning of the trained dense model vs gradual pruning during training`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: `${network.name}: one-shot vs gradual pruning`,
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

function sizePlot(network: PlotNetwork, rows: Summary[]): Plot {
  return {
    file: `${network.file}-size.svg`,
    title: `${network.name}, test error vs gzipped size of the deployed weights (log scales), every model`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: `${network.name}: what each approach buys`,
      data: {
        values: rows.map((s) => ({
          kilobytes: s.gzipBytes / 1024,
          error: error(s),
          approach: s.schedule === 'none' ? s.method : `${s.schedule} ${s.method}`,
        })),
      },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x: { field: 'kilobytes', type: 'quantitative', title: 'gzipped float32 weights of the deployed model (KiB, log scale)', scale: { type: 'log' } },
        y: errorAxis,
        color: { field: 'approach', type: 'nominal', title: 'approach' },
        shape: { field: 'approach', type: 'nominal' },
      },
    },
  };
}

function speedPlot(speed: SpeedRow[]): Plot {
  return {
    file: 'lenet5-speed.svg',
    title: `LeNet-5, predict speedup of the compacted filter-pruned models over the dense model at batch 1 and 32, every timed model; the target ${CNN_FILTER_TARGET.speedup}x as a line`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      title: 'LeNet-5: predict speedup of compacted filter pruning',
      layer: [
        {
          data: {
            values: speed.map((s) => ({
              sparsity: s.targetSparsity, speedup: s.speedup, batch: `batch ${s.batch}`, schedule: s.schedule,
            })),
          },
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 'sparsity', type: 'quantitative', title: 'fraction of filters and hidden units pruned', axis: { format: '.0%' } },
            y: { field: 'speedup', type: 'quantitative', title: 'dense time / compacted time' },
            color: { field: 'batch', type: 'nominal', title: 'batch' },
            shape: { field: 'schedule', type: 'nominal', title: 'schedule' },
          },
        },
        {
          data: { values: [{ speedup: CNN_FILTER_TARGET.speedup }] },
          mark: { type: 'rule', strokeDash: [4, 3], color: '#222222' },
          encoding: { y: { field: 'speedup', type: 'quantitative' } },
        },
      ],
    },
  };
}
