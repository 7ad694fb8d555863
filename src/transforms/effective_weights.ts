import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isPrunableLayer } from '../layers/registry';

/**
 * `kernel ⊙ mask`, the kernel a prunable layer computes with, with every
 * pruned entry +0. A plain product makes -0 of each pruned negative weight:
 * equal to 0, but its sign bit breaks the runs of zero bytes that gzip
 * compresses in a saved weights.bin (and float16 keeps it), so a stripped
 * model's file would compress markedly worse (see bench/size.ts).
 *
 * ```ts
 * maskedKernel(tf.tensor([-2, 3]), tf.tensor([0, 1])); // [0, 3], not [-0, 3]
 * ```
 */
export function maskedKernel(kernel: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  // x + 0 is x for every x but -0, which becomes +0.
  return tf.tidy(() => tf.add(tf.mul(kernel, mask), tf.scalar(0)));
}

/**
 * The weights `layer` computes with, in the order of its plain tf.layers
 * class: a prunable layer's weights with each mask folded in
 * ({@link maskedKernel}) and the masks left out; a plain layer's as they
 * are. The tensors are new or the layer's own: call inside `tf.tidy`.
 *
 * ```ts
 * const [kernel, bias] = effectiveWeights(model.getLayer('conv1')); // kernel ⊙ kernel_mask, bias
 * ```
 */
export function effectiveWeights(layer: tfl.layers.Layer): tf.Tensor[] {
  if (!isPrunableLayer(layer)) return layer.getWeights();
  const masks = new Map(layer.maskedWeights.map((m) => [m.weight, m.mask]));
  const maskVariables = new Set(masks.values());
  // A layer's weights are those it defines, then its masks, whether it is trainable or not.
  return layer.weights.filter((w) => !maskVariables.has(w)).map((w) => {
    const mask = masks.get(w);
    return mask === undefined ? w.read() : maskedKernel(w.read(), mask.read());
  });
}
