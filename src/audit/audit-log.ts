import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { SlackUser } from '../identity/identity-store.ts';

export type AuditKind = 'tool_call' | 'approval' | 'connection';

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

export interface AuditLog {
  /** Appends one entry; call it inside the transaction of the change it records. */
  record(entry: AuditEntry): void;
  /** Entries, oldest first, optionally for one user and/or from a time on. */
  query(filter: { since?: number; until?: number; userId?: string; teamId?: string; limit?: number }): AuditRecord[];
  /** The newest entries of one user. */
  recent(user: SlackUser, limit: number): AuditRecord[];
  /** When the user last connected, if they are connected according to the trail. */
  lastConnected(user: SlackUser): number | undefined;
}

interface Row {
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
  const query = db.prepare<
    [{ since: number; until: number; userId: string | null; teamId: string | null; limit: number }],
    Row
  >(
    `SELECT * FROM audit_log
      WHERE at >= @since AND at < @until AND (@userId IS NULL OR user_id = @userId)
        AND (@teamId IS NULL OR team_id = @teamId)
      ORDER BY at, id LIMIT @limit`,
  );
  const recent = db.prepare<[string, string, number], Row>(
    'SELECT * FROM audit_log WHERE team_id = ? AND user_id = ? ORDER BY at DESC, id DESC LIMIT ?',
  );
  const lastConnection = db.prepare<[string, string], { at: number; outcome: string }>(
    `SELECT at, outcome FROM audit_log WHERE team_id = ? AND user_id = ? AND kind = 'connection'
      ORDER BY at DESC, id DESC LIMIT 1`,
  );

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
    query: ({ since = 0, until = Number.MAX_SAFE_INTEGER, userId, teamId, limit = 1_000_000 }) =>
      query.all({ since, until, userId: userId ?? null, teamId: teamId ?? null, limit }).map(fromRow),
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

function fromRow(row: Row): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    kind: row.kind,
    teamId: row.team_id,
    userId: row.user_id,
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
