// Process entry: `node src/main.ts`. Bad configuration exits 2; SIGTERM/SIGINT drain and exit 0.
import { FrontendConfigError, loadFrontendConfig } from './config.ts';
import { startFrontend } from './server.ts';

let config: ReturnType<typeof loadFrontendConfig>;
try {
  config = loadFrontendConfig();
} catch (error) {
  if (error instanceof FrontendConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const server = await startFrontend(config);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
