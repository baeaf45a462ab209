import { type AuditLog, hashArguments, summarizeArguments } from '../audit/audit-log.ts';
import { type Db, threadOfRow, userOfRow } from '../db/database.ts';
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
  create(action: NewPendingAction): void;
  get(id: string): PendingAction | undefined;
  setMessageTs(id: string, ts: string): void;
  /** pending → executing, only if still pending and unexpired; false means someone (or something) got there first. */
  claim(id: string, by: string, now: number): boolean;
  /** executing → pending again (the conversation changed under the preview), with the new snapshot. */
  release(id: string, snapshot: ConversationSnapshot | null, now: number): void;
  /** Changes the arguments of a pending action (Edit), keeping the preview in step. */
  updateArguments(id: string, args: Record<string, unknown>, preview: ActionPreview): boolean;
  /** executing → done or failed. */
  finish(
    id: string,
    result: { status: 'done' | 'failed'; outcome: string; executionId?: string; latencyMs?: number },
    now: number,
  ): void;
  /** pending → cancelled. */
  cancel(id: string, by: string, now: number): boolean;
  /** pending → expired, when its time is up. */
  expire(id: string, now: number): boolean;
  /** executing → unknown for actions a crash cut off mid-send: whether Intercom got them cannot be known. */
  takeInterrupted(now: number): PendingAction[];
  /** pending → cancelled for every pending action of this user (they disconnected). */
  cancelAllFor(user: SlackUser, now: number): PendingAction[];
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

/**
 * Pending actions in SQLite. Every decision is written to the audit trail in the same transaction as the status
 * change it records, so the trail cannot disagree with what happened.
 */
export function createSqlitePendingActions(db: Db, audit: AuditLog): PendingActions {
  const insert = db.prepare(
    `INSERT INTO pending_actions (id, team_id, user_id, identifier, channel, thread_ts, tool_name, arguments, preview,
       snapshot, status, created_at, expires_at)
     VALUES (@id, @teamId, @userId, @identifier, @channel, @threadTs, @toolName, @arguments, @preview, @snapshot,
       'pending', @createdAt, @expiresAt)`,
  );
  const select = db.prepare<[string], Row>('SELECT * FROM pending_actions WHERE id = ?');
  const setTs = db.prepare('UPDATE pending_actions SET message_ts = ? WHERE id = ?');
  const claim = db.prepare(
    `UPDATE pending_actions SET status = 'executing', decided_by = ?, decided_at = ?
      WHERE id = ? AND status = 'pending' AND expires_at > ?`,
  );
  const release = db.prepare(
    `UPDATE pending_actions SET status = 'pending', snapshot = ?, decided_by = NULL, decided_at = NULL
      WHERE id = ? AND status = 'executing'`,
  );
  const updateArgs = db.prepare(
    `UPDATE pending_actions SET arguments = ?, preview = ? WHERE id = ? AND status = 'pending'`,
  );
  const finish = db.prepare(
    `UPDATE pending_actions SET status = ?, outcome = ?, execution_id = ? WHERE id = ? AND status = 'executing'`,
  );
  const cancel = db.prepare(
    `UPDATE pending_actions SET status = 'cancelled', decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'`,
  );
  const interrupted = db.prepare<[], Row>(
    `UPDATE pending_actions SET status = 'unknown' WHERE status = 'executing' RETURNING *`,
  );
  const cancelAll = db.prepare<[string, number, string, string], Row>(
    `UPDATE pending_actions SET status = 'cancelled', decided_by = ?, decided_at = ?
      WHERE team_id = ? AND user_id = ? AND status = 'pending' RETURNING *`,
  );
  const trail = (
    action: PendingAction,
    at: number,
    outcome: string,
    extra: { executionId?: string; latencyMs?: number; by?: string } = {},
  ) =>
    audit.record({
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
    });
  const read = (id: string) => {
    const row = select.get(id);
    return row ? fromRow(row) : undefined;
  };
  /** Runs a conditional status change and, only if it happened, its audit entry, in one transaction. */
  const transition = (change: () => boolean, id: string, record: (action: PendingAction) => void): boolean =>
    db.transaction(() => {
      if (!change()) return false;
      const action = read(id);
      if (action) record(action);
      return true;
    })();
  const expire = db.prepare(
    `UPDATE pending_actions SET status = 'expired' WHERE id = ? AND status = 'pending' AND expires_at <= ?`,
  );

  return {
    create(action) {
      db.transaction(() => {
        insert.run({
          ...action,
          arguments: JSON.stringify(action.arguments),
          preview: JSON.stringify(action.preview),
          snapshot: action.snapshot ? JSON.stringify(action.snapshot) : null,
        });
        const stored = read(action.id);
        if (stored) trail(stored, action.createdAt, 'proposed');
      })();
    },
    get: read,
    setMessageTs(id, ts) {
      setTs.run(ts, id);
    },
    claim: (id, by, now) => claim.run(by, now, id, now).changes === 1,
    release(id, snapshot, now) {
      transition(
        () => release.run(snapshot ? JSON.stringify(snapshot) : null, id).changes === 1,
        id,
        (a) => trail(a, now, 'held: the conversation changed'),
      );
    },
    updateArguments: (id, args, preview) =>
      updateArgs.run(JSON.stringify(args), JSON.stringify(preview), id).changes === 1,
    finish(id, result, now) {
      transition(
        () => finish.run(result.status, result.outcome, result.executionId ?? null, id).changes === 1,
        id,
        (a) =>
          trail(a, now, result.status === 'done' ? 'sent' : `failed: ${result.outcome}`.slice(0, 200), {
            executionId: result.executionId,
            latencyMs: result.latencyMs,
            by: a.decidedBy ?? undefined,
          }),
      );
    },
    cancel: (id, by, now) =>
      transition(
        () => cancel.run(by, now, id).changes === 1,
        id,
        (a) => trail(a, now, 'cancelled', { by }),
      ),
    expire: (id, now) =>
      transition(
        () => expire.run(id, now).changes === 1,
        id,
        (a) => trail(a, now, 'expired'),
      ),
    takeInterrupted: (now) =>
      db.transaction(() => {
        const actions = interrupted.all().map(fromRow);
        for (const a of actions) trail(a, now, 'unknown: interrupted while sending', { by: a.decidedBy ?? undefined });
        return actions;
      })(),
    cancelAllFor: (user, now) =>
      db.transaction(() => {
        const actions = cancelAll.all(`disconnect:${user.userId}`, now, user.teamId, user.userId).map(fromRow);
        for (const a of actions) trail(a, now, 'cancelled: disconnected', { by: user.userId });
        return actions;
      })(),
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
