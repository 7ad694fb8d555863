/**
 * Serves the browser example on 127.0.0.1 after building it. Browsers fetch
 * the wasm backend's binaries, which file:// pages cannot do.
 *
 *   npm run example:browser            # http://127.0.0.1:8080/ ; PORT=9000 to change
 *   open http://127.0.0.1:8080/?steps=100 for a short run
 */
import { createReadStream, statSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { extname, join, normalize, sep } from 'path';
import { buildBrowserExample, EXAMPLE_DIR } from './build';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  // Needed by WebAssembly.instantiateStreaming, which TF.js tries first.
  '.wasm': 'application/wasm',
};

/** A running static server: its base URL and how to stop it. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the files of `dir` on 127.0.0.1 at `port` (0: a free port chosen by the system). */
export function serveDirectory(dir: string, port = 0): Promise<StaticServer> {
  const root = normalize(dir + sep);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const found = file.startsWith(root) && statSync(file, { throwIfNoEntry: false })?.isFile();
    if (!found) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

if (require.main === module) {
  buildBrowserExample()
    .then(() => serveDirectory(EXAMPLE_DIR, Number(process.env.PORT ?? 8080)))
    .then(({ url }) => console.log(`serving the browser example at ${url} (Ctrl+C to stop)`))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
