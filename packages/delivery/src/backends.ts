import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { DeliveryError } from './delivery-error.ts';

/** Where each environment's settings live: terraform/environments/<env>/. */
export const ENVIRONMENTS_DIR = 'environments';

/** The backend settings file of an environment, relative to terraform/. */
export function backendSettingsPath(environment: string): string {
  return join(ENVIRONMENTS_DIR, environment, 'backend.s3.tfbackend');
}

/** The settings every S3 backend file must give (the key comes from each root's backend.tf). */
export const REQUIRED_BACKEND_SETTINGS = ['bucket', 'region', 'dynamodb_table'] as const;

/**
 * Reads a backend settings file: `name = "value"` (or a bare number/boolean) per line, `#`
 * comments. That is all a `.tfbackend` file holds; anything else is refused rather than guessed.
 */
export function parseBackendSettings(text: string, file: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/^\s*(#|\/\/).*$/, '').trim();
    if (line === '') continue;
    const match = /^([a-z_]+)\s*=\s*(?:"([^"]*)"|(true|false|[0-9]+))\s*(?:#.*)?$/.exec(line);
    if (match === null) {
      throw new DeliveryError(
        'BACKEND_SETTINGS_INVALID',
        `${file} line ${i + 1}: expected name = "value", got '${raw.trim()}'`,
      );
    }
    settings[match[1] as string] = match[2] ?? (match[3] as string);
  }
  return settings;
}

/** The backend settings of an environment, checked for the required names. */
export function readBackendSettings(
  environment: string,
  terraformRoot: string = repoPath('terraform'),
): Record<string, string> {
  const file = join(terraformRoot, backendSettingsPath(environment));
  if (!existsSync(file)) {
    throw new DeliveryError(
      'BACKEND_SETTINGS_INVALID',
      `environment '${environment}' has no backend settings: create terraform/${backendSettingsPath(environment)}`,
    );
  }
  const settings = parseBackendSettings(readFileSync(file, 'utf8'), file);
  const missing = REQUIRED_BACKEND_SETTINGS.filter((name) => settings[name] === undefined);
  if (missing.length > 0) {
    throw new DeliveryError(
      'BACKEND_SETTINGS_INVALID',
      `${file} does not set ${missing.join(', ')}`,
    );
  }
  return settings;
}

/** The environments that have a folder under terraform/environments. */
export function listEnvironments(terraformRoot: string = repoPath('terraform')): string[] {
  const dir = join(terraformRoot, ENVIRONMENTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * The state key a root's `backend "s3"` block fixes, or undefined when it declares no S3 backend.
 * The key lives in the root, not in the environment file, so two roots can never share a state.
 */
export function rootStateKey(rootDir: string): string | undefined {
  if (!existsSync(rootDir)) return undefined;
  for (const file of readdirSync(rootDir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(join(rootDir, file), 'utf8');
    const block = /backend\s+"s3"\s*\{([^}]*)\}/s.exec(text)?.[1];
    if (block !== undefined) return /^\s*key\s*=\s*"([^"]+)"/m.exec(block)?.[1] ?? '';
  }
  return undefined;
}
