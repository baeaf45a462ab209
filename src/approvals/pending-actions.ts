import { type AuditLog, hashArguments, summarizeArguments } from '../audit/audit-log.ts';
import { threadOfRow, userOfRow } from '../db/rows.ts';
import type { Sql } from '../db/sql.ts';
import type { SlackUser } from '../identity/identity-store.ts';

export type ActionStatus = 'pending' | 'executing' | 'done' | 'failed' | 'cancelled' | 'expired' | 'unknown';

/** What the preview shows a person: enough to decide without opening Intercom. */
export interface ActionPreview {
  /** "Reply to Jane Doe", "Add tag …" */
  summary: string;
  /** Label/value pairs: To, Conversation, As, … */
  facts: Array<[string, string]>;
  /** The exact text the customer (or teammates, for a note) will see, when there is one. */
  text?: string;
  /** Whether the customer sees it. */
  customerVisible: boolean;
  /** The argument that holds `text`, so Edit knows what to change. */
  textField?: string;
}

/** What a reply's collision guard compares: anything new in the conversation means "ask again". */
export interface ConversationSnapshot {
  parts: number;
  state: string;
  assignee: string | null;
}

export interface PendingAction extends SlackUser {
  id: string;
  identifier: string;
  channel: string;
  threadTs: string;
  messageTs: string | null;
  toolName: string;
  arguments: Record<string, unknown>;
  preview: ActionPreview;
  snapshot: ConversationSnapshot | null;
  status: ActionStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  outcome: string | null;
  executionId: string | null;
}

export type NewPendingAction = Omit<
  PendingAction,
  'status' | 'messageTs' | 'decidedAt' | 'decidedBy' | 'outcome' | 'executionId'
>;

export interface PendingActions {
  create(action: NewPendingAction): Promise<void>;
  get(id: string): Promise<PendingAction | undefined>;
  setMessageTs(id: string, ts: string): Promise<void>;
  /** pending → executing, only if still pending and unexpired; false means someone (or something) got there first. */
  claim(id: string, by: string, now: number): Promise<boolean>;
  /** executing → pending again (the conversation changed under the preview), with the new snapshot. */
  release(id: string, snapshot: ConversationSnapshot | null, now: number): Promise<void>;
  /** Changes the arguments of a pending action (Edit), keeping the preview in step. */
  updateArguments(id: string, args: Record<string, unknown>, preview: ActionPreview): Promise<boolean>;
  /** executing → done or failed. */
  finish(
    id: string,
    result: { status: 'done' | 'failed'; outcome: string; executionId?: string; latencyMs?: number },
    now: number,
  ): Promise<void>;
  /** pending → cancelled. */
  cancel(id: string, by: string, now: number): Promise<boolean>;
  /** pending → expired, when its time is up. */
  expire(id: string, now: number): Promise<boolean>;
  /** executing → unknown for actions a crash cut off mid-send: whether Intercom got them cannot be known. */
  takeInterrupted(now: number): Promise<PendingAction[]>;
  /** pending → cancelled for every pending action of this user (they disconnected). */
  cancelAllFor(user: SlackUser, now: number): Promise<PendingAction[]>;
}

interface Row {
  id: string;
  team_id: string;
  user_id: string;
  identifier: string;
  channel: string;
  thread_ts: string;
  message_ts: string | null;
  tool_name: string;
  arguments: string;
  preview: string;
  snapshot: string | null;
  status: ActionStatus;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  outcome: string | null;
  execution_id: string | null;
}

const SQL = {
  insert: `INSERT INTO pending_actions (id, team_id, user_id, identifier, channel, thread_ts, tool_name, arguments,
       preview, snapshot, status, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
  select: 'SELECT * FROM pending_actions WHERE id = ?',
  setTs: 'UPDATE pending_actions SET message_ts = ? WHERE id = ?',
  claim: `UPDATE pending_actions SET status = 'executing', decided_by = ?, decided_at = ?
      WHERE id = ? AND status = 'pending' AND expires_at > ?`,
  release: `UPDATE pending_actions SET status = 'pending', snapshot = ?, decided_by = NULL, decided_at = NULL
      WHERE id = ? AND status = 'executing'`,
  updateArgs: `UPDATE pending_actions SET arguments = ?, preview = ? WHERE id = ? AND status = 'pending'`,
  finish: `UPDATE pending_actions SET status = ?, outcome = ?, execution_id = ? WHERE id = ? AND status = 'executing'`,
  cancel: `UPDATE pending_actions SET status = 'cancelled', decided_by = ?, decided_at = ?
      WHERE id = ? AND status = 'pending'`,
  expire: `UPDATE pending_actions SET status = 'expired' WHERE id = ? AND status = 'pending' AND expires_at <= ?`,
  interrupted: `UPDATE pending_actions SET status = 'unknown' WHERE status = 'executing' RETURNING *`,
  cancelAll: `UPDATE pending_actions SET status = 'cancelled', decided_by = ?, decided_at = ?
      WHERE team_id = ? AND user_id = ? AND status = 'pending' RETURNING *`,
} as const;

/**
 * Pending actions. Every decision is written to the audit trail in the same transaction as the status change it
 * records, so the trail cannot disagree with what happened.
 */
export function createPendingActions(sql: Sql, audit: Pick<AuditLog, 'record'>): PendingActions {
  const trail = (
    within: Sql,
    action: PendingAction,
    at: number,
    outcome: string,
    extra: { executionId?: string; latencyMs?: number; by?: string } = {},
  ) =>
    audit.record(
      {
        at,
        kind: 'approval',
        teamId: action.teamId,
        userId: action.userId,
        channel: action.channel,
        threadTs: action.threadTs,
        identifier: action.identifier,
        toolName: action.toolName,
        argsHash: hashArguments(action.arguments),
        summary: summarizeArguments(action.arguments),
        outcome,
        executionId: extra.executionId,
        latencyMs: extra.latencyMs,
        approvedBy: extra.by,
        actionId: action.id,
      },
      within,
    );
  const read = async (within: Sql, id: string) => {
    const row = await within.get<Row>(SQL.select, [id]);
    return row ? fromRow(row) : undefined;
  };
  /** Runs a conditional status change and, only if it happened, its audit entry, in one transaction. */
  const transition = (
    change: (within: Sql) => Promise<number>,
    id: string,
    record: (within: Sql, action: PendingAction) => Promise<void>,
  ): Promise<boolean> =>
    sql.tx(async (within) => {
      if ((await change(within)) !== 1) return false;
      const action = await read(within, id);
      if (action) await record(within, action);
      return true;
    });

  return {
    async create(action) {
      await sql.tx(async (within) => {
        await within.run(SQL.insert, [
          action.id,
          action.teamId,
          action.userId,
          action.identifier,
          action.channel,
          action.threadTs,
          action.toolName,
          JSON.stringify(action.arguments),
          JSON.stringify(action.preview),
          action.snapshot ? JSON.stringify(action.snapshot) : null,
          action.createdAt,
          action.expiresAt,
        ]);
        const stored = await read(within, action.id);
        if (stored) await trail(within, stored, action.createdAt, 'proposed');
      });
    },
    get: (id) => read(sql, id),
    async setMessageTs(id, ts) {
      await sql.run(SQL.setTs, [ts, id]);
    },
    claim: async (id, by, now) => (await sql.run(SQL.claim, [by, now, id, now])) === 1,
    async release(id, snapshot, now) {
      await transition(
        (within) => within.run(SQL.release, [snapshot ? JSON.stringify(snapshot) : null, id]),
        id,
        (within, a) => trail(within, a, now, 'held: the conversation changed'),
      );
    },
    updateArguments: async (id, args, preview) =>
      (await sql.run(SQL.updateArgs, [JSON.stringify(args), JSON.stringify(preview), id])) === 1,
    async finish(id, result, now) {
      await transition(
        (within) => within.run(SQL.finish, [result.status, result.outcome, result.executionId ?? null, id]),
        id,
        (within, a) =>
          trail(within, a, now, result.status === 'done' ? 'sent' : `failed: ${result.outcome}`.slice(0, 200), {
            executionId: result.executionId,
            latencyMs: result.latencyMs,
            by: a.decidedBy ?? undefined,
          }),
      );
    },
    cancel: (id, by, now) =>
      transition(
        (within) => within.run(SQL.cancel, [by, now, id]),
        id,
        (within, a) => trail(within, a, now, 'cancelled', { by }),
      ),
    expire: (id, now) =>
      transition(
        (within) => within.run(SQL.expire, [id, now]),
        id,
        (within, a) => trail(within, a, now, 'expired'),
      ),
    takeInterrupted: (now) =>
      sql.tx(async (within) => {
        const actions = (await within.query<Row>(SQL.interrupted)).map(fromRow);
        for (const a of actions) {
          await trail(within, a, now, 'unknown: interrupted while sending', { by: a.decidedBy ?? undefined });
        }
        return actions;
      }),
    cancelAllFor: (user, now) =>
      sql.tx(async (within) => {
        const rows = await within.query<Row>(SQL.cancelAll, [
          `disconnect:${user.userId}`,
          now,
          user.teamId,
          user.userId,
        ]);
        const actions = rows.map(fromRow);
        for (const a of actions) await trail(within, a, now, 'cancelled: disconnected', { by: user.userId });
        return actions;
      }),
  };
}

function fromRow(row: Row): PendingAction {
  return {
    id: row.id,
    ...userOfRow(row),
    identifier: row.identifier,
    ...threadOfRow(row),
    messageTs: row.message_ts,
    toolName: row.tool_name,
    arguments: JSON.parse(row.arguments) as Record<string, unknown>,
    preview: JSON.parse(row.preview) as ActionPreview,
    snapshot: row.snapshot ? (JSON.parse(row.snapshot) as ConversationSnapshot) : null,
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    outcome: row.outcome,
    executionId: row.execution_id,
  };
}
