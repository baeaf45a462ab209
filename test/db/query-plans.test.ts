import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AUDIT_SQL, type AuditFilter, auditSelect } from '../../src/audit/audit-log.ts';
import { SQLITE_MIGRATIONS } from '../../src/db/migrations.ts';
import { type Statement, textOf } from '../../src/db/sql.ts';
import { migrateSqlite } from '../../src/db/sqlite.ts';
import { INBOX_SQL } from '../../src/delivery/inbox.ts';
import { WATCH_SQL } from '../../src/watches/watch-store.ts';

// The bot never runs ANALYZE, so these are the plans it gets in production: the planner's choice without
// statistics, on the schema the migrations build.
const db = new BetterSqlite3(':memory:');
migrateSqlite(db, SQLITE_MIGRATIONS);

function planOf(sql: Statement, params: unknown[]): string[] {
  const explain = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${textOf(sql, 'sqlite')}`);
  return explain.all(...params).map((row) => row.detail);
}

/** A plan that reads every row of a table, or buffers rows to sort them, blocks the event loop as data grows. */
function expectIndexedLookup(plan: string[]): void {
  expect(plan.length).toBeGreaterThan(0);
  for (const step of plan) {
    expect(step).not.toMatch(/^SCAN (audit_log|inbox|watches)\b/);
    expect(step).not.toMatch(/TEMP B-TREE/);
  }
}

describe('query plans of the hot statements', () => {
  it('answers status and App Home for one user from its indexes', () => {
    const activity = planOf(AUDIT_SQL.activity, ['T1', 'U1', 0]);
    expectIndexedLookup(activity);
    // Covering: the week's figures come from index entries alone, never from table rows.
    expect(activity.join('\n')).toMatch(/USING COVERING INDEX audit_log_by_user_activity/);

    const last = planOf(AUDIT_SQL.lastConnection, ['T1', 'U1']);
    expectIndexedLookup(last);
    expect(last.join('\n')).toMatch(/USING INDEX audit_log_by_user_kind \(team_id=\? AND user_id=\? AND kind=\?\)/);

    expectIndexedLookup(planOf(AUDIT_SQL.recent, ['T1', 'U1', 10]));
  });

  it('prunes the inbox from the index on received_at and finds each message by its key', () => {
    const prune = planOf(INBOX_SQL.pruneBatch, [0, 1000]);
    expectIndexedLookup(prune);
    expect(prune.join('\n')).toMatch(/inbox_by_received \(received_at<\?\)/);
    expectIndexedLookup(planOf(INBOX_SQL.finish, ['C1', '1.1']));
    expectIndexedLookup(planOf(INBOX_SQL.takeInterrupted, []));
  });
});

describe('query plans of the watch poller', () => {
  it('finds due watches in order, and quiet or long-ended ones, from indexes', () => {
    const due = planOf(WATCH_SQL.due, [0, 10]);
    expectIndexedLookup(due);
    expect(due.join('\n')).toMatch(/watches_due \(status=\? AND next_poll_at<\?\)/);
    expectIndexedLookup(planOf(WATCH_SQL.nextDue, []));
    expectIndexedLookup(planOf(WATCH_SQL.expire, [0, 0]));
    expectIndexedLookup(planOf(WATCH_SQL.prune, [0]));
  });
});

describe('query plans of the export', () => {
  const shapes: AuditFilter[] = [];
  for (const teamId of [undefined, 'T1'])
    for (const userId of [undefined, 'U1'])
      for (const since of [undefined, 1])
        for (const until of [undefined, 2]) shapes.push({ teamId, userId, since, until });

  it.each(shapes)('streams %o in order straight from an index, without a limit', (filter) => {
    const { sql, params } = auditSelect(filter);
    expect(textOf(sql, 'sqlite')).not.toMatch(/\bLIMIT\b/i);
    expect(textOf(sql, 'sqlite')).not.toMatch(/IS NULL/i);
    const plan = planOf(sql, params);
    // In time order from an index: the first row comes out at once and nothing is buffered to sort.
    for (const step of plan) {
      expect(step).not.toMatch(/TEMP B-TREE/);
      expect(step).not.toMatch(/^SCAN audit_log$/);
    }
    // Only an export of everything (or of a whole team or user, whose rows no index lists in time order) walks the
    // whole time index; a time window or a team and user is a range of an index.
    if (filter.since !== undefined || filter.until !== undefined || (filter.teamId && filter.userId)) {
      expect(plan.join('\n')).toMatch(/^SEARCH audit_log USING INDEX/);
    }
  });
});
