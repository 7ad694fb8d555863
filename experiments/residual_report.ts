import type { Summary } from './aggregate';
import { pretrainBudget, pretrainCurve, speedTable } from './cnn_report';
import { count, mean, percent, seconds, signed, stat } from './format';
import { RESIDUAL_WIDTHS } from './models';
import { RESIDUAL_HEADLINE } from './plan';
import type { ComparisonResults, SpeedRow } from './results';
import { QUICK_TARGET_NOTE, RESIDUAL_CHANNEL_TARGET, residualChannelTarget } from './targets';

// The report's residual CNN parts: its target and its section.

/**
 * The residual CNN's line of the report's target section: met or missed,
 * with its numbers; or what to run to measure it.
 *
 * ```ts
 * lines.push(...residualTargetLines(summarize(results.rows), results.speed, false));
 * ```
 */
export function residualTargetLines(summaries: Summary[], speed: SpeedRow[], quick: boolean): string[] {
  const t = RESIDUAL_CHANNEL_TARGET;
  const target = residualChannelTarget(summaries, speed);
  if (target == null) {
    return summaries.some((s) => s.network === 'residual CNN')
      ? [`- Residual CNN, gradual channel pruning at ${percent(t.sparsity, 0)}: not measured (run the \`residual\` experiment with --channel-sparsities including ${t.sparsity}).`]
      : [];
  }
  return [`- Residual CNN, gradual channel pruning at ${percent(t.sparsity, 0)}, compacted, stays within ${t.points} points of dense ` +
    `and predicts at least ${t.speedup}x faster at batch ${t.batch}: **${target.met ? 'met' : 'missed'}** ` +
    `(accuracy ${percent(target.pruned.mean)} vs ${percent(target.dense.mean)}, ${signed(target.points)} points: ${target.accuracyMet ? 'within' : 'outside'}; ` +
    `speedup ${target.speedup == null ? 'not timed' : `${target.speedup.toFixed(2)}x`}; mean of ${target.seeds} seed${target.seeds > 1 ? 's' : ''})` +
    (quick ? `; ${QUICK_TARGET_NOTE}.` : '.')];
}

/**
 * The residual CNN section: the network, the protocol, a table of dense,
 * channel and unit pruning with accuracy, MACs, parameters and predict
 * speedups, and the predict timings.
 *
 * ```ts
 * lines.push(...residualSection(results, summarize(results.rows)));
 * ```
 */
export function residualSection(results: ComparisonResults, summaries: Summary[]): string[] {
  const rows = summaries.filter((s) => s.network === 'residual CNN');
  if (rows.length === 0) return [];
  const s = results.settings;
  const dense = rows.find((r) => r.method === 'dense' && r.schedule === 'none');
  const trained = results.rows.filter((r) => r.network === 'residual CNN' && r.trainSeconds > 0);
  const speedup = (r: Summary, batch: number) => {
    const timed = results.speed.filter((t) => t.network === 'residual CNN' && t.method === r.method && t.schedule === r.schedule &&
      t.targetSparsity === r.targetSparsity && t.batch === batch);
    return timed.length === 0 ? '–' : `${mean(timed.map((t) => t.speedup)).toFixed(2)}x`;
  };
  const order = (r: Summary) => ['pretrained', 'dense', 'channel', 'unit'].indexOf(r.method);
  const sorted = [...rows].sort((a, b) => order(a) - order(b) || a.targetSparsity - b.targetSparsity);
  const [narrow, wide] = RESIDUAL_WIDTHS;
  return [
    '## 4. A residual CNN: channel pruning by groups vs unit pruning',
    '',
    `A small residual CNN built as Keras builds them, with plain \`tf.layers\` then \`makePrunable\`: Conv → BatchNormalization → ReLU with ` +
      `\`'same'\` padding, a stem of ${narrow} channels at stride 2, an identity block of ${narrow}, a block of ${wide} at stride 2 with a 1x1 ` +
      'projection shortcut, global average pooling, softmax. Every convolution is pruned; the output layer stays dense.',
    '',
    `- Protocol: as LeNet-5's (section 3). ${pretrainBudget(s)}` +
      (trained.length === 0 ? '' : ` This run measured ${seconds(mean(trained.map((r) => r.trainSeconds / r.epochs)))} per residual CNN epoch, ` +
        `over ${trained.length} training runs.`),
    ...pretrainCurve(results, 'residual CNN'),
    '- `channel`: `method: \'channel\'`, the groups of coupled channels `channelGroups` finds (a filter, its BatchNormalization channel, the ' +
      'input channels that read it, and every block that adds to the same residual stream), pruned by group importance. ' +
      '`unit`: each convolution\'s filters of smallest L2 norm, layer by layer, as a user without groups would. Both then `compactUnits`, ' +
      'which removes what it can: a unit-pruned filter still feeds its BatchNormalization shift and the residual `Add`s, so most stay.',
    `- Seeds: the dense model and channel pruning at ${percent(RESIDUAL_HEADLINE.channel, 0)} ran seeds ${[...new Set([...s.seeds, ...s.headlineSeeds])].join(', ')}; ` +
      `the other rows seed${s.seeds.length > 1 ? 's' : ''} ${s.seeds.join(', ')}.`,
    '',
    '| method | target | seeds | test accuracy | vs dense (points) | MACs per image (of dense) | deployed params | predict speedup, batch 1 | batch 32 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...sorted.map((r) => `| ${r.method} | ${percent(r.targetSparsity, 0)} | ${r.seeds} | ${stat(r.testAccuracy)} | ` +
      `${dense == null ? '–' : signed(100 * (r.testAccuracy.mean - dense.testAccuracy.mean))} | ` +
      `${count(r.macs)}${dense == null ? '' : ` (${(r.macs / dense.macs).toFixed(2)})`} | ${count(r.totalParameters)} | ` +
      `${r.deployed === 'compacted' ? speedup(r, 1) : '–'} | ${r.deployed === 'compacted' ? speedup(r, 32) : '–'} |`),
    '',
    ...speedTable(results.speed, 'residual CNN', 'channel or unit pruning'),
  ];
}
