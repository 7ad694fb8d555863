// Browser-safe entry: nothing here or below imports a Node built-in.
export { PrunableLayer } from './layers/prunable_layer';
export type { MaskedWeight, MaskInput } from './layers/prunable_layer';
export { isPrunableLayer } from './layers/registry';
export { PrunableDense, prunableDense } from './layers/prunable_dense';
export type { PrunableDenseLayerArgs } from './layers/prunable_dense';
export {
  PrunableConv1D, prunableConv1d, PrunableConv2D, prunableConv2d, PrunableConv2DTranspose, prunableConv2dTranspose,
  PrunableDepthwiseConv2D, prunableDepthwiseConv2d, PrunableSeparableConv2D, prunableSeparableConv2d,
} from './layers/prunable_conv';
export type {
  PrunableConv2DTransposeLayerArgs, PrunableConvLayerArgs, PrunableDepthwiseConv2DLayerArgs, PrunableSeparableConv2DLayerArgs,
} from './layers/prunable_conv';
export { PrunableEmbedding, prunableEmbedding } from './layers/prunable_embedding';
export type { PrunableEmbeddingLayerArgs } from './layers/prunable_embedding';
export {
  PrunableGRU, prunableGRU, PrunableLSTM, prunableLSTM, PrunableSimpleRNN, prunableSimpleRNN,
} from './layers/prunable_recurrent';
export type { PrunableGRULayerArgs, PrunableLSTMLayerArgs, PrunableSimpleRNNLayerArgs } from './layers/prunable_recurrent';
export * from './masks';
export { findPrunableLayers } from './model/prunable_layers';
export type { LayerSelection } from './model/prunable_layers';
export { layerPruningReport } from './pruning/prune_layer';
export type { LayerPruningReport, MaskReport } from './pruning/prune_layer';
export { pruneLayer, pruneModel } from './pruning/prune_model';
export type { PruneLayerArgs, PruneModelArgs } from './pruning/prune_model';
export { channelGroups } from './pruning/channel_groups';
export type { ChannelGroup, ChannelGroupMember, CouplingRole } from './pruning/channel_groups';
export { maskOptimizerState } from './pruning/optimizer_state';
export { sensitivityScan } from './pruning/sensitivity_scan';
export type { SensitivityRow, SensitivityScan, SensitivityScanArgs } from './pruning/sensitivity_scan';
export { proposeSparsities } from './pruning/propose_sparsities';
export type { SparsityProposal } from './pruning/propose_sparsities';
export { PRUNING_METHODS } from './pruning/pruning_method';
export type { PruningMethod } from './pruning/pruning_method';
export type { PruningScope, SelectionArgs } from './pruning/selection_options';
export { PruningSchedule, scheduleFromConfig } from './schedules/pruning_schedule';
export { ConstantSparsity, constantSparsity } from './schedules/constant_sparsity';
export type { ConstantSparsityArgs } from './schedules/constant_sparsity';
export { PolynomialDecay, polynomialDecay } from './schedules/polynomial_decay';
export type { PolynomialDecayArgs } from './schedules/polynomial_decay';
export { PruningScheduleCallback, pruningScheduleCallback } from './callbacks/pruning_schedule_callback';
export type { PruningScheduleCallbackArgs } from './callbacks/pruning_schedule_callback';
export { combineCallbacks } from './callbacks/combine_callbacks';
export { loadPrunableModel } from './io/load_prunable_model';
export { makePrunable } from './transforms/make_prunable';
export type { MakePrunableArgs } from './transforms/make_prunable';
export { stripPruning } from './transforms/strip_pruning';
export { compactionReport, compactUnits } from './transforms/compact_units';
export type { CompactionReport } from './transforms/compact_units';
export type { BeforeAfter, GroupCompaction, KeptUnit, LayerCompaction } from './transforms/compaction/plan';
export { registerWasmMaxPoolGrad } from './kernels/wasm_max_pool_grad';
export { registerBatchNormGrad } from './kernels/batch_norm_grad';
export { pruningSummary } from './pruning/pruning_summary';
export type { PruningSummary, PruningSummaryArgs, PruningSummaryRow } from './pruning/pruning_summary';
export { ModelFileError } from './model_files/model_file_error';
export { summarizeModelFile } from './model_files/summarize_model_file';
export type { ModelFileSummary, SummarizeModelFileArgs } from './model_files/summarize_model_file';
export type { ModelLayerRow } from './model_files/layer_table';
export { outputChange } from './model_files/output_change';
export type { OutputChange, OutputChangeArgs } from './model_files/output_change';
export { readModelFiles } from './model_files/read_model_files';
export { fetchModelFiles } from './model_files/fetch_model_files';
export type { NamedFile } from './model_files/read_model_files';
export { stripModelFile } from './model_files/strip_model_file';
export type { StripModelFileArgs, StripReport } from './model_files/strip_model_file';
export { compactModelFile } from './model_files/compact_model_file';
export type { CompactModelFileArgs, CompactReport } from './model_files/compact_model_file';
export { pruneModelFile } from './model_files/prune_model_file';
export type { PruneModelFileArgs, PruneReport } from './model_files/prune_model_file';
export type { ModelFileArgs, ModelFileResult, QuantizeArgs } from './model_files/model_artifacts';
export { toSparseModel } from './transforms/to_sparse_model';
export type { ToSparseModelArgs } from './transforms/to_sparse_model';
export { loadSparseModel } from './io/load_sparse_model';
export { SparseDense } from './layers/sparse_dense';
export type { SparseDenseLayerArgs, SparseSourceClass } from './layers/sparse_dense';
export { loadSparseKernels } from './kernels/sparse/sparse_kernels';
