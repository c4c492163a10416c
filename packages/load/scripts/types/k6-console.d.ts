// k6 provides `console` (log, info, warn, error, debug) in every script; @types/k6 does not
// declare it and the scripts are type-checked without the DOM or Node libraries.
declare const console: {
  log(...values: unknown[]): void;
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
  debug(...values: unknown[]): void;
};
