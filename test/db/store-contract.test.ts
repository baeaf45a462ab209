import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import { createConnectStore } from '../../src/connect/connect-store.ts';
import { createParkedRequests } from '../../src/connect/parked-requests.ts';
import { createInbox } from '../../src/delivery/inbox.ts';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import type { UserMessage } from '../../src/shared/messages.ts';
import { createWatchStore, type NewWatch } from '../../src/watches/watch-store.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

const user = { teamId: 'T1', userId: 'U1' };
const message = (ts: string, text = 'hi'): UserMessage => ({
  ...user,
  channel: 'C1',
  threadTs: ts,
  ts,
  text,
  isDirect: false,
});

// The stores that the other contract files do not cover, each on both drivers: the same calls give the same answers.
describe.each(DIALECTS)('stores on %s', (dialect) => {
  const t = useTestDatabase(dialect);
  const identify = () => createIdentityStore(t.db, { newIdentifier: () => 'id-1', now: () => 0 }).identifierFor(user);

  it('inbox: takes each message once, reports the ones a crash cut off once, and prunes in batches', async () => {
    const inbox = createInbox(t.db);
    expect(await inbox.accept(message('1.1'), 'Ev1', 100)).toBe(true);
    expect(await inbox.accept(message('1.1'), 'Ev2', 101)).toBe(false);
    expect(await inbox.accept(message('1.2'), undefined, 102)).toBe(true);
    await inbox.finish(message('1.2'));
    expect(await inbox.takeInterrupted()).toEqual([{ channel: 'C1', threadTs: '1.1', userId: 'U1' }]);
    expect(await inbox.takeInterrupted()).toEqual([]);
    for (let i = 0; i < 5; i++) await inbox.accept(message(`2.${i}`), undefined, 50);
    for (let i = 0; i < 5; i++) await inbox.finish(message(`2.${i}`));
    expect(await inbox.pruneBatch(200, 3)).toBe(3);
    expect(await inbox.pruneBatch(200, 3)).toBe(3);
    expect(await inbox.pruneBatch(200, 3)).toBe(1);
  });

  it('parked requests: kept once, claimed by one caller, oldest first', async () => {
    await identify();
    const parked = createParkedRequests(t.db);
    await parked.park(message('3.2', 'second'), 20);
    await parked.park(message('3.1', 'first'), 10);
    await parked.park(message('3.1', 'first'), 30);
    const [a, b] = await Promise.all([parked.claim(user), parked.claim(user)]);
    const claimed = [...(a ?? []), ...(b ?? [])];
    expect(claimed.map((r) => r.message.text)).toEqual(['first', 'second']);
    expect(a?.length === 0 || b?.length === 0).toBe(true);
    expect((await parked.takeInterrupted()).map((r) => r.message.ts).sort()).toEqual(['3.1', '3.2']);
    await parked.park(message('3.3'), 40);
    expect(await parked.dropFor(user)).toBe(1);
  });

  it('connect store: a link is used once, a flow consumed once and given back', async () => {
    await identify();
    const store = createConnectStore(t.db);
    await store.saveLink({ ...user, tokenHash: 'tok', createdAt: 0, expiresAt: 1000 });
    expect(await store.findLink('tok', 10)).toEqual({ found: true, user, expired: false, used: false });
    const flow = { ...user, stateHash: 'st', browserHash: 'br', createdAt: 10, expiresAt: 2000 };
    const uses = await Promise.all([store.useLinkAndStartFlow('tok', flow), store.useLinkAndStartFlow('tok', flow)]);
    expect(uses.filter(Boolean)).toHaveLength(1);
    expect(await store.findFlow('st')).toEqual({
      ...user,
      identifier: 'id-1',
      browserHash: 'br',
      expiresAt: 2000,
      consumedAt: null,
    });
    expect(await store.consumeFlow('st', 20)).toBe(true);
    expect(await store.consumeFlow('st', 21)).toBe(false);
    await store.releaseFlow('st');
    expect(await store.consumeFlow('st', 22)).toBe(true);
    await store.saveSignIn({ stateHash: 'si', tokenHash: 'tok', browserHash: 'br', expiresAt: 100 });
    expect(await store.findSignIn('si', 50)).toEqual({ tokenHash: 'tok', browserHash: 'br' });
    expect(await store.takeSignIn('si', 50)).toBe(true);
    expect(await store.takeSignIn('si', 50)).toBe(false);
    await store.prune(3 * 24 * 60 * 60 * 1000);
    expect(await store.findLink('tok', 0)).toEqual({ found: false });
  });

  it('watch store: one open watch per conversation, claims by version, ends with its audit entry', async () => {
    const identifier = await identify();
    const audit = createAuditLog(t.db);
    const store = createWatchStore(t.db, audit);
    const watch: NewWatch = {
      id: 'w1',
      ...user,
      conversationId: '42',
      channel: 'C1',
      threadTs: '1.1',
      createdAt: 100,
      lastActivityAt: 100,
      lastPartId: null,
      partsSeen: 0,
      state: 'open',
      assignee: null,
      nextPollAt: 200,
      intervalMs: 1000,
    };
    expect((await store.create(watch, 2)).kind).toBe('created');
    const moved = await store.create({ ...watch, id: 'w2', threadTs: '2.2', createdAt: 150 }, 2);
    expect(moved).toMatchObject({ kind: 'exists', watch: { id: 'w1', threadTs: '2.2', lastActivityAt: 150 } });
    expect((await store.create({ ...watch, id: 'w3', conversationId: '43' }, 1)).kind).toBe('limit');
    expect((await store.due(300, 10)).map((w) => w.id)).toEqual(['w1']);
    expect(await store.nextDueAt()).toBe(200);
    const seen = { lastPartId: 'p1', partsSeen: 1, state: 'open', assignee: null };
    const claims = await Promise.all([store.advance('w1', 0, seen, 120), store.advance('w1', 0, seen, 120)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.get('w1')).toMatchObject({ version: 1, lastActivityAt: 150, lastPartId: 'p1' });
    expect(await store.advance('w1', 1, seen, 500, { end: { reason: 'closed', at: 500 } })).toBe(true);
    expect(await store.get('w1')).toMatchObject({
      status: 'ended',
      endedReason: 'closed',
      endedAt: 500,
      lastActivityAt: 500,
    });
    expect((await store.create({ ...watch, id: 'w4' }, 2)).kind).toBe('created');
    expect(await store.pauseAllFor(user)).toBe(1);
    expect(await store.resumeAllFor(user, 600)).toBe(1);
    const ended = await store.expire(10_000, 10_001, (w, id) => ({
      at: 10_001,
      kind: 'watch',
      ...user,
      identifier: id,
      toolName: 'intercom_retrieve_conversation',
      summary: `conversation_id=${w.conversationId}`,
      outcome: 'ended: inactive',
    }));
    expect(ended.map((w) => w.id)).toEqual(['w4']);
    expect((await audit.query({})).map((e) => [e.outcome, e.identifier])).toEqual([['ended: inactive', identifier]]);
    expect(await store.prune(20_000)).toBe(2);
  });
});
