/**
 * The Inspect section's chart: a Vega-Lite spec of the model's layers, in
 * the style of the study's plots (experiments/plots.ts): parameters and
 * multiply-accumulates per layer with a kernel, bars shaded by sparsity.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ModelLayerRow } from '../src';

/** The spec of `layers`' chart (the layers with parameters), `width` pixels wide per panel. */
export function layerChartSpec(layers: readonly ModelLayerRow[], width: number): TopLevelSpec {
  const values = layers.filter((l) => l.parameters > 0)
    .flatMap((l) => [
      { layer: l.layer, measure: 'Parameters', value: l.parameters, sparsity: l.sparsity ?? 0 },
      { layer: l.layer, measure: 'MACs per example', value: l.macs, sparsity: l.sparsity ?? 0 },
    ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['Parameters', 'MACs per example'] } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'layer', type: 'nominal', sort: null, title: null },
        x: { field: 'value', type: 'quantitative', title: null, axis: { format: '~s' } },
        color: {
          field: 'sparsity', type: 'quantitative', title: 'Sparsity',
          scale: { domain: [0, 1], range: ['#4c78a8', '#e45756'] }, legend: { format: '.0%' },
        },
      },
    },
    config: { font: 'system-ui, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11 } },
  };
}
