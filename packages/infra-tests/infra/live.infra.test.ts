import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getProperty, repoPath } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLiveReport,
  formatLiveJson,
  formatLiveJunit,
  LIVE_CHECKS,
  type LiveRun,
  type LiveTarget,
  liveTargetOptionsFromEnv,
  openLiveTarget,
  runLiveChecks,
} from '../src/index.ts';

// One test per property of the catalogue the live suite checks. Every check runs at once in
// beforeAll (they share their reads); each test then judges its property's evidence, prints it,
// and is skipped — never passed — when the property could not be checked, with the reason.

const options = liveTargetOptionsFromEnv();
let target: LiveTarget;
let run: LiveRun;

beforeAll(async () => {
  target = await openLiveTarget(options);
  run = await runLiveChecks(target);
  const report = buildLiveReport(run, {
    outputs: options.outputsDir,
    expectations: options.expectationsFile,
    ...(target.context.kube !== undefined ? { kubeContext: target.context.kube.context } : {}),
    ...(target.awsClients?.endpoint !== undefined
      ? { awsEndpoint: target.awsClients.endpoint }
      : {}),
  });
  const dir = repoPath('.reports', 'test-infra');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'live.json'), formatLiveJson(report));
  await writeFile(join(dir, 'live-junit.xml'), formatLiveJunit(report));
});

afterAll(async () => {
  await target?.close();
});

const families = [...new Set(LIVE_CHECKS.map((c) => c.property.split('.')[0] as string))];
for (const family of families) {
  describe(family, () => {
    for (const check of LIVE_CHECKS.filter((c) => c.property.startsWith(`${family}.`))) {
      const property = getProperty(check.property);
      it(`${property.id}: ${property.title}`, (context) => {
        const events = run.events.filter((e) => e.property === property.id);
        for (const e of events) {
          console.log(
            `${e.status.toUpperCase().padEnd(7)} ${e.subject}${e.check ? ` [${e.check}]` : ''}: ${e.detail}`,
          );
        }
        const failures = events.filter((e) => e.status === 'fail');
        expect(
          failures.map((e) => `${e.subject}: ${e.detail}; expected ${e.expected}`),
          `${property.id} failed`,
        ).toEqual([]);
        if (events.every((e) => e.status === 'skipped')) {
          context.skip(events.map((e) => e.detail).join('; '));
        }
      });
    }
  });
}
