/**
 * A static-file server on 127.0.0.1 for the browser pages (the browser
 * example, the app) and their tests: sirv, which sends the right content
 * types (application/wasm, which WebAssembly.instantiateStreaming needs),
 * refuses paths out of the folder and answers 404 for missing files.
 */
import { createServer } from 'http';
import { AddressInfo } from 'net';
import sirv from 'sirv';

/** A running static server: its base URL and how to stop it. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the files of `dir` on 127.0.0.1 at `port` (0: a free port chosen by the system), uncached. */
export function serveDirectory(dir: string, port = 0): Promise<StaticServer> {
  const server = createServer(sirv(dir, { dev: true }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
