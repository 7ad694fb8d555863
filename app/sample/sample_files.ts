/**
 * The bundled sample's files (app/sample/, copied to dist/app/sample/): the
 * model (model.json, weights.bin) and MNIST images as raw bytes, one byte per
 * pixel (28x28, row-major, 0..255) and one byte per label (0..9).
 */
export const SAMPLE_FILES = {
  model: 'model.json',
  testImages: 'test-images.u8',
  testLabels: 'test-labels.u8',
  trainImages: 'train-images.u8',
  trainLabels: 'train-labels.u8',
} as const;

/** The folder of the sample in the built site. */
export const SAMPLE_DIR = 'sample/';
