import { describe, expect, it } from 'vitest';
import { type AuditEntry, createAuditLog } from '../../src/audit/audit-log.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

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

describe.each(DIALECTS)('the audit trail on %s', (dialect) => {
  const t = useTestDatabase(dialect);
  async function trail() {
    const audit = createAuditLog(t.db);
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
    for (const e of entries) await audit.record(e);
    return audit;
  }

  describe('figures and filters', () => {
    it("counts one user's week in SQL: successful lookups, sent approvals and the last use", async () => {
      const audit = await trail();
      expect(await audit.activity({ teamId: 'T1', userId: 'U1' }, NOW - 7 * DAY)).toEqual({
        toolCalls: 2,
        approved: 1,
        lastUsed: NOW - DAY,
      });
      expect(await audit.activity({ teamId: 'T1', userId: 'U3' }, NOW - 7 * DAY)).toEqual({
        toolCalls: 0,
        approved: 0,
        lastUsed: undefined,
      });
    });

    it('finds the last connection, and none once the newest connection entry is a disconnect', async () => {
      const audit = await trail();
      expect(await audit.lastConnected({ teamId: 'T1', userId: 'U1' })).toBe(NOW - 1000);
      await audit.record(entry({ at: NOW - 500, kind: 'connection', outcome: 'disconnected' }));
      expect(await audit.lastConnected({ teamId: 'T1', userId: 'U1' })).toBeUndefined();
      expect(await audit.lastConnected({ teamId: 'T1', userId: 'U2' })).toBeUndefined();
    });

    it('returns every entry of each filter shape, oldest first', async () => {
      const audit = await trail();
      const ats = async (filter: Parameters<typeof audit.query>[0]) =>
        (await audit.query(filter)).map((e) => e.at - NOW);
      expect(await audit.query({})).toHaveLength(10);
      expect(await ats({ teamId: 'T1', userId: 'U1', since: NOW - 3 * DAY, until: NOW - DAY })).toEqual([
        -3 * DAY,
        -3 * DAY,
        -2 * DAY,
        -2 * DAY + 1,
      ]);
      expect(await ats({ teamId: 'T2' })).toEqual([-DAY]);
      expect(await ats({ userId: 'U2' })).toEqual([-DAY]);
      expect(await ats({ userId: 'U1', since: NOW - DAY })).toEqual([-DAY, -DAY, -1000]);
      // Ties in time keep the order they were written in.
      expect((await audit.query({ since: NOW - 3 * DAY, until: NOW - 3 * DAY + 1 })).map((e) => e.outcome)).toEqual([
        'ok',
        'error',
      ]);
    });
  });

  it('streams a trail larger than one batch, oldest first, in one snapshot', async () => {
    const audit = createAuditLog(t.db);
    await t.db.tx(async (sql) => {
      for (let i = 0; i < 1234; i++) {
        await audit.record(entry({ at: NOW + i, kind: 'tool_call', outcome: 'ok', summary: `n=${i}` }), sql);
      }
    });
    const seen: number[] = [];
    for await (const record of audit.iterate({ since: NOW })) seen.push(record.at - NOW);
    expect(seen).toHaveLength(1234);
    expect(seen.every((at, i) => at === i)).toBe(true);
  });
});
