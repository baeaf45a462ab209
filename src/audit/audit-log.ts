import { createHash } from 'node:crypto';
import { userOfRow } from '../db/rows.ts';
import type { Sql, SqlValue, Statement } from '../db/sql.ts';
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
  /**
   * Appends one entry. Pass the transaction of the change it records (`within`), so the trail cannot disagree
   * with what happened.
   */
  record(entry: AuditEntry, within?: Sql): Promise<void>;
  /** Entries, oldest first, one batch at a time: the whole trail never sits in memory. */
  iterate(filter: AuditFilter): AsyncIterable<AuditRecord>;
  /** The same, as the table's own rows (the export writes these columns as they are). */
  iterateRows(filter: AuditFilter): AsyncIterable<AuditRow>;
  /** Entries, oldest first, as an array: for small filters only (the export uses iterate). */
  query(filter: AuditFilter): Promise<AuditRecord[]>;
  /** The user's figures from a time on. */
  activity(user: SlackUser, since: number): Promise<AuditActivity>;
  /** The newest entries of one user. */
  recent(user: SlackUser, limit: number): Promise<AuditRecord[]>;
  /** When the user last connected, if they are connected according to the trail. */
  lastConnected(user: SlackUser): Promise<number | undefined>;
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
 * The SELECT for one filter shape: only the conditions that are set, so the planner can pick an index for each
 * shape (`? IS NULL OR …` hides the user's index from it). No LIMIT: callers stream.
 */
export function auditSelect(filter: AuditFilter): { sql: Statement; params: SqlValue[] } {
  // SQLite's: the unary plus keeps its planner on the time index. The user index would find the team's rows too,
  // but then sort them all before the first row comes out. PostgreSQL's planner needs no such hint.
  const where: Array<{ sqlite: string; postgres: string }> = [];
  const params: SqlValue[] = [];
  const both = (text: string) => ({ sqlite: text, postgres: text });
  if (filter.teamId !== undefined && filter.userId !== undefined) {
    where.push(both('team_id = ? AND user_id = ?'));
    params.push(filter.teamId, filter.userId);
  } else if (filter.teamId !== undefined) {
    where.push({ sqlite: '+team_id = ?', postgres: 'team_id = ?' });
    params.push(filter.teamId);
  } else if (filter.userId !== undefined) {
    where.push({ sqlite: '+user_id = ?', postgres: 'user_id = ?' });
    params.push(filter.userId);
  }
  if (filter.since !== undefined) {
    where.push(both('at >= ?'));
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push(both('at < ?'));
    params.push(filter.until);
  }
  const text = (dialect: 'sqlite' | 'postgres') =>
    `SELECT * FROM audit_log${where.length > 0 ? ` WHERE ${where.map((w) => w[dialect]).join(' AND ')}` : ''} ORDER BY at, id`;
  return { sql: { sqlite: text('sqlite'), postgres: text('postgres') }, params };
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

const INSERT = `INSERT INTO audit_log (at, kind, team_id, user_id, channel, thread_ts, identifier, tool_name, args_hash,
    summary, outcome, execution_id, latency_ms, approved_by, action_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function createAuditLog(sql: Sql): AuditLog {
  const iterateRows = (filter: AuditFilter): AsyncIterable<AuditRow> => {
    const select = auditSelect(filter);
    return sql.stream<AuditRow>(select.sql, select.params);
  };
  async function* iterate(filter: AuditFilter): AsyncGenerator<AuditRecord> {
    for await (const row of iterateRows(filter)) yield fromRow(row);
  }

  return {
    async record(entry, within = sql) {
      await within.run(INSERT, [
        entry.at,
        entry.kind,
        entry.teamId,
        entry.userId,
        entry.channel ?? null,
        entry.threadTs ?? null,
        entry.identifier,
        entry.toolName,
        entry.argsHash ?? null,
        entry.summary,
        entry.outcome,
        entry.executionId ?? null,
        entry.latencyMs === undefined ? null : Math.round(entry.latencyMs),
        entry.approvedBy ?? null,
        entry.actionId ?? null,
      ]);
    },
    iterate,
    iterateRows,
    async query(filter) {
      const select = auditSelect(filter);
      return (await sql.query<AuditRow>(select.sql, select.params)).map(fromRow);
    },
    async activity(user, since) {
      const row = await sql.get<{ tool_calls: number; approved: number; last_used: number | null }>(
        AUDIT_SQL.activity,
        [user.teamId, user.userId, since],
      );
      return {
        toolCalls: Number(row?.tool_calls ?? 0),
        approved: Number(row?.approved ?? 0),
        lastUsed: row?.last_used ?? undefined,
      };
    },
    recent: async (user, limit) =>
      (await sql.query<AuditRow>(AUDIT_SQL.recent, [user.teamId, user.userId, limit])).map(fromRow),
    async lastConnected(user) {
      const row = await sql.get<{ at: number; outcome: string }>(AUDIT_SQL.lastConnection, [user.teamId, user.userId]);
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
