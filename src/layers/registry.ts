import { PrunableKind, PrunableLayer, SparseKernelSpec } from './prunable_layer';
import { PrunableDense } from './prunable_dense';
import { PrunableEmbedding } from './prunable_embedding';
import { PrunableGRU, PrunableLSTM, PrunableSimpleRNN } from './prunable_recurrent';
import {
  PrunableConv1D, PrunableConv2D, PrunableConv2DTranspose, PrunableDepthwiseConv2D, PrunableSeparableConv2D,
} from './prunable_conv';

/** A prunable layer class: registered for serialization under `className`, with its kind. */
export interface PrunableClass {
  readonly className: string;
  readonly kind: PrunableKind;
  new (args: never): PrunableLayer;
}

/**
 * THE table of prunable layer kinds, as tfmot's `prune_registry.py`: every
 * plain tf.layers class the library prunes, through its prunable class.
 * Adding a kind is its own file and one entry here; the rest of the library
 * asks this module, never a concrete class.
 */
const PRUNABLE_CLASSES: readonly PrunableClass[] = [
  PrunableDense, PrunableConv1D, PrunableConv2D, PrunableConv2DTranspose, PrunableDepthwiseConv2D, PrunableSeparableConv2D,
  PrunableEmbedding, PrunableSimpleRNN, PrunableLSTM, PrunableGRU,
];

/**
 * Whether `layer` is a prunable layer of any kind: a type guard, so that
 * TypeScript then knows its `getMask`, `setMask` and `sparsity`.
 *
 * ```ts
 * const layer = model.getLayer('hidden1');
 * if (isPrunableLayer(layer)) layer.setMask(tf.ones(layer.maskedWeights[0].weight.shape));
 * ```
 */
export function isPrunableLayer(layer: unknown): layer is PrunableLayer {
  return layer instanceof PrunableLayer;
}

/** The prunable class that drops in for the plain tf.layers class `plainClassName` (`'Conv2D'`), if any. */
export function prunableClassFor(plainClassName: string): PrunableClass | undefined {
  return PRUNABLE_CLASSES.find((cls) => cls.kind.plainClassName === plainClassName);
}

/** The prunable class registered as `className` (`'PrunableConv2D'`), if any. */
export function prunableClassNamed(className: string): PrunableClass | undefined {
  return PRUNABLE_CLASSES.find((cls) => cls.className === className);
}

/** Every prunable class, in the table's order. */
export function prunableClasses(): readonly PrunableClass[] {
  return PRUNABLE_CLASSES;
}

/** How the plain tf.layers class `plainClassName` runs on the sparse kernels, if its kind declares it. */
export function sparseKernelSpecFor(plainClassName: string): SparseKernelSpec | undefined {
  return prunableClassFor(plainClassName)?.kind.sparse;
}

/** The plain tf.layers classes whose kinds run on the sparse kernels: `['Dense', 'Conv1D', ...]`. */
export function sparseClassNames(): string[] {
  return PRUNABLE_CLASSES.filter((cls) => cls.kind.sparse !== undefined).map((cls) => cls.kind.plainClassName);
}

/** The plain tf.layers class names the library can make prunable, for messages: `'Dense', 'Conv1D', ...`. */
export function plainClassNames(): string {
  return PRUNABLE_CLASSES.map((cls) => `'${cls.kind.plainClassName}'`).join(', ');
}
