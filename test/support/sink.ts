import { PassThrough } from 'node:stream';

/** A writable stream that keeps what is written (not a TTY, as in a log file). */
export function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => {
    text += chunk;
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}
