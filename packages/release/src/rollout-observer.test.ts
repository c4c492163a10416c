import { describe, expect, it } from 'vitest';
import type { PodState } from './cluster.ts';
import {
  type Observation,
  type RolloutObservations,
  summarizeRollout,
} from './rollout-observer.ts';

// A rolling update as the watches deliver it (the order the controllers produce with
// maxUnavailable 0 and one surge pod), folded by summarizeRollout; and the same with every old
// pod gone at once (maxUnavailable 100%), which must show up as floor and PDB violations.

const pod = (
  name: string,
  hash: string,
  ready: boolean,
  extra: Partial<PodState> = {},
): PodState => ({
  name,
  uid: `uid-${name}`,
  hash,
  phase: 'Running',
  ready,
  restarts: 0,
  deleting: false,
  ...extra,
});

let clock = 0;
const at = () => (clock += 100);
const deployment = (available: number, revision = 2): Observation => ({
  atMs: at(),
  kind: 'Deployment',
  verb: 'update',
  state: {
    revision,
    replicas: 3,
    readyReplicas: available,
    availableReplicas: available,
    updatedReplicas: 0,
  },
});
const replicaSet = (
  hash: string,
  revision: number,
  replicas: number,
  ready: number,
): Observation => ({
  atMs: at(),
  kind: 'ReplicaSet',
  verb: 'update',
  state: { name: `b-${hash}`, hash, revision, replicas, readyReplicas: ready },
});
const podEvent = (verb: 'add' | 'update' | 'delete', state: PodState): Observation => ({
  atMs: at(),
  kind: 'Pod',
  verb,
  state,
});
const pdb = (currentHealthy: number): Observation => ({
  atMs: at(),
  kind: 'PodDisruptionBudget',
  verb: 'update',
  state: {
    name: 'b',
    currentHealthy,
    desiredHealthy: 2,
    disruptionsAllowed: currentHealthy - 2,
    expectedPods: 3,
  },
});

function initial(): Observation[] {
  clock = 0;
  return [
    { ...deployment(3, 1), verb: 'add' },
    { ...replicaSet('old', 1, 3, 3), verb: 'add' },
    podEvent('add', pod('old-1', 'old', true)),
    podEvent('add', pod('old-2', 'old', true)),
    podEvent('add', pod('old-3', 'old', true)),
    { ...pdb(3), verb: 'add' },
  ];
}

const observations = (first: Observation[], events: Observation[]): RolloutObservations => ({
  deployment: 'b',
  startedAtMs: 0,
  stoppedAtMs: clock,
  initial: first,
  events,
  watchErrors: [],
});

describe('summarizeRollout', () => {
  it('a safe rolling update: one pod replaced at a time, the floor and the PDB hold', () => {
    const first = initial();
    const events: Observation[] = [
      replicaSet('new', 2, 1, 0),
      podEvent('add', pod('new-1', 'new', false)),
    ];
    for (const i of [1, 2, 3]) {
      events.push(
        podEvent('update', pod(`new-${i}`, 'new', true)),
        deployment(4),
        podEvent('update', pod(`old-${i}`, 'old', true, { deleting: true })),
        podEvent('delete', pod(`old-${i}`, 'old', true, { deleting: true })),
        pdb(3),
        deployment(3),
      );
      if (i < 3) events.push(podEvent('add', pod(`new-${i + 1}`, 'new', false)));
    }
    events.push(replicaSet('new', 2, 3, 3), replicaSet('old', 1, 0, 0));
    const s = summarizeRollout(observations(first, events));
    expect(s.belowFloor).toEqual([]);
    expect(s.pdbViolations).toEqual([]);
    expect(s.minAvailable).toEqual({ available: 3, replicas: 3 });
    expect(s.initialReadyPods).toEqual(['old-1', 'old-2', 'old-3']);
    expect(s.podsDeleted.map((p) => p.name)).toEqual(['old-1', 'old-2', 'old-3']);
    expect(s.podsCreated.map((p) => [p.name, p.readyAtMs !== null])).toEqual([
      ['new-1', true],
      ['new-2', true],
      ['new-3', true],
    ]);
    expect(s.replicaSets.map((r) => [r.hash, r.new, r.maxReady, r.replicas])).toEqual([
      ['old', false, 3, 0],
      ['new', true, 3, 3],
    ]);
  });

  it('negative twin: every old pod gone at once shows as floor and PDB violations', () => {
    const first = initial();
    const events: Observation[] = [
      replicaSet('new', 2, 3, 0),
      replicaSet('old', 1, 0, 0),
      ...['old-1', 'old-2', 'old-3'].map((n) =>
        podEvent('delete', pod(n, 'old', true, { deleting: true })),
      ),
      deployment(0),
      pdb(0),
      ...['new-1', 'new-2', 'new-3'].map((n) => podEvent('update', pod(n, 'new', true))),
      deployment(3),
      pdb(3),
    ];
    const s = summarizeRollout(observations(first, events));
    expect(s.minAvailable).toEqual({ available: 0, replicas: 3 });
    expect(s.belowFloor).toHaveLength(1);
    expect(s.pdbViolations).toEqual([
      { atMs: expect.any(Number), currentHealthy: 0, desiredHealthy: 2 },
    ]);
  });

  it('a crash-looping release: its ReplicaSet never had a ready pod, restarts are counted', () => {
    const first = initial();
    const events: Observation[] = [
      replicaSet('bad', 2, 1, 0),
      podEvent('add', pod('bad-1', 'bad', false)),
      podEvent('update', pod('bad-1', 'bad', false, { restarts: 3 })),
      replicaSet('bad', 2, 0, 0),
      podEvent('delete', pod('bad-1', 'bad', false, { restarts: 3, deleting: true })),
    ];
    const s = summarizeRollout(observations(first, events));
    expect(s.replicaSets.find((r) => r.hash === 'bad')).toMatchObject({ new: true, maxReady: 0 });
    expect(s.podsCreated).toEqual([
      { name: 'bad-1', hash: 'bad', atMs: expect.any(Number), readyAtMs: null, maxRestarts: 3 },
    ]);
    expect(s.podsDeleted.map((p) => p.name)).toEqual(['bad-1']);
    expect(s.belowFloor).toEqual([]);
  });
});
