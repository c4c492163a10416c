#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Cache compiled modules across runs (CI runs the gate on every pull request); the cache lives in
// the OS temp dir. Enabled before the CLI is imported so its own modules benefit.
enableCompileCache?.();
const { runCli } = await import('./run-cli.ts');

const outcome = await runCli(process.argv.slice(2));
if (outcome.stdout !== '') process.stdout.write(outcome.stdout);
if (outcome.stderr !== '') process.stderr.write(outcome.stderr);
// Let stdout drain (large reports through a pipe) instead of calling process.exit().
process.exitCode = outcome.exitCode;
