import { describe, expect, it } from 'vitest';
import { type AuditEntry, createSqliteAuditLog } from '../../src/audit/audit-log.ts';
import { openDatabase } from '../../src/db/database.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 20);

function entry(fields: Partial<AuditEntry> & Pick<AuditEntry, 'at' | 'kind' | 'outcome'>): AuditEntry {
  return {
    teamId: 'T1',
    userId: 'U1',
    identifier: 'u_1',
    toolName: fields.kind === 'connection' ? 'intercom_connection' : 'intercom_search_contacts',
    summary: '',
    ...fields,
  };
}

function trail() {
  const audit = createSqliteAuditLog(openDatabase(':memory:'));
  const entries = [
    entry({ at: NOW - 30 * DAY, kind: 'connection', outcome: 'connected' }),
    entry({ at: NOW - 10 * DAY, kind: 'tool_call', outcome: 'ok' }),
    entry({ at: NOW - 3 * DAY, kind: 'tool_call', outcome: 'ok' }),
    entry({ at: NOW - 3 * DAY, kind: 'tool_call', outcome: 'error' }),
    entry({ at: NOW - 2 * DAY, kind: 'approval', outcome: 'proposed' }),
    entry({ at: NOW - 2 * DAY + 1, kind: 'approval', outcome: 'sent' }),
    entry({ at: NOW - DAY, kind: 'tool_call', outcome: 'ok' }),
    // Newer, but not use: connecting again does not count as using Intercom.
    entry({ at: NOW - 1000, kind: 'connection', outcome: 'connected' }),
    // Someone else's, and the same user id in another workspace.
    entry({ at: NOW - DAY, kind: 'tool_call', outcome: 'ok', userId: 'U2' }),
    entry({ at: NOW - DAY, kind: 'approval', outcome: 'sent', teamId: 'T2' }),
  ];
  for (const e of entries) audit.record(e);
  return audit;
}

describe('the audit trail in SQLite', () => {
  it("counts one user's week in SQL: successful lookups, sent approvals and the last use", () => {
    const audit = trail();
    expect(audit.activity({ teamId: 'T1', userId: 'U1' }, NOW - 7 * DAY)).toEqual({
      toolCalls: 2,
      approved: 1,
      lastUsed: NOW - DAY,
    });
    expect(audit.activity({ teamId: 'T1', userId: 'U3' }, NOW - 7 * DAY)).toEqual({
      toolCalls: 0,
      approved: 0,
      lastUsed: undefined,
    });
  });

  it('finds the last connection, and none once the newest connection entry is a disconnect', () => {
    const audit = trail();
    expect(audit.lastConnected({ teamId: 'T1', userId: 'U1' })).toBe(NOW - 1000);
    audit.record(entry({ at: NOW - 500, kind: 'connection', outcome: 'disconnected' }));
    expect(audit.lastConnected({ teamId: 'T1', userId: 'U1' })).toBeUndefined();
    expect(audit.lastConnected({ teamId: 'T1', userId: 'U2' })).toBeUndefined();
  });

  it('returns every entry of each filter shape, oldest first', () => {
    const audit = trail();
    const ats = (filter: Parameters<typeof audit.query>[0]) => audit.query(filter).map((e) => e.at - NOW);
    expect(audit.query({})).toHaveLength(10);
    expect(ats({ teamId: 'T1', userId: 'U1', since: NOW - 3 * DAY, until: NOW - DAY })).toEqual([
      -3 * DAY,
      -3 * DAY,
      -2 * DAY,
      -2 * DAY + 1,
    ]);
    expect(ats({ teamId: 'T2' })).toEqual([-DAY]);
    expect(ats({ userId: 'U2' })).toEqual([-DAY]);
    expect(ats({ userId: 'U1', since: NOW - DAY })).toEqual([-DAY, -DAY, -1000]);
    // Ties in time keep the order they were written in.
    expect(audit.query({ since: NOW - 3 * DAY, until: NOW - 3 * DAY + 1 }).map((e) => e.outcome)).toEqual([
      'ok',
      'error',
    ]);
  });
});
