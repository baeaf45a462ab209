import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import { camelCased, type Db } from '../db/database.ts';
import type { SlackUser } from '../shared/messages.ts';

export type WatchStatus = 'active' | 'paused' | 'ended';

/** What the watcher has been told about the conversation so far: a restart starts from here, not from scratch. */
export interface LastSeen {
  /** The newest conversation part seen (null: the conversation had none). */
  lastPartId: string | null;
  partsSeen: number;
  state: string;
  assignee: string | null;
}

export interface Watch extends SlackUser, LastSeen {
  id: string;
  conversationId: string;
  /** Where announcements go: the Slack thread the watch was started from. */
  channel: string;
  threadTs: string;
  /** Who the customer is, for lists (App Home, the 21st watch): their name or email, as Intercom had it. */
  customer?: string;
  createdAt: number;
  lastActivityAt: number;
  /** Moves with every change of last seen; a conditional update on it claims an announcement. */
  version: number;
  nextPollAt: number;
  /** The current poll interval: the base interval, doubled for every quiet poll up to a cap. */
  intervalMs: number;
  status: WatchStatus;
  endedAt?: number;
  endedReason?: string;
}

export type NewWatch = Omit<Watch, 'version' | 'status' | 'endedAt' | 'endedReason'>;

export type CreateOutcome =
  | { kind: 'created'; watch: Watch }
  /** Already watched (active or paused): the watch now announces in the new thread. */
  | { kind: 'exists'; watch: Watch }
  /** The teammate watches `max` conversations already. */
  | { kind: 'limit'; open: Watch[] };

export interface WatchStore {
  /**
   * Starts a watch unless this user already watches the conversation or has `max` open watches. Each change below
   * that takes `record` writes it to the audit trail in the same transaction, and only if the change happened.
   */
  create(watch: NewWatch, max: number, record?: AuditEntry): CreateOutcome;
  get(id: string): Watch | undefined;
  /** The user's active and paused watches, oldest first. */
  openFor(user: SlackUser): Watch[];
  countOpen(user: SlackUser): number;
  /** Active watches whose poll is due, the longest-waiting first. */
  due(now: number, limit: number): Watch[];
  /** The earliest next poll of any active watch. */
  nextDueAt(): number | undefined;
  /** When to poll next; `intervalMs` is the watch's interval from now on. */
  reschedule(id: string, nextPollAt: number, intervalMs: number): void;
  /**
   * Records what a poll saw, only if nothing was recorded since the poll's `version` and the watch is still
   * active: true for the single caller that may announce it. `end` closes the watch in the same update.
   */
  advance(
    id: string,
    version: number,
    seen: LastSeen,
    activityAt: number,
    options?: { end?: { reason: string; at: number }; record?: AuditEntry },
  ): boolean;
  /** Ends one open watch; undefined when it was not open. */
  end(id: string, reason: string, now: number, record?: AuditEntry): Watch | undefined;
  /** Ends every open watch of the user (they disconnected); returns them. */
  endAllFor(user: SlackUser, reason: string, now: number): Watch[];
  /** Pauses the user's active watches (their token was refused); returns how many this call paused. */
  pauseAllFor(user: SlackUser): number;
  /** Resumes the user's paused watches, due at once; returns how many. */
  resumeAllFor(user: SlackUser, now: number): number;
  /** Ends open watches without activity since `before`; returns them. */
  expire(before: number, now: number, recordFor?: (watch: Watch) => AuditEntry): Watch[];
  /** Forgets watches that ended before `before`. */
  prune(before: number): number;
}

/** The statements that run on every poller pass, so a test can check that each is answered from an index. */
export const WATCH_SQL = {
  due: `SELECT * FROM watches WHERE status = 'active' AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?`,
  nextDue: `SELECT MIN(next_poll_at) AS at FROM watches WHERE status = 'active'`,
  expire: `UPDATE watches SET status = 'ended', ended_at = ?, ended_reason = 'inactive'
     WHERE status IN ('active', 'paused') AND last_activity_at < ? RETURNING *`,
  prune: `DELETE FROM watches WHERE status = 'ended' AND ended_at < ?`,
} as const;

interface Row {
  id: string;
  team_id: string;
  user_id: string;
  conversation_id: string;
  channel: string;
  thread_ts: string;
  customer: string | null;
  created_at: number;
  last_activity_at: number;
  last_part_id: string | null;
  parts_seen: number;
  state: string;
  assignee: string | null;
  version: number;
  next_poll_at: number;
  interval_ms: number;
  status: WatchStatus;
  ended_at: number | null;
  ended_reason: string | null;
}

export function createSqliteWatchStore(db: Db, audit: Pick<AuditLog, 'record'>): WatchStore {
  const insert = db.prepare(
    `INSERT INTO watches (id, team_id, user_id, conversation_id, channel, thread_ts, customer, created_at,
       last_activity_at, last_part_id, parts_seen, state, assignee, next_poll_at, interval_ms, status)
     VALUES (@id, @teamId, @userId, @conversationId, @channel, @threadTs, @customer, @createdAt, @lastActivityAt,
       @lastPartId, @partsSeen, @state, @assignee, @nextPollAt, @intervalMs, 'active')`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM watches WHERE id = ?');
  const openFor = db.prepare<[string, string], Row>(
    `SELECT * FROM watches WHERE team_id = ? AND user_id = ? AND status IN ('active', 'paused') ORDER BY created_at, id`,
  );
  const countOpen = db.prepare<[string, string], { n: number }>(
    `SELECT COUNT(*) AS n FROM watches WHERE team_id = ? AND user_id = ? AND status IN ('active', 'paused')`,
  );
  const openOn = db.prepare<[string, string, string], Row>(
    `SELECT * FROM watches WHERE team_id = ? AND user_id = ? AND conversation_id = ? AND status IN ('active', 'paused')`,
  );
  const moveTo = db.prepare(
    'UPDATE watches SET channel = ?, thread_ts = ?, last_activity_at = MAX(last_activity_at, ?) WHERE id = ?',
  );
  const due = db.prepare<[number, number], Row>(WATCH_SQL.due);
  const nextDue = db.prepare<[], { at: number | null }>(WATCH_SQL.nextDue);
  const reschedule = db.prepare('UPDATE watches SET next_poll_at = ?, interval_ms = ? WHERE id = ?');
  const advance = db.prepare(
    `UPDATE watches SET last_part_id = @lastPartId, parts_seen = @partsSeen, state = @state, assignee = @assignee,
       last_activity_at = MAX(last_activity_at, @activityAt), version = version + 1,
       status = CASE WHEN @endReason IS NULL THEN status ELSE 'ended' END,
       ended_at = CASE WHEN @endReason IS NULL THEN ended_at ELSE @endAt END,
       ended_reason = COALESCE(@endReason, ended_reason)
     WHERE id = @id AND version = @version AND status = 'active'`,
  );
  const end = db.prepare<[number, string, string], Row>(
    `UPDATE watches SET status = 'ended', ended_at = ?, ended_reason = ?
     WHERE id = ? AND status IN ('active', 'paused') RETURNING *`,
  );
  const endAllFor = db.prepare<[number, string, string, string], Row>(
    `UPDATE watches SET status = 'ended', ended_at = ?, ended_reason = ?
     WHERE team_id = ? AND user_id = ? AND status IN ('active', 'paused') RETURNING *`,
  );
  const pauseAllFor = db.prepare(
    `UPDATE watches SET status = 'paused' WHERE team_id = ? AND user_id = ? AND status = 'active'`,
  );
  const resumeAllFor = db.prepare(
    `UPDATE watches SET status = 'active', next_poll_at = ? WHERE team_id = ? AND user_id = ? AND status = 'paused'`,
  );
  const expire = db.prepare<[number, number], Row>(WATCH_SQL.expire);
  const prune = db.prepare(WATCH_SQL.prune);

  const create = db.transaction((watch: NewWatch, max: number, record?: AuditEntry): CreateOutcome => {
    const existing = openOn.get(watch.teamId, watch.userId, watch.conversationId);
    if (existing) {
      moveTo.run(watch.channel, watch.threadTs, watch.createdAt, existing.id);
      return { kind: 'exists', watch: fromRow(byId.get(existing.id) as Row) };
    }
    if ((countOpen.get(watch.teamId, watch.userId)?.n ?? 0) >= max) {
      return { kind: 'limit', open: openFor.all(watch.teamId, watch.userId).map(fromRow) };
    }
    insert.run({ ...watch, customer: watch.customer ?? null });
    if (record) audit.record(record);
    return { kind: 'created', watch: fromRow(byId.get(watch.id) as Row) };
  });

  return {
    create,
    get: (id) => {
      const row = byId.get(id);
      return row && fromRow(row);
    },
    openFor: (user) => openFor.all(user.teamId, user.userId).map(fromRow),
    countOpen: (user) => countOpen.get(user.teamId, user.userId)?.n ?? 0,
    due: (now, limit) => due.all(now, limit).map(fromRow),
    nextDueAt: () => nextDue.get()?.at ?? undefined,
    reschedule(id, nextPollAt, intervalMs) {
      reschedule.run(nextPollAt, Math.round(intervalMs), id);
    },
    advance: db.transaction((id: string, version: number, seen: LastSeen, activityAt: number, options = {}) => {
      const { end: endAs, record } = options as { end?: { reason: string; at: number }; record?: AuditEntry };
      const result = advance.run({
        id,
        version,
        ...seen,
        activityAt,
        endReason: endAs?.reason ?? null,
        endAt: endAs?.at ?? null,
      });
      if (result.changes !== 1) return false;
      if (record) audit.record(record);
      return true;
    }),
    end: db.transaction((id: string, reason: string, now: number, record?: AuditEntry) => {
      const row = end.get(now, reason, id);
      if (row && record) audit.record(record);
      return row && fromRow(row);
    }),
    endAllFor: (user, reason, now) => endAllFor.all(now, reason, user.teamId, user.userId).map(fromRow),
    pauseAllFor: (user) => pauseAllFor.run(user.teamId, user.userId).changes,
    resumeAllFor: (user, now) => resumeAllFor.run(now, user.teamId, user.userId).changes,
    expire: db.transaction((before: number, now: number, recordFor?: (watch: Watch) => AuditEntry) => {
      const ended = expire.all(now, before).map(fromRow);
      if (recordFor) for (const watch of ended) audit.record(recordFor(watch));
      return ended;
    }),
    prune: (before) => prune.run(before).changes,
  };
}

function fromRow(row: Row): Watch {
  const watch = camelCased(row);
  return {
    ...watch,
    customer: watch.customer ?? undefined,
    endedAt: watch.endedAt ?? undefined,
    endedReason: watch.endedReason ?? undefined,
  };
}
