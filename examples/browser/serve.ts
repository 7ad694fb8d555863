/**
 * Serves the browser example on 127.0.0.1 after building it. Browsers fetch
 * the wasm backend's binaries, which file:// pages cannot do.
 *
 *   npm run example:browser            # http://127.0.0.1:8080/ ; PORT=9000 to change
 *   open http://127.0.0.1:8080/?steps=100 for a short run
 */
import { serveDirectory } from '../../scripts/serve_directory';
import { buildBrowserExample, EXAMPLE_DIR } from './build';

buildBrowserExample()
  .then(() => serveDirectory(EXAMPLE_DIR, Number(process.env.PORT ?? 8080)))
  .then(({ url }) => console.log(`serving the browser example at ${url} (Ctrl+C to stop)`))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
