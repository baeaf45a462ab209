import type { Db } from '../db/database.ts';
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
  release(id: string, snapshot: ConversationSnapshot | null): void;
  /** Changes the arguments of a pending action (Edit), keeping the preview in step. */
  updateArguments(id: string, args: Record<string, unknown>, preview: ActionPreview): boolean;
  /** executing → done or failed. */
  finish(id: string, result: { status: 'done' | 'failed'; outcome: string; executionId?: string }): void;
  /** pending → cancelled. */
  cancel(id: string, by: string, now: number): boolean;
  /** pending → expired, when its time is up. */
  expire(id: string, now: number): boolean;
  /** executing → unknown for actions a crash cut off mid-send: whether Intercom got them cannot be known. */
  takeInterrupted(): PendingAction[];
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

export function createSqlitePendingActions(db: Db): PendingActions {
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
  const expire = db.prepare(
    `UPDATE pending_actions SET status = 'expired' WHERE id = ? AND status = 'pending' AND expires_at <= ?`,
  );

  return {
    create(action) {
      insert.run({
        ...action,
        arguments: JSON.stringify(action.arguments),
        preview: JSON.stringify(action.preview),
        snapshot: action.snapshot ? JSON.stringify(action.snapshot) : null,
      });
    },
    get(id) {
      const row = select.get(id);
      return row ? fromRow(row) : undefined;
    },
    setMessageTs(id, ts) {
      setTs.run(ts, id);
    },
    claim: (id, by, now) => claim.run(by, now, id, now).changes === 1,
    release(id, snapshot) {
      release.run(snapshot ? JSON.stringify(snapshot) : null, id);
    },
    updateArguments: (id, args, preview) =>
      updateArgs.run(JSON.stringify(args), JSON.stringify(preview), id).changes === 1,
    finish(id, result) {
      finish.run(result.status, result.outcome, result.executionId ?? null, id);
    },
    cancel: (id, by, now) => cancel.run(by, now, id).changes === 1,
    expire: (id, now) => expire.run(id, now).changes === 1,
    takeInterrupted: () => interrupted.all().map(fromRow),
  };
}

function fromRow(row: Row): PendingAction {
  return {
    id: row.id,
    teamId: row.team_id,
    userId: row.user_id,
    identifier: row.identifier,
    channel: row.channel,
    threadTs: row.thread_ts,
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
