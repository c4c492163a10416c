import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ResolvedTool, resolveTool } from '@stackproof/toolchain';

export interface IacTier {
  /** OpenTofu, when found (it is needed by the default suite for `tofu fmt`). */
  readonly tofu: ResolvedTool | undefined;
  /** The filesystem mirror holding hashicorp/aws, when configured and populated. */
  readonly providerMirror: string | undefined;
  /** True when `tofu init` can install hashicorp/aws without a registry. */
  readonly ready: boolean;
  /** Why the tier is not ready (empty when ready). */
  readonly reason: string;
}

/** The `path` of the first filesystem_mirror block of an OpenTofu CLI config file. */
export function mirrorPathFromCliConfig(text: string): string | undefined {
  const block = /filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"/s.exec(text);
  return block?.[1];
}

/**
 * Finds the IaC tier: OpenTofu (TOFU_BIN or PATH) and the hashicorp/aws provider in the filesystem
 * mirror named by TF_CLI_CONFIG_FILE (written by `make tools-iac`).
 */
export function detectIacTier(env: NodeJS.ProcessEnv = process.env): IacTier {
  let tofu: ResolvedTool | undefined;
  try {
    tofu = resolveTool('tofu', env);
  } catch {
    tofu = undefined;
  }
  const config = env.TF_CLI_CONFIG_FILE;
  let providerMirror: string | undefined;
  let reason = '';
  if (tofu === undefined) reason = "OpenTofu not found: run 'make tools' or set TOFU_BIN";
  if (config === undefined || config === '') {
    reason ||=
      "TF_CLI_CONFIG_FILE is unset: run 'make tools-iac' and source ~/.cache/stackproof/env.sh";
  } else if (!existsSync(config)) {
    reason ||= `TF_CLI_CONFIG_FILE=${config} does not exist: run 'make tools-iac'`;
  } else {
    const mirror = mirrorPathFromCliConfig(readFileSync(config, 'utf8'));
    if (
      mirror !== undefined &&
      existsSync(join(mirror, 'registry.opentofu.org', 'hashicorp', 'aws'))
    ) {
      providerMirror = mirror;
    } else {
      reason ||= `${config} names no filesystem mirror holding registry.opentofu.org/hashicorp/aws: run 'make tools-iac'`;
    }
  }
  return { tofu, providerMirror, ready: reason === '', reason };
}
