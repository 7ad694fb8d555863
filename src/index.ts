// Browser-safe entry: nothing here or below imports a Node built-in.
export { PrunableDense, prunableDense } from './layers/prunable_dense';
export type { MaskInput, PrunableDenseLayerArgs } from './layers/prunable_dense';
export * from './masks';
export { findPrunableLayers } from './model/prunable_layers';
export type { LayerSelection } from './model/prunable_layers';
export { layerPruningReport, pruneLayer } from './pruning/prune_layer';
export type { LayerPruningReport } from './pruning/prune_layer';
export { pruneModel } from './pruning/prune_model';
export type { PruneModelArgs } from './pruning/prune_model';
export { PRUNING_METHODS } from './pruning/pruning_method';
export type { PruningMethod } from './pruning/pruning_method';
