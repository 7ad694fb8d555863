// A model.json as tensorflowjs_converter writes it from a Keras model: snake_case configs,
// keras_version and backend, BatchNormalization's axis as a list ([3]), converter's generatedBy/convertedBy.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { fileSystem } from '../../src/node';

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
  await model.save(fileSystem(dir));
  const file = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.modelTopology.keras_version = '2.15.0';
  json.modelTopology.backend = 'tensorflow';
  for (const layer of json.modelTopology.config.layers) {
    if (layer.class_name === 'BatchNormalization') layer.config.axis = [3];
  }
  json.generatedBy = 'keras v2.15.0';
  json.convertedBy = 'TensorFlow.js Converter v4.22.0';
  writeFileSync(file, JSON.stringify(json));
  return model;
}
