/**
 * Builds the page and serves dist/app on 127.0.0.1, printing its URL.
 *
 *   npm run app          # http://127.0.0.1:8081/ ; PORT=9000 to change
 */
import { serveDirectory } from '../scripts/serve_directory';
import { buildApp } from './build';

buildApp()
  .then((dir) => serveDirectory(dir, Number(process.env.PORT ?? 8081)))
  .then(({ url }) => console.log(`tfjs-prune's page: ${url} (Ctrl+C to stop)`))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
