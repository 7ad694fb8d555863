/** The Keras-style files of the models of experiments/keras_applications. */
import * as tf from '@tensorflow/tfjs';

/**
 * `model`'s files as tensorflowjs_converter writes them from a Keras model:
 * its keras_version and backend, BatchNormalization's axis as a list, and a
 * Keras-only config key (`groups`) on convolutions.
 */
export async function kerasStyleArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved!: tf.io.ModelArtifacts;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const topology = JSON.parse(JSON.stringify(saved.modelTopology)) as { keras_version: string; backend: string; config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } };
  topology.keras_version = '2.13.1';
  topology.backend = 'tensorflow';
  for (const layer of topology.config.layers) {
    if (layer.class_name === 'BatchNormalization') {
      const axis = layer.config.axis as number;
      layer.config.axis = [axis < 0 ? 3 : axis];
    }
    if (layer.class_name === 'Conv2D') layer.config.groups = 1;
  }
  return { ...saved, modelTopology: topology };
}
