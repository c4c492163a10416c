import { repoPath } from '@stackproof/core';
import { describe, expect, it } from 'vitest';
import { checkReleaseNames, renderRelease } from './helm.ts';
import { migrationsJobFrom } from './migrations.ts';
import { ReleaseError } from './release-error.ts';

// The real chart through the pinned helm (helm template, no cluster): the Job the migrations
// step creates is the chart's own, rendered with the release's values.

const chart = repoPath('charts', 'stackproof-workloads');
const release = { release: 'stackproof', namespace: 'stackproof', chart };

describe('the migrations step takes the chart’s own Job', () => {
  it('renders it with the release values and drops the hook annotations', async () => {
    const manifests = await renderRelease(
      { ...release, values: { backendImageTag: 'abc123', externalSecretEnabled: false } },
      '1.33.0',
    );
    // In the chart it is a post-install hook only: no pre-upgrade hook runs inside an upgrade.
    expect(manifests).toMatch(/helm\.sh\/hook: post-install\n/);
    expect(manifests).not.toMatch(/helm\.sh\/hook: .*pre-upgrade/);
    const job = migrationsJobFrom(manifests, 'stackproof');
    expect(job?.metadata?.name).toBe('stackproof-stackproof-workloads-migrations');
    expect(job?.metadata?.namespace).toBe('stackproof');
    expect(
      Object.keys(job?.metadata?.annotations ?? {}).filter((k) => k.startsWith('helm.sh/hook')),
    ).toEqual([]);
    const container = job?.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('stackproof/backend:abc123');
    expect(container?.args).toEqual(['src/migrate.ts', 'up']);
  });

  it('the backend’s extra env reaches the server, not the migrations', async () => {
    const manifests = await renderRelease(
      { ...release, values: { backendEnv: { LOG_LEVEL: 'verbose' } } },
      '1.33.0',
    );
    const job = migrationsJobFrom(manifests, 'stackproof');
    expect(JSON.stringify(job)).not.toContain('LOG_LEVEL');
    expect(manifests).toContain('- name: LOG_LEVEL\n              value: "verbose"');
  });

  it('no Job when the chart renders none (migrationsEnabled false)', async () => {
    const manifests = await renderRelease(
      { ...release, values: { migrationsEnabled: false } },
      '1.33.0',
    );
    expect(migrationsJobFrom(manifests, 'stackproof')).toBeUndefined();
  });

  it('negative twin: values the schema refuses fail the render, naming the value', async () => {
    const render = renderRelease(
      { ...release, setStrings: ['backendEnv.PGHOST=elsewhere'] },
      '1.33.0',
    );
    await expect(render).rejects.toBeInstanceOf(ReleaseError);
    await expect(render).rejects.toThrow(/PGHOST/);
  });

  it('negative twin: two migrations Jobs are refused rather than guessed between', () => {
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: a
  labels:
    app.kubernetes.io/component: migrations
`;
    expect(() => migrationsJobFrom(`${job}---\n${job.replace('name: a', 'name: b')}`, 'x')).toThrow(
      /renders 2 Jobs/,
    );
  });
});

describe('checkReleaseNames', () => {
  it('accepts DNS labels and names what is wrong otherwise', () => {
    expect(() => checkReleaseNames('stackproof-workloads', 'stackproof')).not.toThrow();
    expect(() => checkReleaseNames('Stackproof', 'stackproof')).toThrow(
      /release name 'Stackproof'/,
    );
    expect(() => checkReleaseNames('ok', 'bad_ns')).toThrow(/namespace 'bad_ns'/);
  });
});
