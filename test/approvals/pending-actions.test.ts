import { describe, expect, it } from 'vitest';
import { createPendingActions } from '../../src/approvals/pending-actions.ts';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import type { Sql } from '../../src/db/sql.ts';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

async function setup(db: Sql) {
  const identifier = await createIdentityStore(db, { newIdentifier: () => 'id-1', now: () => 0 }).identifierFor({
    teamId: 'T1',
    userId: 'U1',
  });
  const audit = createAuditLog(db);
  const store = createPendingActions(db, audit);
  await store.create({
    id: 'a1',
    teamId: 'T1',
    userId: 'U1',
    identifier,
    channel: 'C1',
    threadTs: '1.1',
    toolName: 'intercom_reply_to_conversation',
    arguments: { body: 'hi' },
    preview: { summary: 'Reply', facts: [], text: 'hi', customerVisible: true, textField: 'body' },
    snapshot: { parts: 1, state: 'open', assignee: null },
    createdAt: 1000,
    expiresAt: 2000,
  });
  return { store, audit };
}

describe.each(DIALECTS)('pending actions on %s', (dialect) => {
  const t = useTestDatabase(dialect);

  it('writes each decision to the append-only audit trail, once', async () => {
    const { store, audit } = await setup(t.db);
    expect(await store.claim('a1', 'U1', 1500)).toBe(true);
    await store.finish('a1', { status: 'done', outcome: 'done', executionId: 'x1', latencyMs: 12 }, 1600);
    await store.finish('a1', { status: 'done', outcome: 'done', executionId: 'x1', latencyMs: 12 }, 1700);
    const entries = await audit.query({});
    expect(entries.map((e) => [e.outcome, e.approvedBy, e.executionId, e.latencyMs, e.identifier])).toEqual([
      ['proposed', undefined, undefined, undefined, 'id-1'],
      ['sent', 'U1', 'x1', 12, 'id-1'],
    ]);
    expect(entries[0]?.summary).toBe('body=hi…');
    await expect(t.db.run("UPDATE audit_log SET outcome = 'forged'")).rejects.toThrow(/append-only/);
    await expect(t.db.run('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('lets exactly one claim move an action from pending to executing', async () => {
    const { store } = await setup(t.db);
    expect(await store.claim('a1', 'U1', 1500)).toBe(true);
    expect(await store.claim('a1', 'U1', 1500)).toBe(false);
    expect(await store.cancel('a1', 'U1', 1500)).toBe(false);
    expect(await store.updateArguments('a1', { body: 'changed' }, (await store.get('a1'))?.preview as never)).toBe(
      false,
    );
    await store.finish('a1', { status: 'done', outcome: 'done', executionId: 'x1', latencyMs: 12 }, 1600);
    expect(await store.get('a1')).toMatchObject({
      status: 'done',
      decidedBy: 'U1',
      executionId: 'x1',
      arguments: { body: 'hi' },
    });
    expect(await store.claim('a1', 'U1', 1500)).toBe(false);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const { store } = await setup(t.db);
    const other = await t.test.reopen();
    try {
      const elsewhere = createPendingActions(other, createAuditLog(other));
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : elsewhere).claim('a1', `U${i}`, 1500)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('refuses to claim an expired action, and expires it only once its time is up', async () => {
    const { store } = await setup(t.db);
    expect(await store.expire('a1', 1999)).toBe(false);
    expect(await store.claim('a1', 'U1', 2000)).toBe(false);
    expect(await store.expire('a1', 2000)).toBe(true);
    expect((await store.get('a1'))?.status).toBe('expired');
  });

  it('can give a claimed action back (collision) so it can be claimed again', async () => {
    const { store } = await setup(t.db);
    expect(await store.claim('a1', 'U1', 1500)).toBe(true);
    await store.release('a1', { parts: 2, state: 'open', assignee: null }, 1600);
    expect(await store.get('a1')).toMatchObject({ status: 'pending', snapshot: { parts: 2 } });
    expect(await store.claim('a1', 'U1', 1500)).toBe(true);
  });

  it('rolls a transaction back whole when a statement in it fails', async () => {
    await setup(t.db);
    await expect(
      t.db.tx(async (sql) => {
        await sql.run("UPDATE pending_actions SET status = 'cancelled' WHERE id = 'a1'");
        await sql.run("UPDATE audit_log SET outcome = 'forged'");
      }),
    ).rejects.toThrow(/append-only/);
    expect(await t.db.get("SELECT status FROM pending_actions WHERE id = 'a1'")).toEqual({ status: 'pending' });
  });
});
