export type { BackendConfig, DatabaseConfig, SslMode } from './config.ts';
export { ConfigError, loadConfig, poolConfig } from './config.ts';
export type { MigrateOptions } from './migrate.ts';
export { migrate } from './migrate.ts';
export type { BackendServer, StartOptions } from './server.ts';
export { createLogger, startBackend } from './server.ts';
