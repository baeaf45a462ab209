import { describe, expect, it } from 'vitest';
import { createInbox } from '../../src/delivery/inbox.ts';
import { createReplica, type LeaderDuties, type Replica } from '../../src/delivery/replicas.ts';
import type { UserMessage } from '../../src/shared/messages.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
const TIMEOUT = 2000;
const message = (ts: string): UserMessage => ({
  teamId: 'T1',
  userId: 'U1',
  channel: 'C1',
  threadTs: '1.0',
  ts,
  text: 'hi',
  isDirect: false,
});

// Two processes on one database, each with its own clock and heartbeats run by the test: no timers, no sleeps.
describe.each(DIALECTS)('processes on one %s database', (dialect) => {
  const t = useTestDatabase(dialect);

  async function process(id: string, clock: { now: number }) {
    let tick: () => Promise<void> = async () => {};
    const events: string[] = [];
    const swept: string[][] = [];
    const replica: Replica = createReplica({
      sql: t.db,
      id,
      single: false,
      timeoutMs: TIMEOUT,
      heartbeatMs: 1000,
      logger: silent,
      now: () => clock.now,
      every: (run) => {
        tick = run;
        return () => {};
      },
    });
    const inbox = createInbox(t.db, { owner: id });
    const duties: LeaderDuties = {
      lead: () => events.push('lead'),
      stepDown: async () => {
        events.push('step down');
      },
      sweep: async (aliveSince) => {
        swept.push((await inbox.takeInterrupted(aliveSince)).map((m) => m.threadTs));
      },
      stops: () => {},
      fenced: () => events.push('fenced'),
    };
    await replica.join();
    await replica.start(duties);
    return { replica, inbox, events, swept, beat: () => tick() };
  }

  it('moves the lead and the turn from a paused process, reports only its work, and fences it when it wakes', async () => {
    const clockA = { now: 1000 };
    const clockB = { now: 1000 };
    const a = await process('A', clockA);
    const b = await process('B', clockB);
    expect(a.events).toEqual(['lead']);
    expect(b.events).toEqual([]);

    // A runs a turn of thread 1.0; B's later message in the same thread waits for it.
    await a.inbox.accept(message('1.0'), undefined, 1000);
    await b.inbox.accept({ ...message('1.1'), threadTs: '2.0' }, undefined, 1000);
    const aTurn = await a.replica.takeTurn('C1:1.0', message('1.0'));
    let waited = false;
    const bTurn = b.replica.takeTurn('C1:1.0', message('1.1'), () => {
      waited = true;
    });
    expect(await aTurn.holds()).toBe(true);

    // A stops (SIGSTOP): no heartbeats. After the timeout B leads, and once it has itself heartbeaten for a whole
    // timeout it reports A's message as interrupted, never its own.
    clockB.now = 1000 + TIMEOUT + 1;
    await b.beat();
    expect(b.events).toEqual(['lead']);
    expect(b.swept).toEqual([['1.0']]);
    expect(waited).toBe(true);

    // The turn passes to B (A's lease ran out; A's older message is no longer unfinished).
    const taken = await bTurn;
    expect(await taken.holds()).toBe(true);

    // A wakes up: its turn is no longer its own, and its first heartbeat finds it was taken for dead.
    clockA.now = clockB.now;
    expect(await aTurn.holds()).toBe(false);
    await a.beat();
    expect(a.events).toEqual(['lead', 'fenced']);
    await taken.release();
    await b.replica.leave();
  });

  it('hands the lead on at once when the leader leaves', async () => {
    const clock = { now: 1000 };
    const a = await process('A', clock);
    const b = await process('B', clock);
    await a.replica.leave();
    expect(a.events).toEqual(['lead', 'step down']);
    await b.beat();
    expect(b.events).toEqual(['lead']);
    await b.replica.leave();
  });
});
