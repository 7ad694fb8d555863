import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type * as tf from '@tensorflow/tfjs';
import { compactUnits, stripPruning } from '../src';
import { fileSystem } from '../src/node';

/** How a pruned model deploys: `stripPruning` (every shape kept, pruned entries zero) or `compactUnits` (pruned units removed). */
export type DeployedForm = 'stripped' | 'compacted';

/** The files a model deploys as, and their sizes. */
export interface DeployedSizes {
  form: DeployedForm;
  /** Parameters of the deployed model, and those that are not zero. */
  totalParameters: number;
  nonzeroParameters: number;
  /** `weights.bin` (float32) gzipped with node:zlib's default level. */
  gzipBytes: number;
  /** `weights.bin` saved with uint8 quantization (`fileSystem(dir, {quantization: {dtype: 'uint8'}})`), as is and gzipped. */
  uint8Bytes: number;
  uint8GzipBytes: number;
}

/** The folder of the float32 files of a deployed model saved by {@link saveDeployed} into `dir`. */
export const float32Dir = (dir: string) => path.join(dir, 'float32');

/**
 * Saves the deployable form of `model` into `dir` as a user would, with the
 * library's `fileSystem` handler: float32 files in `dir/float32`, uint8 ones
 * in `dir/uint8` (each a `model.json` and a `weights.bin` that plain
 * `tf.loadLayersModel` reads), and returns their sizes.
 *
 * ```ts
 * const sizes = await saveDeployed(model, '/tmp/run-1', 'compacted');
 * ```
 */
export async function saveDeployed(model: tf.LayersModel, dir: string, form: DeployedForm): Promise<DeployedSizes> {
  const deployed = form === 'compacted' ? compactUnits(model) : stripPruning(model);
  try {
    await deployed.save(fileSystem(float32Dir(dir)));
    await deployed.save(fileSystem(path.join(dir, 'uint8'), { quantization: { dtype: 'uint8' } }));
  } finally {
    deployed.dispose();
  }
  const float32 = fs.readFileSync(path.join(float32Dir(dir), 'weights.bin'));
  const uint8 = fs.readFileSync(path.join(dir, 'uint8', 'weights.bin'));
  const values = new Float32Array(float32.buffer, float32.byteOffset, float32.byteLength / 4);
  let nonzero = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonzero++;
  return {
    form,
    totalParameters: values.length,
    nonzeroParameters: nonzero,
    gzipBytes: zlib.gzipSync(float32).length,
    uint8Bytes: uint8.length,
    uint8GzipBytes: zlib.gzipSync(uint8).length,
  };
}
