// A model folder as tensorflowjs_converter writes it from a Keras model (see ./keras_files).
import * as tf from '@tensorflow/tfjs';
import { fileSystem } from '../../src/node';
import { kerasStyleArtifacts } from './keras_files';

/** Writes into `dir` a Keras-style CNN (Conv2D, BatchNormalization, ReLU, Dense), its weights seeded by `seed`; returns the model, to compare with. */
export async function writeKerasStyleModel(dir: string, seed = 1): Promise<tf.LayersModel> {
  const model = tf.sequential({
    name: 'keras_cnn',
    layers: [
      tf.layers.conv2d({ filters: 6, kernelSize: 3, inputShape: [8, 8, 1], name: 'conv2d', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.batchNormalization({ axis: 3, name: 'batch_normalization' }),
      tf.layers.activation({ activation: 'relu', name: 'activation' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 8, activation: 'relu', name: 'dense', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_1', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  const artifacts = await kerasStyleArtifacts(model);
  await fileSystem(dir).save({ ...artifacts, generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0' });
  return model;
}
