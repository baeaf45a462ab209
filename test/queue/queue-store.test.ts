import { describe, expect, it } from 'vitest';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import { createQueueStore } from '../../src/queue/queue-store.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

const me = { teamId: 'T1', userId: 'U1' };
const other = { teamId: 'T1', userId: 'U2' };
const elsewhere = { teamId: 'T2', userId: 'U3' };

// My queue's store on both drivers: the same calls give the same answers.
describe.each(DIALECTS)('queue store on %s', (dialect) => {
  const t = useTestDatabase(dialect);
  const setUp = async () => {
    let n = 0;
    const identities = createIdentityStore(t.db, { newIdentifier: () => `id-${n++}`, now: () => 0 });
    for (const user of [me, other, elsewhere]) await identities.identifierFor(user);
    return createQueueStore(t.db);
  };
  const follower = (id: string, nextPollAt: number) => ({ id, since: 1_000, nextPollAt, intervalMs: 30_000 });

  it('turns on once, polls the due ones longest-waiting first, pauses and resumes, and turns off', async () => {
    const store = await setUp();
    expect(await store.turnOn(me, follower('q1', 200))).toBe(true);
    expect(await store.turnOn(me, follower('q9', 0))).toBe(false);
    expect(await store.turnOn(other, follower('q2', 100))).toBe(true);
    expect(await store.followerOf(me)).toEqual({
      ...me,
      id: 'q1',
      status: 'active',
      since: 1_000,
      cursor: null,
      nextPollAt: 200,
      intervalMs: 30_000,
    });
    expect((await store.due(500, 10)).map((f) => f.id)).toEqual(['q2', 'q1']);
    expect((await store.due(150, 10)).map((f) => f.id)).toEqual(['q2']);
    expect(await store.nextDueAt()).toBe(100);

    await store.reschedule('q2', 900, 60_000.4);
    await store.advance('q1', 5_000);
    expect(await store.followerOf(other)).toMatchObject({ nextPollAt: 900, intervalMs: 60_000 });
    expect((await store.followerOf(me))?.cursor).toBe(5_000);

    await store.pause(me);
    expect((await store.due(10_000, 10)).map((f) => f.id)).toEqual(['q2']);
    expect((await store.followerOf(me))?.status).toBe('paused');
    await store.resume(me, 7_000);
    expect(await store.followerOf(me)).toMatchObject({ status: 'active', nextPollAt: 7_000 });

    await store.remember(me, { conversationId: 'c1', updatedAt: 1, waitingSince: 10 });
    expect(await store.turnOff(me)).toBe(true);
    expect(await store.turnOff(me)).toBe(false);
    expect(await store.followerOf(me)).toBeUndefined();
    expect(await store.conversation(me, 'c1')).toBeUndefined();
  });

  it('remembers conversations, lists the long-waiting ones, claims each notice once and prunes old notices', async () => {
    const store = await setUp();
    await store.remember(me, { conversationId: 'c1', updatedAt: 1, waitingSince: 300 });
    await store.remember(me, { conversationId: 'c2', updatedAt: 2, waitingSince: 100 });
    await store.remember(me, { conversationId: 'c3', updatedAt: 3, waitingSince: null });
    await store.remember(me, { conversationId: 'c1', updatedAt: 4, waitingSince: 50 });
    await store.remember(other, { conversationId: 'c4', updatedAt: 5, waitingSince: 1 });
    expect(await store.conversation(me, 'c1')).toMatchObject({ conversationId: 'c1', updatedAt: 4, waitingSince: 50 });
    expect((await store.waitingSince(me, 200)).map((c) => c.conversationId)).toEqual(['c1', 'c2']);
    await store.forget(me, 'c2');
    expect((await store.waitingSince(me, 200)).map((c) => c.conversationId)).toEqual(['c1']);

    const claims = await Promise.all([store.claim(me, 'reply:p1', 'c1', 10), store.claim(me, 'reply:p1', 'c1', 11)]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await store.claim(other, 'reply:p1', 'c1', 12)).toBe(true);
    expect(await store.claim(me, 'nudge:c1:50', 'c1', 500)).toBe(true);
    expect(await store.prune(100)).toBe(2);
    expect(await store.claim(me, 'reply:p1', 'c1', 600)).toBe(true);
    expect(await store.claim(me, 'nudge:c1:50', 'c1', 600)).toBe(false);
  });

  it('turns off every queue of a workspace and no other', async () => {
    const store = await setUp();
    await store.turnOn(me, follower('q1', 0));
    await store.turnOn(other, follower('q2', 0));
    await store.turnOn(elsewhere, follower('q3', 0));
    await store.remember(me, { conversationId: 'c1', updatedAt: 1, waitingSince: 1 });
    expect(await store.turnOffTeam('T1')).toBe(2);
    expect(await store.conversation(me, 'c1')).toBeUndefined();
    expect((await store.due(10, 10)).map((f) => f.id)).toEqual(['q3']);
  });
});
