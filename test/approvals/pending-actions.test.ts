import { describe, expect, it } from 'vitest';
import { createSqlitePendingActions } from '../../src/approvals/pending-actions.ts';
import { createSqliteAuditLog } from '../../src/audit/audit-log.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createSqliteIdentityStore } from '../../src/identity/identity-store.ts';

function setup() {
  const db = openDatabase(':memory:');
  const identifier = createSqliteIdentityStore(db, { newIdentifier: () => 'id-1', now: () => 0 }).identifierFor({
    teamId: 'T1',
    userId: 'U1',
  });
  const audit = createSqliteAuditLog(db);
  const store = createSqlitePendingActions(db, audit);
  store.create({
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
  return { db, store, audit };
}

describe('pending actions in SQLite', () => {
  it('writes each decision to the append-only audit trail, once', () => {
    const { db, store, audit } = setup();
    expect(store.claim('a1', 'U1', 1500)).toBe(true);
    store.finish('a1', { status: 'done', outcome: 'done', executionId: 'x1', latencyMs: 12 }, 1600);
    store.finish('a1', { status: 'done', outcome: 'done', executionId: 'x1', latencyMs: 12 }, 1700);
    expect(audit.query({}).map((e) => [e.outcome, e.approvedBy, e.executionId, e.latencyMs, e.identifier])).toEqual([
      ['proposed', undefined, undefined, undefined, 'id-1'],
      ['sent', 'U1', 'x1', 12, 'id-1'],
    ]);
    expect(audit.query({})[0]?.summary).toBe('body=hi…');
    expect(() => db.prepare("UPDATE audit_log SET outcome = 'forged'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('lets exactly one claim move an action from pending to executing', () => {
    const { store } = setup();
    expect(store.claim('a1', 'U1', 1500)).toBe(true);
    expect(store.claim('a1', 'U1', 1500)).toBe(false);
    expect(store.cancel('a1', 'U1', 1500)).toBe(false);
    expect(store.updateArguments('a1', { body: 'changed' }, store.get('a1')?.preview as never)).toBe(false);
    store.finish('a1', { status: 'done', outcome: 'done', executionId: 'x1', latencyMs: 12 }, 1600);
    expect(store.get('a1')).toMatchObject({
      status: 'done',
      decidedBy: 'U1',
      executionId: 'x1',
      arguments: { body: 'hi' },
    });
    expect(store.claim('a1', 'U1', 1500)).toBe(false);
  });

  it('refuses to claim an expired action, and expires it only once its time is up', () => {
    const { store } = setup();
    expect(store.expire('a1', 1999)).toBe(false);
    expect(store.claim('a1', 'U1', 2000)).toBe(false);
    expect(store.expire('a1', 2000)).toBe(true);
    expect(store.get('a1')?.status).toBe('expired');
  });

  it('can give a claimed action back (collision) so it can be claimed again', () => {
    const { store } = setup();
    expect(store.claim('a1', 'U1', 1500)).toBe(true);
    store.release('a1', { parts: 2, state: 'open', assignee: null }, 1600);
    expect(store.get('a1')).toMatchObject({ status: 'pending', snapshot: { parts: 2 } });
    expect(store.claim('a1', 'U1', 1500)).toBe(true);
  });
});
