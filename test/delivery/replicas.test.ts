import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import type { Fence } from '../../src/db/fence.ts';
import { createInbox } from '../../src/delivery/inbox.ts';
import { createReplica, type LeaderDuties, type Replica } from '../../src/delivery/replicas.ts';
import { createQueueStore } from '../../src/queue/queue-store.ts';
import type { UserMessage } from '../../src/shared/messages.ts';
import { createWatchStore } from '../../src/watches/watch-store.ts';
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
    const fences: Fence[] = [];
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
      lead: (fence) => {
        events.push('lead');
        fences.push(fence);
      },
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
    return { replica, inbox, events, swept, fences, beat: () => tick() };
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

  it("refuses a paused leader's poll claims once another process leads", async () => {
    const clockA = { now: 1000 };
    const clockB = { now: 1000 };
    const a = await process('A', clockA);
    const b = await process('B', clockB);
    const watches = createWatchStore(t.db, createAuditLog(t.db));
    const queue = createQueueStore(t.db);
    const user = { teamId: 'T1', userId: 'U1' };
    await t.db.run('INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (?, ?, ?, ?)', [
      'T1',
      'U1',
      'u_1',
      1000,
    ]);
    const created = await watches.create(
      {
        id: 'w1',
        ...user,
        conversationId: 'c1',
        channel: 'C1',
        threadTs: '1.0',
        createdAt: 1000,
        lastActivityAt: 1000,
        lastPartId: null,
        partsSeen: 0,
        state: 'open',
        assignee: null,
        nextPollAt: 1000,
        intervalMs: 1000,
      },
      20,
    );
    if (created.kind !== 'created') throw new Error(created.kind);
    await queue.turnOn(user, { id: 'q1', since: 1000, nextPollAt: 1000, intervalMs: 1000 });
    const seen = { lastPartId: 'p1', partsSeen: 1, state: 'open', assignee: null };
    const [leadA] = a.fences as [Fence];
    expect(await queue.claim(user, 'reply:p0', 'c1', 1000, leadA)).toBe(true);

    // A stops (SIGSTOP) in the middle of a poll pass; B takes the lead. A wakes and goes on with its pass before its
    // next heartbeat: none of its claims is written.
    clockB.now = 1000 + TIMEOUT + 1;
    await b.beat();
    const [leadB] = b.fences as [Fence];
    clockA.now = clockB.now;
    expect(await queue.claim(user, 'reply:p1', 'c1', clockA.now, leadA)).toBe(false);
    expect(await watches.advance('w1', created.watch.version, seen, clockA.now, { fence: leadA })).toBe(false);
    await watches.reschedule('w1', 9999, 2000, leadA);
    await queue.reschedule('q1', 9999, 2000, leadA);
    await queue.advance('q1', clockA.now, leadA);
    await queue.remember(user, { conversationId: 'c1', updatedAt: clockA.now, waitingSince: null }, leadA);
    // Nor does a failed poll pause or end anything (and so DM or post), nor the housekeeping expire quiet watches.
    expect(await watches.pauseAllFor(user, leadA)).toBe(0);
    expect(await watches.end('w1', 'forbidden', clockA.now, undefined, leadA)).toBeUndefined();
    expect(await watches.expire(clockA.now, clockA.now, undefined, leadA)).toEqual([]);
    expect(await queue.pause(user, leadA)).toBe(false);
    expect(await watches.get('w1')).toMatchObject({
      status: 'active',
      version: created.watch.version,
      nextPollAt: 1000,
    });
    expect(await queue.followerOf(user)).toMatchObject({ status: 'active', cursor: null, nextPollAt: 1000 });
    expect(await queue.conversation(user, 'c1')).toBeUndefined();

    // The new leader's claims go through, the one A was refused included.
    expect(await queue.claim(user, 'reply:p1', 'c1', clockB.now, leadB)).toBe(true);
    expect(await watches.advance('w1', created.watch.version, seen, clockB.now, { fence: leadB })).toBe(true);
    await watches.reschedule('w1', 9999, 2000, leadB);
    expect(await watches.get('w1')).toMatchObject({ lastPartId: 'p1', nextPollAt: 9999 });
    await b.replica.leave();
  });
});
