export type { FrontendConfig } from './config.ts';
export { FrontendConfigError, loadFrontendConfig } from './config.ts';
export type { FrontendLogEvent, FrontendServer } from './server.ts';
export { startFrontend } from './server.ts';
