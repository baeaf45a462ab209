import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type Db, userOfRow } from '../db/database.ts';
import type { SlackUser } from '../identity/identity-store.ts';

export type AuditKind = 'tool_call' | 'approval' | 'connection' | 'feedback' | 'watch';

export interface AuditEntry extends SlackUser {
  at: number;
  kind: AuditKind;
  channel?: string;
  threadTs?: string;
  identifier: string;
  toolName: string;
  /** sha256 of the arguments (keys sorted): proves what was sent without keeping it. */
  argsHash?: string;
  /** Short and redacted: ids, the first words of any text, emails masked. */
  summary: string;
  outcome: string;
  executionId?: string;
  latencyMs?: number;
  approvedBy?: string;
  actionId?: string;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

export interface AuditFilter {
  /** From this time on (inclusive), ms since the epoch. */
  since?: number;
  /** Before this time (exclusive). */
  until?: number;
  userId?: string;
  teamId?: string;
}

/** A teammate's use over a period, counted in SQL. */
export interface AuditActivity {
  /** Intercom tool calls that succeeded. */
  toolCalls: number;
  /** Changes the user approved and that were sent. */
  approved: number;
  /** The newest tool call or approval entry, if any. */
  lastUsed?: number;
}

export interface AuditLog {
  /** Appends one entry; call it inside the transaction of the change it records. */
  record(entry: AuditEntry): void;
  /** Entries, oldest first, one at a time: the whole trail never sits in memory. */
  iterate(filter: AuditFilter): IterableIterator<AuditRecord>;
  /** The same, as the table's own rows (the export writes these columns as they are). */
  iterateRows(filter: AuditFilter): IterableIterator<AuditRow>;
  /** Entries, oldest first, as an array: for small filters only (the export uses iterate). */
  query(filter: AuditFilter): AuditRecord[];
  /** The user's figures from a time on. */
  activity(user: SlackUser, since: number): AuditActivity;
  /** The newest entries of one user. */
  recent(user: SlackUser, limit: number): AuditRecord[];
  /** When the user last connected, if they are connected according to the trail. */
  lastConnected(user: SlackUser): number | undefined;
}

/**
 * The statements behind status, App Home and the last connection, as the code runs them; a test checks that each
 * is answered from an index (EXPLAIN QUERY PLAN), since a table scan here blocks the event loop as the trail grows.
 */
export const AUDIT_SQL = {
  activity: `SELECT COUNT(*) FILTER (WHERE kind = 'tool_call' AND outcome = 'ok') AS tool_calls,
       COUNT(*) FILTER (WHERE kind = 'approval' AND outcome = 'sent') AS approved,
       MAX(at) FILTER (WHERE kind != 'connection') AS last_used
     FROM audit_log WHERE team_id = ? AND user_id = ? AND at >= ?`,
  recent: 'SELECT * FROM audit_log WHERE team_id = ? AND user_id = ? ORDER BY at DESC, id DESC LIMIT ?',
  lastConnection: `SELECT at, outcome FROM audit_log WHERE team_id = ? AND user_id = ? AND kind = 'connection'
     ORDER BY at DESC, id DESC LIMIT 1`,
} as const;

/**
 * The SELECT for one filter shape: only the conditions that are set, so SQLite can pick an index for each shape
 * (`@x IS NULL OR …` hides the user's index from the planner). No LIMIT: callers stream.
 */
export function auditSelect(filter: AuditFilter): { sql: string; params: Record<string, string | number> } {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.teamId !== undefined && filter.userId !== undefined) {
    where.push('team_id = @teamId AND user_id = @userId');
  } else if (filter.teamId !== undefined) {
    // The unary plus keeps the planner on the time index: the user index would find the team's rows too, but
    // then sort them all before the first row comes out.
    where.push('+team_id = @teamId');
  } else if (filter.userId !== undefined) {
    where.push('+user_id = @userId');
  }
  if (filter.teamId !== undefined) params.teamId = filter.teamId;
  if (filter.userId !== undefined) params.userId = filter.userId;
  if (filter.since !== undefined) {
    where.push('at >= @since');
    params.since = filter.since;
  }
  if (filter.until !== undefined) {
    where.push('at < @until');
    params.until = filter.until;
  }
  const sql = `SELECT * FROM audit_log${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id`;
  return { sql, params };
}

export interface AuditRow {
  id: number;
  at: number;
  kind: AuditKind;
  team_id: string;
  user_id: string;
  channel: string | null;
  thread_ts: string | null;
  identifier: string;
  tool_name: string;
  args_hash: string | null;
  summary: string;
  outcome: string;
  execution_id: string | null;
  latency_ms: number | null;
  approved_by: string | null;
  action_id: string | null;
}

export function createSqliteAuditLog(db: Db): AuditLog {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, kind, team_id, user_id, channel, thread_ts, identifier, tool_name, args_hash, summary,
       outcome, execution_id, latency_ms, approved_by, action_id)
     VALUES (@at, @kind, @teamId, @userId, @channel, @threadTs, @identifier, @toolName, @argsHash, @summary,
       @outcome, @executionId, @latencyMs, @approvedBy, @actionId)`,
  );
  const activity = db.prepare<
    [string, string, number],
    { tool_calls: number; approved: number; last_used: number | null }
  >(AUDIT_SQL.activity);
  const recent = db.prepare<[string, string, number], AuditRow>(AUDIT_SQL.recent);
  const lastConnection = db.prepare<[string, string], { at: number; outcome: string }>(AUDIT_SQL.lastConnection);
  const selects = new Map<string, Database.Statement<[Record<string, string | number>], AuditRow>>();
  const select = (sql: string) => {
    let statement = selects.get(sql);
    if (!statement) {
      statement = db.prepare<[Record<string, string | number>], AuditRow>(sql);
      selects.set(sql, statement);
    }
    return statement;
  };
  const iterateRows = (filter: AuditFilter): IterableIterator<AuditRow> => {
    const { sql, params } = auditSelect(filter);
    return select(sql).iterate(params);
  };
  function* iterate(filter: AuditFilter): IterableIterator<AuditRecord> {
    for (const row of iterateRows(filter)) yield fromRow(row);
  }

  return {
    record(entry) {
      insert.run({
        ...entry,
        channel: entry.channel ?? null,
        threadTs: entry.threadTs ?? null,
        argsHash: entry.argsHash ?? null,
        executionId: entry.executionId ?? null,
        latencyMs: entry.latencyMs === undefined ? null : Math.round(entry.latencyMs),
        approvedBy: entry.approvedBy ?? null,
        actionId: entry.actionId ?? null,
      });
    },
    iterate,
    iterateRows,
    query: (filter) => [...iterate(filter)],
    activity(user, since) {
      const row = activity.get(user.teamId, user.userId, since);
      return { toolCalls: row?.tool_calls ?? 0, approved: row?.approved ?? 0, lastUsed: row?.last_used ?? undefined };
    },
    recent: (user, limit) => recent.all(user.teamId, user.userId, limit).map(fromRow),
    lastConnected(user) {
      const row = lastConnection.get(user.teamId, user.userId);
      return row?.outcome === 'connected' ? row.at : undefined;
    },
  };
}

/** A stable hash of tool arguments: the same arguments in any key order give the same hash. */
export function hashArguments(args: unknown): string {
  return createHash('sha256').update(canonical(args)).digest('hex');
}

/** What the trail keeps of a call: ids and the first words of text, never whole messages; emails masked. */
export function summarizeArguments(args: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null || key === 'admin_id') continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const short = key === 'body' || text.length > 40 ? `${text.slice(0, 40)}…` : text;
    parts.push(`${key}=${maskEmails(short)}`);
  }
  return parts.join(' ').slice(0, 300);
}

function maskEmails(text: string): string {
  return text.replace(/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)/g, '$1***@$2');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    kind: row.kind,
    ...userOfRow(row),
    channel: row.channel ?? undefined,
    threadTs: row.thread_ts ?? undefined,
    identifier: row.identifier,
    toolName: row.tool_name,
    argsHash: row.args_hash ?? undefined,
    summary: row.summary,
    outcome: row.outcome,
    executionId: row.execution_id ?? undefined,
    latencyMs: row.latency_ms ?? undefined,
    approvedBy: row.approved_by ?? undefined,
    actionId: row.action_id ?? undefined,
  };
}
