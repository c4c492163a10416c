import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { repoPath } from '@stackproof/core';
import { SandboxClient, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosSummary } from './chaos-report.ts';
import { pendingRollbacks, readJournal } from './journal.ts';
import {
  type CliRun,
  ec2For,
  isClean,
  stackproof,
  type TargetState,
  targetState,
  waitForSteadyState,
} from './sandbox-runs.test-helpers.ts';

// Safety first, against one real sandbox through the real bin: guards refuse before anything
// changes (checked on the target), kill -9 at each phase leaves a journal that `recover` undoes
// to zero residue, SIGINT and SIGTERM roll back, and a rollback the target refuses fails the run
// and stays pending. Runs are short: the fault window does not need to see a recovery here.

let dir: string;
let client: SandboxClient;
const running: CliRun[] = [];
const SHORT = ['--baseline', '2s', '--duration', '40s', '--settle', '0s'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-chaos-crash-'));
  await chmod(dir, 0o755);
  await sandboxUp({ dir });
  client = await SandboxClient.connect(dir);
}, 600_000);

afterEach(() => {
  // A test that failed half-way must not leave its chaos process (and k6) behind.
  for (const r of running.splice(0)) r.killGroup();
});

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 180_000);

function chaos(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const run = stackproof(['chaos', ...args], { cwd: dir, env });
  running.push(run);
  return run;
}

async function pending(out: string) {
  return pendingRollbacks(await readJournal(join(out, 'journal.jsonl')));
}

/** The zone of the database's primary now, so that an az-outage there includes the failover. */
async function primaryZone(): Promise<string> {
  return (await client.database()).primary.zone;
}

describe('guards: refused runs change nothing on the target', () => {
  it('refuses without an allow-list (exit 2), injecting nothing', async () => {
    const before = await targetState(client);
    const sandbox = JSON.parse(await readFile(repoPath('expectations', 'sandbox.json'), 'utf8'));
    delete sandbox.chaos.allow;
    const file = join(dir, 'no-allow-list.json');
    await writeFile(file, JSON.stringify(sandbox));
    const out = join(dir, 'refused');
    const run = await chaos([
      'run',
      'az-outage',
      '--zone',
      'me-central-1a',
      '--sandbox-dir',
      dir,
      '--expectations',
      file,
      '--out',
      out,
    ]).done;
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /refused \(allow-list\): no AWS account is allowed .*no kube context is allowed .*nothing was injected/,
    );
    expect(await targetState(client)).toEqual(before);
    expect(await readJournal(join(out, 'journal.jsonl'))).toEqual([]);
  }, 120_000);

  it('refuses two zones (exit 2), injecting nothing', async () => {
    const before = await targetState(client);
    const out = join(dir, 'two-zones');
    const run = await chaos([
      'run',
      'az-outage',
      '--zone',
      'me-central-1a',
      '--zone',
      'me-central-1b',
      '--sandbox-dir',
      dir,
      '--out',
      out,
    ]).done;
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/refused \(blast-radius\)/);
    expect(await targetState(client)).toEqual(before);
  }, 120_000);

  it('a dry run prints every fault it would inject and changes nothing', async () => {
    const before = await targetState(client);
    const out = join(dir, 'dry-run');
    const zone = await primaryZone();
    const run = await chaos([
      'run',
      'az-outage',
      '--zone',
      zone,
      '--sandbox-dir',
      dir,
      '--out',
      out,
      '--dry-run',
    ]).done;
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^DRY RUN chaos az-outage .*nothing was changed/);
    for (const kind of [
      'sandbox.zone-power-loss',
      'aws.az-nacl-blackhole',
      'aws.instances-stopped',
      'sandbox.database-failover',
    ]) {
      expect(run.stdout).toContain(kind);
    }
    expect(await targetState(client)).toEqual(before);
    expect(await readJournal(join(out, 'journal.jsonl'))).toEqual([]);
  }, 120_000);
});

describe('chaos fis-template az-outage (reads the stack, changes nothing)', () => {
  const role = 'arn:aws:iam::123456789012:role/stackproof-fis';
  const alarm = 'arn:aws:cloudwatch:me-central-1:123456789012:alarm:stackproof-5xx';

  it('writes the zone’s subnets, node instances and the DB failover with the stop conditions, and leaves the failover out for another zone', async () => {
    const before = await targetState(client);
    const zone = await primaryZone();
    const other = ['me-central-1a', 'me-central-1b', 'me-central-1c'].find(
      (z) => z !== zone,
    ) as string;
    const file = join(dir, 'fis', 'az-outage.json');
    for (const [z, withDb] of [
      [zone, true],
      [other, false],
    ] as const) {
      const run = await chaos([
        'fis-template',
        'az-outage',
        '--zone',
        z,
        '--role-arn',
        role,
        '--stop-alarm',
        alarm,
        '--duration',
        '5m',
        '--sandbox-dir',
        dir,
        '--out',
        file,
      ]).done;
      expect(run.status, run.stderr).toBe(0);
      const template = JSON.parse(await readFile(file, 'utf8'));
      expect(template.stopConditions).toEqual([{ source: 'aws:cloudwatch:alarm', value: alarm }]);
      expect(template.actions.stopZoneNodes.parameters).toEqual({
        startInstancesAfterDuration: 'PT300S',
      });
      // The seeded network has a public, a private and a database subnet in every zone.
      expect(template.targets.zoneSubnets.resourceArns).toHaveLength(3);
      expect(template.actions.failOverDatabase !== undefined, z).toBe(withDb);
    }
    const refused = await chaos([
      'fis-template',
      'az-outage',
      '--zone',
      zone,
      '--role-arn',
      role,
      '--sandbox-dir',
      dir,
    ]).done;
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/at least one stop condition/);
    expect(await targetState(client)).toEqual(before);
  }, 120_000);
});

describe('kill -9 at each phase, then recover: zero residue, and a second recover does nothing', () => {
  for (const point of ['journaled', 'injected', 'rolling-back'] as const) {
    it(`killed ${point === 'journaled' ? 'after the journal entry, before the injection' : point === 'injected' ? 'with every fault in effect' : 'in the middle of the rollback'}`, async () => {
      await waitForSteadyState(client);
      const zone = await primaryZone();
      const out = join(dir, `kill-${point}`);
      // The rollback starts when the fault window ends: a short one to reach that point soon.
      const window = point === 'rolling-back' ? ['--duration', '5s'] : [];
      const run = chaos(
        [
          'run',
          'az-outage',
          '--zone',
          zone,
          '--sandbox-dir',
          dir,
          '--out',
          out,
          ...SHORT,
          ...window,
        ],
        {
          ...process.env,
          STACKPROOF_CHAOS_HOLD_AT: point,
        },
      );
      await run.waitFor(new RegExp(`holding at ${point}`));
      let during: TargetState | undefined;
      if (point === 'injected') {
        during = await targetState(client);
        // The faults really are in effect when the process dies.
        expect(during.poweredOff.length).toBeGreaterThan(0);
        expect(during.denyEntries.length).toBeGreaterThan(0);
        expect(Object.values(during.instances)).toContain('stopped');
      }
      run.killGroup();
      const killed = await run.done;
      expect(killed.signal).toBe('SIGKILL');
      expect((await pending(out)).length).toBeGreaterThan(0);

      // A new run refuses while the journal has pending entries.
      const refused = await chaos([
        'run',
        'az-outage',
        '--zone',
        zone,
        '--sandbox-dir',
        dir,
        '--out',
        out,
      ]).done;
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/run 'stackproof chaos recover' first/);

      const recover = await chaos(['recover', '--out', out]).done;
      expect(recover.status, `${recover.stdout}\n${recover.stderr}`).toBe(0);
      expect(recover.stdout).toMatch(/^RECOVERED: /);
      expect(recover.stdout).toContain('no residue');
      expect(isClean(await targetState(client))).toBe(true);
      expect(await pending(out)).toEqual([]);

      const again = await chaos(['recover', '--out', out]).done;
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/nothing to recover/);
    }, 300_000);
  }
});

describe('SIGINT and SIGTERM mid-fault: the run rolls back and exits non-zero', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(signal, async () => {
      await waitForSteadyState(client);
      const out = join(dir, `signal-${signal}`);
      const run = chaos([
        'run',
        'az-outage',
        '--zone',
        await primaryZone(),
        '--sandbox-dir',
        dir,
        '--out',
        out,
        ...SHORT,
      ]);
      await run.waitFor(/every fault in effect/);
      expect(isClean(await targetState(client))).toBe(false);
      process.kill(run.child.pid as number, signal);
      const ended = await run.done;
      expect(ended.status, `${ended.stdout}\n${ended.stderr}`).toBe(1);
      expect(ended.stderr).toMatch(new RegExp(`${signal}: rolling back every injected fault`));
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as ChaosSummary;
      expect(summary).toMatchObject({ outcome: 'interrupted', passed: false, residue: [] });
      expect(summary.faults.every((f) => f.rolledBack)).toBe(true);
      expect(await pending(out)).toEqual([]);
      expect(isClean(await targetState(client))).toBe(true);
    }, 300_000);
  }
});

describe('a rollback the target refuses', () => {
  it('fails the run, names the fault, and leaves its journal entry pending (recover fails the same way)', async () => {
    await waitForSteadyState(client);
    const node = 'general-me-central-1c-0';
    const out = join(dir, 'refused-rollback');
    const run = chaos([
      'run',
      'node-loss',
      '--node',
      node,
      '--sandbox-dir',
      dir,
      '--out',
      out,
      ...SHORT,
    ]);
    await run.waitFor(/every fault in effect/);
    // While the node's instance is stopped, someone terminates it: EC2 cannot start it again.
    const [record] = (await pending(out)).filter((e) => e.fault === 'aws.instances-stopped');
    const instanceIds = (record?.record as { instanceIds?: string[] } | undefined)?.instanceIds;
    expect(instanceIds?.length).toBe(1);
    const ec2 = ec2For(client.state);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
    ec2.destroy();
    process.kill(run.child.pid as number, 'SIGTERM');
    const ended = await run.done;
    expect(ended.status).toBe(1);
    expect(ended.stdout).toMatch(
      /NOT ROLLED BACK: aws\.instances-stopped .*terminated while stopped and cannot be started/,
    );
    // The other fault of the run was rolled back: the node has power again.
    expect((await client.nodes()).find((n) => n.name === node)?.poweredOff).toBe(false);
    expect((await pending(out)).map((e) => e.fault)).toEqual(['aws.instances-stopped']);
    const recover = await chaos(['recover', '--out', out]).done;
    expect(recover.status).toBe(1);
    expect(recover.stdout).toMatch(/FAILED aws\.instances-stopped .*\(still pending\)/);
    expect((await pending(out)).length).toBe(1);
  }, 300_000);
});
