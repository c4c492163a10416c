import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectIacTier, mirrorPathFromCliConfig } from './iac-tier.ts';

describe('detectIacTier', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the filesystem mirror path of a CLI config', () => {
    const cfg =
      'provider_installation {\n  filesystem_mirror {\n    path    = "/cache/mirror"\n    include = ["registry.opentofu.org/*/*"]\n  }\n}\n';
    expect(mirrorPathFromCliConfig(cfg)).toBe('/cache/mirror');
    expect(mirrorPathFromCliConfig('provider_installation { direct {} }')).toBeUndefined();
  });

  it('is ready only when the mirror holds hashicorp/aws', () => {
    dir = mkdtempSync(join(tmpdir(), 'stackproof-tier-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tofu'), '#!/bin/sh\n', { mode: 0o755 });
    const cfg = join(dir, 'tofu.rc');
    writeFileSync(
      cfg,
      `provider_installation {\n  filesystem_mirror {\n    path = "${dir}/mirror"\n  }\n}\n`,
    );
    const env = { PATH: bin, TF_CLI_CONFIG_FILE: cfg };

    const empty = detectIacTier(env);
    expect(empty.ready).toBe(false);
    expect(empty.reason).toMatch(
      /no filesystem mirror holding registry\.opentofu\.org\/hashicorp\/aws/,
    );

    mkdirSync(join(dir, 'mirror', 'registry.opentofu.org', 'hashicorp', 'aws'), {
      recursive: true,
    });
    expect(detectIacTier(env)).toMatchObject({
      ready: true,
      reason: '',
      providerMirror: `${dir}/mirror`,
    });
  });

  it('names what is missing', () => {
    expect(detectIacTier({ PATH: '' }).reason).toMatch(/OpenTofu not found/);
  });
});
