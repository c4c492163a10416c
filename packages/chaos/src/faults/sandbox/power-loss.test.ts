import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxClient, sandboxDown, sandboxUp } from '@stackproof/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultConflictError } from '../fault.ts';
import { sandboxNodePowerLoss, sandboxZonePowerLoss } from './power-loss.ts';

// A real sandbox, started as `stackproof sandbox up` does; the faults reach it only through its
// typed client, as an experiment does.
let dir: string;
let client: SandboxClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackproof-chaos-sandbox-'));
  // mkdtemp makes it 0700; as root PostgreSQL runs as `postgres` and must enter it.
  await chmod(dir, 0o755);
  await sandboxUp({ dir });
  client = await SandboxClient.connect(dir);
}, 600_000);

afterAll(async () => {
  await sandboxDown({ dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 120_000);

const poweredOff = async (): Promise<string[]> =>
  (await client.nodes()).filter((n) => n.poweredOff).map((n) => n.name);

describe('sandbox power loss through the client', () => {
  it('node: plans without a change, powers the node off, and rolls back idempotently', async () => {
    const node = 'general-me-central-1a-0';
    const fault = sandboxNodePowerLoss(client, node);
    const plan = await fault.plan();
    expect(plan).toEqual({ zone: 'me-central-1a', nodes: [node] });
    expect(await poweredOff()).toEqual([]);

    const record = await fault.inject();
    expect(record).toMatchObject(plan);
    expect(await poweredOff()).toEqual([node]);
    expect(await fault.residue()).toEqual([
      { resource: `sandbox node ${node}`, detail: 'powered off by sandbox.node-power-loss' },
    ]);
    // Injecting again would not be undone exactly: refused.
    await expect(fault.plan()).rejects.toBeInstanceOf(FaultConflictError);

    await fault.rollback(record);
    expect(await poweredOff()).toEqual([]);
    expect(await fault.residue()).toEqual([]);
    await fault.rollback(record);
    expect(await poweredOff()).toEqual([]);
  });

  it('zone: every node of the zone goes, and comes back', async () => {
    const fault = sandboxZonePowerLoss(client, 'me-central-1c');
    const record = await fault.inject();
    expect(record.nodes).toEqual(['general-me-central-1c-0', 'general-me-central-1c-1']);
    expect((await fault.residue()).map((r) => r.resource)).toEqual(
      record.nodes.map((n) => `sandbox node ${n}`),
    );
    await fault.rollback(record);
    expect(await fault.residue()).toEqual([]);
  });

  it('refuses a zone the sandbox does not have, listing the ones it has', async () => {
    const plan = sandboxZonePowerLoss(client, 'eu-west-1a').plan();
    await expect(plan).rejects.toMatchObject({ code: 'SANDBOX_UNKNOWN_ZONE', kind: 'bad-input' });
    await expect(plan).rejects.toThrow(/its zones: me-central-1a, me-central-1b, me-central-1c/);
    expect(await poweredOff()).toEqual([]);
  });
});
