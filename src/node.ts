// Node-only entry (`tfjs-prune/node`): everything of the browser-safe main
// entry, plus the file system handler, which needs Node's fs and path.
import { registerFileRouters } from './node/file_routers';

export * from './index';
export { fileSystem, NodeFileSystem } from './node/file_system';
export type { FileSystemArgs } from './node/file_system';
export type { QuantizationDtype, WeightQuantization } from './io/weight_quantization';
export type { FileWriter } from './node/model_files';

// Routes 'file://' URLs to fileSystem unless tfjs-node (imported earlier) already does.
registerFileRouters();
