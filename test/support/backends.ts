import * as tf from '@tensorflow/tfjs';

/** The backends whose behaviour can differ for masks and saving. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Declares the suite `title [backend]` on `backend`, switching to it around the suite. */
export function describeOnBackend(title: string, backend: TestBackend, body: (backend: TestBackend) => void): void {
  describe(`${title} [${backend}]`, () => {
    let previous = '';
    before(async () => {
      previous = tf.getBackend();
      await tf.setBackend(backend);
    });
    after(async () => {
      await tf.setBackend(previous);
    });
    body(backend);
  });
}

/** Declares the suite once per backend, switching backend around it. */
export function describeOnBackends(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of TEST_BACKENDS) describeOnBackend(title, backend, body);
}
