import * as tfl from '@tensorflow/tfjs-layers';
import type { PrunableLayer } from '../layers/prunable_layer';
import { isPrunableLayer } from '../layers/registry';
import { checkLayersModel } from '../model/model_checks';
import { BeforeAfter, GroupCompaction, LayerCompaction, planCompaction } from './compaction/plan';
import { effectiveWeights } from './effective_weights';
import { rebuildModel } from './rebuild_model';

/**
 * What {@link compactUnits} does to a model: per layer with a kernel, its
 * channels, parameters and multiply-accumulates per example before and
 * after, and the pruned units it keeps with the reason; and the totals.
 *
 * ```js
 * const {layers, total} = compactionReport(model);
 * console.log(`${total.macs.before} -> ${total.macs.after} MACs per example`);
 * ```
 */
export interface CompactionReport {
  /** Each layer with a kernel, in nested models too, in model order. */
  layers: LayerCompaction[];
  /** Each channel group (see `channelGroups`), by the layers that make its channels, with its channels before and after. */
  groups: GroupCompaction[];
  /** Sums over the layers. */
  total: {
    /** Weights of the layers with kernels. */
    parameters: BeforeAfter;
    /** Multiply-accumulates per example of the layers with kernels. */
    macs: BeforeAfter;
  };
}

/**
 * A plain model computing what `model` computes, with the pruned units of
 * its layers removed: the deployable, smaller and faster form of a
 * unit-pruned (filter-pruned) model. Every prunable layer becomes its plain
 * class with its masks folded in, as in `stripPruning`.
 *
 * A unit of a layer with a kernel (Dense, Conv1D, Conv2D, Conv2DTranspose,
 * SeparableConv2D; prunable or plain) is pruned when its entries of the
 * effective kernel (`kernel ⊙ mask`) are all zero. It goes, and so does
 * everything it feeds: the matching input channels of the next layers with
 * kernels (a dense layer's rows, after Flatten each channel's positions; a
 * convolution's input channels; a DepthwiseConv2D's channel, which takes its
 * outputs along to their readers), and the matching weights of the layers
 * between (BatchNormalization, PReLU). A pruned unit's output is the constant
 * `activation(bias)`, as the layers between change it; it is folded into
 * the bias of each reading layer where that is exact (a dense layer, a
 * 'valid' or unpadded convolution), which gains a bias if it needs one.
 * Where it is not exact it stays: a nonzero constant into a convolution with
 * 'same' padding, a transposed convolution or a ZeroPadding2D, whose zeros
 * at the borders would make it vary.
 *
 * Channels pass through the layers that keep them apart: dropout and noise,
 * activations (not softmax), BatchNormalization, pooling, global pooling,
 * ZeroPadding2D, Cropping2D, UpSampling2D, Flatten, Concatenate on the
 * channel axis (by offset), channelsFirst as well as channelsLast. At an
 * Add, Multiply, Average, Maximum or Minimum, a channel goes only where
 * every input prunes it. What reaches any other layer (Reshape, Permute,
 * a custom layer, a layer applied twice, a nested model, a wrapper) or an
 * output of the model stays, and so does a pruned unit of a layer with a
 * softmax activation: compaction never changes what the model computes.
 * {@link compactionReport} says, per layer, what stays and why. Nested
 * models are compacted inside, each on its own; a layer inside a
 * `tf.layers.timeDistributed` or a `tf.layers.bidirectional` keeps its units
 * and becomes its plain class, as in `stripPruning`, and so do Embedding and
 * the recurrent layers, which compaction does not follow. A layer whose units
 * are all pruned keeps one, as TF.js layers need a unit at least.
 *
 * `model` is left untouched; compile the result to train it.
 *
 * ```js
 * pruneModel(model, {method: 'unit', sparsity: 0.5, layers: ['conv1', 'conv2']});
 * const compact = compactUnits(model);
 * console.log(model.countParams(), '->', compact.countParams());
 * ```
 */
export function compactUnits(model: tfl.LayersModel): tfl.LayersModel {
  checkLayersModel(model, 'compactUnits');
  const { rewrites } = planCompaction(model);
  return rebuildModel(model, {
    selects: (layer) => rewrites.has(layer) || isPrunableLayer(layer),
    className: (layer) => (isPrunableLayer(layer) ? (layer as PrunableLayer).plainClassName : layer.getClassName()),
    config: (layer) => rewrites.get(layer)?.config ?? {},
    weights: (layer) => {
      const current = effectiveWeights(layer);
      return rewrites.get(layer)?.weights(current) ?? current;
    },
  });
}

/**
 * What {@link compactUnits} would do to `model`, without doing it: per
 * layer with a kernel (in nested models too), channels, parameters and
 * multiply-accumulates per example before and after, and the pruned units
 * that stay, each with the reason (`it reaches an output of the model`,
 * `it reaches 'conv3', a Conv2D with 'same' padding, holding the constant 0.5: …`).
 *
 * ```js
 * for (const {layer, outputs, kept} of compactionReport(model).layers) {
 *   console.log(layer, outputs, kept.map((k) => `${k.unit}: ${k.reason}`));
 * }
 * ```
 */
export function compactionReport(model: tfl.LayersModel): CompactionReport {
  checkLayersModel(model, 'compactionReport');
  const { layers, groups } = planCompaction(model);
  const total = (key: 'parameters' | 'macs', when: 'before' | 'after') => layers.reduce((n, l) => n + l[key][when], 0);
  return {
    layers,
    groups: groups.map((g) => ({
      producers: [...new Set(g.members.filter((m) => m.role === 'producer').map((m) => m.layer.name))],
      channels: { before: g.channels, after: g.kept },
    })),
    total: {
      parameters: { before: total('parameters', 'before'), after: total('parameters', 'after') },
      macs: { before: total('macs', 'before'), after: total('macs', 'after') },
    },
  };
}
