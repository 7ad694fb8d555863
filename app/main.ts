/**
 * The page's shell: reads the user's choices, asks the worker (worker.ts)
 * to do the work, and shows what it answers. Every error is one line in
 * #error and leaves the page usable. `document.body.dataset.last` names the
 * last finished request and its outcome (`load:ok`, `prune:error`), for the
 * browser tests; `window.appResults` holds the last results as data.
 */
import { io } from '@tensorflow/tfjs-core';
import embed, { Result } from 'vega-embed';
import { layerChartSpec } from './chart';
import {
  Backend, BACKENDS, DeployResult, FineTuneResult, Inspection, Measures, PruneResult, Request, Response,
} from './protocol';
import type { ModelLayerRow } from '../src';

declare global {
  interface Window {
    appResults: { inspection?: Inspection; prune?: PruneResult; fineTune?: FineTuneResult; deploy?: DeployResult };
    /** The worker's live tensors, for the tests. */
    workerTensors(): Promise<number>;
  }
}
window.workerTensors = () => ask<number>({ type: 'tensors' });
window.appResults = {};

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const worker = new Worker(new URL('worker.js', (document.currentScript as HTMLScriptElement).src));
const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; progress?(p: { step: number; steps: number; loss: number }): void }>();
let nextId = 1;

worker.onmessage = (event: MessageEvent<Response>) => {
  const response = event.data;
  const entry = pending.get(response.id);
  if (entry === undefined) return;
  if ('progress' in response) {
    entry.progress?.(response.progress);
    return;
  }
  pending.delete(response.id);
  if (response.ok) entry.resolve(response.result);
  else entry.reject(new Error(response.error));
};

/** Set once the worker failed outside a request (its script did not load, a message could not be read): it answers no more. */
let workerFailure: Error | undefined;
function failWorker(message: string): void {
  workerFailure = new Error(`The page's worker failed: ${message.replace(/\s*\n\s*/g, ' ')}. Reload the page.`);
  for (const entry of pending.values()) entry.reject(workerFailure);
  pending.clear();
}
worker.onerror = (event: ErrorEvent) => {
  event.preventDefault();
  failWorker(event.message || 'worker.js did not load');
};
worker.onmessageerror = () => failWorker('a message from it could not be read');

/** Sends `request` to the worker; resolves to its result. */
function ask<T>(request: Request, progress?: (p: { step: number; steps: number; loss: number }) => void): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    if (workerFailure) {
      reject(workerFailure);
      return;
    }
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject, progress });
    worker.postMessage({ ...request, id });
  });
}

/**
 * Runs `work` as the page's one task: the forms are disabled meanwhile,
 * `status` is shown, an error goes to #error as one line.
 */
async function task(name: string, status: string, work: () => Promise<void>): Promise<void> {
  // The controls enabled now are disabled meanwhile and enabled again; work may enable others (download, cancel).
  const enabled = Array.from(document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>(
    'main button, main input, main select, #backend')).filter((control) => !control.disabled);
  enabled.forEach((control) => {
    control.disabled = true;
  });
  $('error').hidden = true;
  $('status').textContent = status;
  document.body.dataset.busy = 'true';
  let outcome = 'ok';
  try {
    await work();
    $('status').textContent = '';
  } catch (error) {
    outcome = 'error';
    $('status').textContent = '';
    $('error').textContent = (error as Error).message;
    $('error').hidden = false;
  } finally {
    enabled.forEach((control) => {
      control.disabled = false;
    });
    document.body.dataset.busy = 'false';
    document.body.dataset.last = `${name}:${outcome}`;
  }
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const bytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} kB`);
const ms = (t: number) => `${t.toFixed(t < 1 ? 3 : 2)} ms`;

/** A table cell with `text`, its raw value in data-value for the tests. */
function cell(text: string, value?: number | string, numeric = false): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (value !== undefined) td.dataset.value = String(value);
  if (numeric) td.className = 'num';
  return td;
}

// Backend
for (const backend of BACKENDS) $<HTMLSelectElement>('backend').add(new Option(backend, backend));
async function setBackend(backend: Backend): Promise<void> {
  const actual = await ask<string>({ type: 'backend', backend });
  $('backend-status').textContent = `running on ${actual}`;
  document.body.dataset.backend = actual;
}
$('backend').addEventListener('change', () =>
  task('backend', 'Starting the backend…', () => setBackend($<HTMLSelectElement>('backend').value as Backend)));

// Load
async function load(request: Request & { type: 'load' }): Promise<void> {
  const inspection = await ask<Inspection>(request);
  window.appResults = { inspection };
  await showInspection(inspection);
}
$<HTMLInputElement>('files').addEventListener('change', () => {
  const files = Array.from($<HTMLInputElement>('files').files ?? []);
  if (files.length > 0) task('load', `Loading ${files.map((f) => f.name).join(', ')}…`, () => load({ type: 'load', source: { kind: 'files', files } }));
  $<HTMLInputElement>('files').value = '';
});
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const files = Array.from(event.dataTransfer?.files ?? []);
  task('load', `Loading ${files.map((f) => f.name).join(', ')}…`, () => load({ type: 'load', source: { kind: 'files', files } }));
});
$('url-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const url = $<HTMLInputElement>('url').value;
  task('load', `Loading ${url}…`, () => load({ type: 'load', source: { kind: 'url', url } }));
});
$('sample').addEventListener('click', () => task('load', 'Loading the MNIST sample…', () => load({ type: 'load', source: { kind: 'sample' } })));

// Inspect
async function showInspection(model: Inspection): Promise<void> {
  $('model-name').textContent = `${model.model} from ${model.source}` +
    (model.prunable ? ' (saved with prunable layers)' : '') + (model.accuracy === undefined ? '' : `: test accuracy ${percent(model.accuracy)} on 1,000 MNIST images`);
  const totals: Array<[string, string, number]> = [
    ['Parameters', count(model.parameters), model.parameters],
    ['MACs per example', count(model.macs), model.macs],
    ['Weight data', bytes(model.weightBytes), model.weightBytes],
    ['Layers', count(model.layers.length), model.layers.length],
  ];
  $('totals').replaceChildren(...totals.map(([term, text, value]) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = text;
    dd.dataset.value = String(value);
    dd.dataset.total = term;
    div.append(dt, dd);
    return div;
  }));
  await showLayers(model.layers, 'As loaded.');
  $('groups').textContent = model.groups.length === 0 ? 'No channel group couples layers: each layer\'s units can go on their own.'
    : `Channel groups: ${model.groups.map((g, i) => `G${i + 1} ${g.producers.join(' + ')}`).join('; ')}. The layers of a group must keep ` +
      "the same channels (they meet at an Add): 'channel' pruning prunes them together, and 'unit' pruning of one cannot be compacted.";
  const skip = $('skip');
  skip.replaceChildren(skip.firstElementChild!, ...model.prunableLayers.map((name) => {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = name;
    label.append(box, ` ${name}${model.outputLayers.includes(name) ? ' (output layer: unit and channel pruning keep it)' : ''}`);
    return label;
  }));
  $('prune-result').replaceChildren();
  $('fine-tune').hidden = true;
  $('deploy-table').hidden = true;
  $('deploy-notes').textContent = '';
  $<HTMLButtonElement>('download').disabled = true;
  for (const id of ['inspect', 'prune', 'deploy']) $(id).hidden = false;
}

/** The chart drawn last, finalized before the next one replaces it (its listeners and timers go with it). */
let chart: Result | undefined;

/** The Inspect section's table and chart of `layers`, under `caption`. */
async function showLayers(layers: ModelLayerRow[], caption: string): Promise<void> {
  $('layers-caption').textContent = caption;
  const groups = window.appResults.inspection?.groups ?? [];
  $('layers').querySelector('tbody')!.replaceChildren(...layers.map((l) => {
    const tr = document.createElement('tr');
    const group = groups.findIndex((g) => g.producers.includes(l.layer));
    tr.append(cell(l.layer), cell(l.className), cell(JSON.stringify(l.outputShape).replace(/null/g, 'N')),
      cell(count(l.parameters), l.parameters, true), cell(count(l.macs), l.macs, true),
      cell(l.sparsity === null ? '' : percent(l.sparsity), l.sparsity ?? '', true), cell(l.prunedUnits === null ? '' : String(l.prunedUnits), undefined, true),
      cell(group < 0 ? '' : `G${group + 1}`));
    return tr;
  }));
  chart?.finalize();
  chart = undefined;
  chart = await embed('#chart', layerChartSpec(layers, Math.min(320, document.body.clientWidth / 2 - 120)), { actions: false, renderer: 'svg' });
}

// Prune
$('method').addEventListener('change', () => {
  const method = $<HTMLSelectElement>('method').value;
  $<HTMLInputElement>('sparsity').disabled = method === 'nm';
  $<HTMLSelectElement>('scope').disabled = method === 'nm';
});
$('prune-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const method = $<HTMLSelectElement>('method').value as 'weight' | 'unit' | 'channel' | 'nm';
  const sparsity = Number($<HTMLInputElement>('sparsity').value);
  const scope = $<HTMLSelectElement>('scope').value as 'layer' | 'global';
  const layers = chosenLayers(method);
  task('prune', `Pruning by ${method}…`, async () => {
    const result = await ask<PruneResult>({ type: 'prune', method, sparsity, scope, ...(layers ? { layers } : {}) });
    window.appResults.prune = result;
    showPruning(result);
    await showLayers(result.table, 'After pruning: the prunable model, its sparsity and pruned units per layer.');
  });
});

/**
 * The layers to prune when the user skipped some: the others, without the
 * output layers for unit and channel pruning (as the library's default,
 * which applies when none is skipped).
 */
function chosenLayers(method: string): string[] | undefined {
  const skip = Array.from($('skip').querySelectorAll<HTMLInputElement>('input:checked')).map((box) => box.value);
  if (skip.length === 0) return undefined;
  const { prunableLayers, outputLayers } = window.appResults.inspection!;
  const keepOutputs = method === 'unit' || method === 'channel';
  return prunableLayers.filter((name) => !skip.includes(name) && !(keepOutputs && outputLayers.includes(name)));
}

function showPruning(result: PruneResult): void {
  const div = document.createElement('div');
  div.className = 'result';
  const lines = [`Pruned ${result.layers.map((l) => `${l.layer} ${percent(l.sparsity)}` +
    (l.prunedUnits > 0 ? ` (${l.prunedUnits} of ${l.units} units)` : '')).join(', ')}: ${percent(result.sparsity)} of their weights.`];
  if (result.accuracy) {
    lines.push(`Test accuracy: ${percent(result.accuracy.before)} before, ${percent(result.accuracy.after)} after.`);
  }
  if (result.outputChange) {
    lines.push(`The outputs moved by ${percent(result.outputChange.relative)} (relative L2 change on ${result.outputChange.samples} random inputs of the model's input shape).`);
  }
  div.replaceChildren(...lines.map((text) => Object.assign(document.createElement('p'), { textContent: text })));
  div.id = 'prune-summary';
  $('prune-result').replaceChildren(div, warningLine(result.warning));
  $('fine-tune').hidden = !window.appResults.inspection?.sample;
  $<HTMLProgressElement>('progress').value = 0;
  $('fine-tune-status').textContent = '';
}

/** The library's one-shot warning as a paragraph, its guide reference (docs/guide.md#…) a link to the guide the page serves. */
function warningLine(warning: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'result warning';
  p.id = 'prune-warning';
  const text = warning.charAt(0).toUpperCase() + warning.slice(1);
  const [before, reference, after] = text.split(/docs\/(guide\.md#[\w-]+)/);
  p.append(before);
  if (reference !== undefined) {
    const link = Object.assign(document.createElement('a'), { href: reference, textContent: `the guide (${reference.split('#')[1]})` });
    p.append(link, after);
  }
  return p;
}

// Fine-tune
$('fine-tune-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const steps = Number($<HTMLInputElement>('steps').value);
  task('fineTune', 'Fine-tuning…', async () => {
    $<HTMLButtonElement>('cancel').disabled = false;
    $<HTMLProgressElement>('progress').max = steps;
    try {
      const result = await ask<FineTuneResult>({ type: 'fineTune', steps }, ({ step, loss }) => {
        $<HTMLProgressElement>('progress').value = step;
        $('fine-tune-status').textContent = `step ${step} of ${steps}, loss ${loss.toFixed(3)}`;
      });
      window.appResults.fineTune = result;
      $('fine-tune-status').textContent = `${result.cancelled ? 'Cancelled' : 'Done'} after ${result.steps} steps: ` +
        `test accuracy ${percent(result.accuracy)}. Deploy now takes the fine-tuned model.`;
    } finally {
      $<HTMLButtonElement>('cancel').disabled = true;
    }
  });
});
$('cancel').addEventListener('click', () => {
  $<HTMLButtonElement>('cancel').disabled = true;
  void ask({ type: 'cancel' });
});

// Deploy
$('deploy-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const compact = $<HTMLSelectElement>('transform').value === 'compact';
  const quantize = ($<HTMLSelectElement>('quantize').value || undefined) as 'float16' | 'uint8' | undefined;
  task('deploy', `${compact ? 'Compacting' : 'Stripping'}, then timing both models…`, async () => {
    const result = await ask<DeployResult>({ type: 'deploy', compact, quantize });
    window.appResults.deploy = result;
    showDeployment(result);
  });
});

function showDeployment(result: DeployResult): void {
  const rows: Array<[string, keyof Measures, (n: number) => string]> = [
    ['Parameters', 'parameters', count], ['MACs per example', 'macs', count], ['Weight data', 'weightBytes', bytes],
    ['Weight data, gzipped', 'gzipBytes', bytes], [`Predict at batch 1 (${result.backend})`, 'predictMs', ms],
  ];
  $('deploy-table').querySelector('tbody')!.replaceChildren(...rows.map(([name, key, format]) => {
    const tr = document.createElement('tr');
    tr.dataset.measure = key;
    const [before, after] = [result.before[key], result.after[key]];
    tr.append(cell(name), cell(format(before), before, true), cell(format(after), after, true), cell(before > 0 ? (after / before).toFixed(3) : '', undefined, true));
    return tr;
  }));
  $('deploy-table').hidden = false;
  const sparse = result.sparse === undefined ? '' : 'skipped' in result.sparse ? `Sparse inference: skipped, ${result.sparse.skipped}`
    : `Sparse inference (toSparseModel; ${result.sparse.layers.join(', ')} on sparse kernels): ${ms(result.sparse.predictMs)} at batch 1.`;
  $('deploy-notes').textContent = [`Weights stored as ${result.dtype}.`, sparse, ...result.notes].filter(Boolean).join(' ');
  $<HTMLButtonElement>('download').disabled = false;
}

$('download').addEventListener('click', () => {
  const deployed = window.appResults.deploy;
  // tf.io.browserDownloads, through its router (TF.js 4.22's types leave the function out of tf.io).
  if (deployed) task('download', 'Downloading…', async () => {
    await io.getSaveHandlers('downloads://model')[0].save!(deployed.artifacts);
  });
});

task('backend', 'Starting the backend…', () => setBackend(BACKENDS[0]));
