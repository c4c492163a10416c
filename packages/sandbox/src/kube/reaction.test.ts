import { describe, expect, it } from 'vitest';
import { reaction } from './reaction.ts';

/** A run that waits until released, so the test decides when it ends. */
function gate() {
  let release: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { opened, release };
}

describe('reaction', () => {
  it('never overlaps a run and folds every kick during a run into one more run', async () => {
    let runs = 0;
    let active = 0;
    let most = 0;
    let current = gate();
    const r = reaction(
      async () => {
        runs++;
        active++;
        most = Math.max(most, active);
        await current.opened;
        active--;
      },
      () => undefined,
    );
    r.kick();
    r.kick();
    r.kick();
    const first = current;
    current = gate();
    first.release();
    await new Promise((resolve) => setImmediate(resolve));
    current.release();
    await r.idle();
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it('reports each run’s error and goes on reacting', async () => {
    const results: unknown[] = [];
    let fail = true;
    const r = reaction(
      async () => {
        if (fail) throw new Error('apiserver unavailable');
      },
      (error) => results.push(error === undefined ? 'ok' : (error as Error).message),
    );
    r.kick();
    await r.idle();
    fail = false;
    r.kick();
    await r.idle();
    expect(results).toEqual(['apiserver unavailable', 'ok']);
  });

  it('runs nothing once stopped (negative twin of the kick)', async () => {
    let runs = 0;
    const r = reaction(
      async () => {
        runs++;
      },
      () => undefined,
    );
    r.stop();
    r.kick();
    await r.idle();
    expect(runs).toBe(0);
  });
});
