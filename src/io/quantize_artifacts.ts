import * as tf from '@tensorflow/tfjs-core';
import { joinWeightData } from './weight_layout';
import { quantizeValues, WeightQuantization } from './weight_quantization';

/**
 * `artifacts` with the float32 weights of the model quantized as
 * `quantization` says: each manifest entry gains the `quantization` field
 * (`{dtype: 'float16'}` or `{dtype, scale, min}`) that tfjs-core's
 * `decodeWeights` reads, as in tensorflowjs_converter's output, and the
 * weight data holds the quantized bytes. Other weights stay as they are:
 * int32 and string weights, weights already quantized, and optimizer state
 * (`includeOptimizer`), so that training resumes exactly.
 * `artifacts` is left untouched.
 */
export function quantizeArtifacts(artifacts: tf.io.ModelArtifacts, quantization: WeightQuantization): tf.io.ModelArtifacts {
  const { weightSpecs: specs, weightData } = artifacts;
  if (specs == null || weightData == null) return artifacts;
  const { data, layout } = joinWeightData(specs, weightData,
    (held, described) => `Cannot quantize the weights: their data holds ${held} bytes, but their specs describe ${described}.`);
  const parts: ArrayBuffer[] = [];
  const quantizedSpecs = specs.map((spec, i) => {
    const bytes = data.slice(layout.offsets[i], layout.offsets[i] + layout.byteLengths[i]);
    if (spec.dtype !== 'float32' || spec.quantization != null || spec.group === 'optimizer') {
      parts.push(bytes);
      return spec;
    }
    const quantized = quantizeValues(new Float32Array(bytes), quantization.dtype, spec.name);
    parts.push(quantized.bytes);
    return { ...spec, quantization: quantized.quantization };
  });
  return { ...artifacts, weightSpecs: quantizedSpecs, weightData: tf.io.CompositeArrayBuffer.join(parts) };
}
