import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkFraction, checkOptionNames, checkOptions } from '../checks';
import { loadSparseKernels } from '../kernels/sparse/sparse_kernels';
import { sparseKernelSpecFor } from '../layers/registry';
import { SPARSE_BACKENDS, SparseDense } from '../layers/sparse_dense';
import { checkLayersModel } from '../model/model_checks';
import { allLayers, findPrunableLayers } from '../model/prunable_layers';
import { rebuildModel } from './rebuild_model';
import { stripPruning } from './strip_pruning';

/**
 * Options of {@link toSparseModel}.
 *
 * ```js
 * const args = {minSparsity: 0.8}; // convert only the layers with at least 80% zeros
 * ```
 */
export interface ToSparseModelArgs {
  /**
   * The fraction of zero weights, in [0, 1], from which a layer runs on the
   * sparse kernels; sparser layers convert, denser ones stay dense. Default:
   * 0.7. `npm run bench:sparse` measures the crossover, the sparsity below
   * which TF.js's dense wasm kernels are faster: about 0.5 for a 1024x1024
   * layer at batch 1, 0.36 at batch 8, lower for smaller layers and batches
   * of 32, and checks this default against it. At 0.7 the sparse kernels
   * were at least 1.54x faster in every shape of the run in
   * docs/performance.md; between the crossover and 0.7 the gain is small and
   * depends on the shape.
   */
  minSparsity?: number;
}

/** The default of {@link ToSparseModelArgs.minSparsity}, for a front end to show what toSparseModel converts. */
export const DEFAULT_MIN_SPARSITY = 0.7;

/** The weight the sparse kernels would hold for `layer`, if its kind (in the registry) runs on them and its config allows. */
function sparseWeight(layer: tfl.layers.Layer): tfl.LayerVariable | undefined {
  const spec = sparseKernelSpecFor(layer.getClassName());
  if (spec === undefined || !(spec.applies?.(layer.getConfig()) ?? true)) return undefined;
  return layer.weights.find((w) => w.originalName.endsWith(`/${spec.weight}`));
}

/** The fraction of zeros among `variable`'s values. */
function zeroFraction(variable: tfl.LayerVariable): number {
  const values = variable.read().dataSync();
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros / values.length;
}

/**
 * An inference copy of `model` whose pruned Dense layers and 1x1
 * convolutions (Conv2D and Conv1D with kernel size 1 and stride 1, channels
 * last; the pointwise half of a SeparableConv2D) with at least `minSparsity`
 * zero weights run on sparse WebAssembly SIMD kernels ({@link SparseDense}),
 * in nested models and wrappers too; every other layer stays as it is. The copy
 * computes the dense model's outputs (to float rounding; NaN and infinite
 * inputs propagate as in the dense product) and is for `predict`: it does not
 * train, and a model to save stays the dense one (`stripPruning`'s output).
 * `model` may be stripped or still prunable (its masks are folded in) and is left
 * untouched. Dispose the copy with `dispose()`, which frees the kernels' memory.
 *
 * The kernels run where tensors live in CPU memory: on the cpu and wasm
 * backends. On any other backend (webgl, webgpu; tfjs-node's, which is
 * not measured here) no layer converts and the copy is dense: copying every
 * activation off the GPU would cost more than sparsity saves. A sparse model
 * is not saved or copied: its `save` throws, naming the first SparseDense.
 *
 * ```js
 * const sparse = await toSparseModel(stripPruning(pruned), {minSparsity: 0.7});
 * const y = sparse.predict(x); // as pruned.predict(x), several times faster at high sparsity
 * sparse.dispose();
 * ```
 */
export async function toSparseModel(model: tfl.LayersModel, args: ToSparseModelArgs = {}): Promise<tfl.LayersModel> {
  checkLayersModel(model, 'toSparseModel');
  return sparseCopy(model, checkToSparseModelArgs(args, 'toSparseModel'));
}

/** Checks {@link ToSparseModelArgs} given to `caller`; returns minSparsity, defaulted. */
export function checkToSparseModelArgs(args: ToSparseModelArgs, caller: string): number {
  checkOptions(args, `${caller}: options must be an object {minSparsity?}`);
  checkOptionNames(args, caller, ['minSparsity']);
  const { minSparsity = DEFAULT_MIN_SPARSITY } = args;
  checkFraction(minSparsity, `${caller}: minSparsity`);
  return minSparsity;
}

/** {@link toSparseModel} for checked arguments. */
export async function sparseCopy(model: tfl.LayersModel, minSparsity: number): Promise<tfl.LayersModel> {
  const converted = allLayers(model).filter((layer) => layer instanceof SparseDense).map((layer) => `'${layer.name}'`);
  if (converted.length > 0) {
    throw new Error(`toSparseModel: the model is already sparse (SparseDense layers ${converted.join(', ')}); convert the dense model.`);
  }
  const onCpu = SPARSE_BACKENDS.includes(tf.getBackend());
  // Off the CPU nothing converts: the kernels need not load.
  if (onCpu) await loadSparseKernels();
  const stripped = findPrunableLayers(model).length > 0 ? stripPruning(model) : model;
  try {
    return freeingKernelsOnDispose(rebuildModel(stripped, {
      selects: (layer) => {
        const weight = onCpu ? sparseWeight(layer) : undefined;
        return weight !== undefined && zeroFraction(weight) >= minSparsity;
      },
      className: SparseDense.className,
      config: (layer) => ({ sourceClassName: layer.getClassName() }),
      weights: (layer) => layer.getWeights(),
    }));
  } finally {
    if (stripped !== model) stripped.dispose();
  }
}

/**
 * `model`, whose `dispose` also frees the kernels' memory of every
 * SparseDense in it: TF.js never disposes a layer inside a wrapper
 * (Bidirectional, TimeDistributed), nor one applied more than once.
 */
function freeingKernelsOnDispose(model: tfl.LayersModel): tfl.LayersModel {
  const sparse = allLayers(model).filter((layer): layer is SparseDense => layer instanceof SparseDense);
  const dispose = model.dispose.bind(model);
  model.dispose = () => {
    const result = dispose();
    sparse.forEach((layer) => layer.releaseWeights());
    return result;
  };
  return model;
}
