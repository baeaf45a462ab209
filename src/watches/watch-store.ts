import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import { type Fence, fenced, UNFENCED } from '../db/fence.ts';
import { camelCased } from '../db/rows.ts';
import type { Sql } from '../db/sql.ts';
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
  create(watch: NewWatch, max: number, record?: AuditEntry): Promise<CreateOutcome>;
  get(id: string): Promise<Watch | undefined>;
  /** The user's active and paused watches, oldest first. */
  openFor(user: SlackUser): Promise<Watch[]>;
  countOpen(user: SlackUser): Promise<number>;
  /** Active watches whose poll is due, the longest-waiting first. */
  due(now: number, limit: number): Promise<Watch[]>;
  /** The earliest next poll of any active watch. */
  nextDueAt(): Promise<number | undefined>;
  /** When to poll next; `intervalMs` is the watch's interval from now on. Nothing is written unless `fence` holds. */
  reschedule(id: string, nextPollAt: number, intervalMs: number, fence?: Fence): Promise<void>;
  /**
   * Records what a poll saw, only if nothing was recorded since the poll's `version` and the watch is still
   * active and `fence` holds: true for the single caller that may announce it. `end` closes the watch in the same
   * update.
   */
  advance(
    id: string,
    version: number,
    seen: LastSeen,
    activityAt: number,
    options?: { end?: { reason: string; at: number }; record?: AuditEntry; fence?: Fence },
  ): Promise<boolean>;
  /** Ends one open watch; undefined when it was not open. */
  end(id: string, reason: string, now: number, record?: AuditEntry, fence?: Fence): Promise<Watch | undefined>;
  /** Ends every open watch of the user (they disconnected); returns them. */
  endAllFor(user: SlackUser, reason: string, now: number): Promise<Watch[]>;
  /** Ends every open watch in a workspace (the bot lost it); returns how many. */
  endAllForTeam(teamId: string, reason: string, now: number): Promise<number>;
  /** Pauses the user's active watches (their token was refused); returns how many this call paused. */
  pauseAllFor(user: SlackUser, fence?: Fence): Promise<number>;
  /** Resumes the user's paused watches, due at once; returns how many. */
  resumeAllFor(user: SlackUser, now: number): Promise<number>;
  /** Ends open watches without activity since `before`; returns them. */
  expire(
    before: number,
    now: number,
    recordFor?: (watch: Watch, identifier: string) => AuditEntry,
    fence?: Fence,
  ): Promise<Watch[]>;
  /** Forgets watches that ended before `before`. */
  prune(before: number): Promise<number>;
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

const SQL = {
  insert: `INSERT INTO watches (id, team_id, user_id, conversation_id, channel, thread_ts, customer, created_at,
       last_activity_at, last_part_id, parts_seen, state, assignee, next_poll_at, interval_ms, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')`,
  byId: 'SELECT * FROM watches WHERE id = ?',
  openFor: `SELECT * FROM watches WHERE team_id = ? AND user_id = ? AND status IN ('active', 'paused')
      ORDER BY created_at, id`,
  countOpen: `SELECT COUNT(*) AS n FROM watches WHERE team_id = ? AND user_id = ? AND status IN ('active', 'paused')`,
  openOn: `SELECT * FROM watches WHERE team_id = ? AND user_id = ? AND conversation_id = ?
      AND status IN ('active', 'paused')`,
  moveTo: {
    sqlite: 'UPDATE watches SET channel = ?, thread_ts = ?, last_activity_at = MAX(last_activity_at, ?) WHERE id = ?',
    postgres:
      'UPDATE watches SET channel = ?, thread_ts = ?, last_activity_at = GREATEST(last_activity_at, ?) WHERE id = ?',
  },
  identifierOf: 'SELECT identifier FROM identities WHERE team_id = ? AND user_id = ?',
  reschedule: 'UPDATE watches SET next_poll_at = ?, interval_ms = ? WHERE id = ?',
  // The end reason and time come twice: SQLite's positional parameters cannot be named twice in both dialects.
  advance: {
    sqlite: `UPDATE watches SET last_part_id = ?, parts_seen = ?, state = ?, assignee = ?,
       last_activity_at = MAX(last_activity_at, ?), version = version + 1,
       status = CASE WHEN ? IS NULL THEN status ELSE 'ended' END,
       ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END,
       ended_reason = COALESCE(?, ended_reason)
     WHERE id = ? AND version = ? AND status = 'active'`,
    postgres: `UPDATE watches SET last_part_id = ?, parts_seen = ?, state = ?, assignee = ?,
       last_activity_at = GREATEST(last_activity_at, ?), version = version + 1,
       status = CASE WHEN ?::text IS NULL THEN status ELSE 'ended' END,
       ended_at = CASE WHEN ?::text IS NULL THEN ended_at ELSE ?::bigint END,
       ended_reason = COALESCE(?::text, ended_reason)
     WHERE id = ? AND version = ? AND status = 'active'`,
  },
  end: `UPDATE watches SET status = 'ended', ended_at = ?, ended_reason = ?
     WHERE id = ? AND status IN ('active', 'paused') RETURNING *`,
  endAllFor: `UPDATE watches SET status = 'ended', ended_at = ?, ended_reason = ?
     WHERE team_id = ? AND user_id = ? AND status IN ('active', 'paused') RETURNING *`,
  endAllForTeam: `UPDATE watches SET status = 'ended', ended_at = ?, ended_reason = ?
     WHERE team_id = ? AND status IN ('active', 'paused')`,
  pauseAllFor: `UPDATE watches SET status = 'paused' WHERE team_id = ? AND user_id = ? AND status = 'active'`,
  resumeAllFor: `UPDATE watches SET status = 'active', next_poll_at = ?
      WHERE team_id = ? AND user_id = ? AND status = 'paused'`,
} as const;

export function createWatchStore(sql: Sql, audit: Pick<AuditLog, 'record'>): WatchStore {
  const byId = async (within: Sql, id: string) => {
    const row = await within.get<Row>(SQL.byId, [id]);
    return row && fromRow(row);
  };
  const openFor = async (within: Sql, user: SlackUser) =>
    (await within.query<Row>(SQL.openFor, [user.teamId, user.userId])).map(fromRow);
  const countOpen = async (within: Sql, user: SlackUser) =>
    Number((await within.get<{ n: number }>(SQL.countOpen, [user.teamId, user.userId]))?.n ?? 0);

  return {
    create: (watch, max, record) =>
      sql.tx(async (within): Promise<CreateOutcome> => {
        const existing = await within.get<Row>(SQL.openOn, [watch.teamId, watch.userId, watch.conversationId]);
        if (existing) {
          await within.run(SQL.moveTo, [watch.channel, watch.threadTs, watch.createdAt, existing.id]);
          return { kind: 'exists', watch: (await byId(within, existing.id)) as Watch };
        }
        if ((await countOpen(within, watch)) >= max) return { kind: 'limit', open: await openFor(within, watch) };
        await within.run(SQL.insert, [
          watch.id,
          watch.teamId,
          watch.userId,
          watch.conversationId,
          watch.channel,
          watch.threadTs,
          watch.customer ?? null,
          watch.createdAt,
          watch.lastActivityAt,
          watch.lastPartId,
          watch.partsSeen,
          watch.state,
          watch.assignee,
          watch.nextPollAt,
          watch.intervalMs,
        ]);
        if (record) await audit.record(record, within);
        return { kind: 'created', watch: (await byId(within, watch.id)) as Watch };
      }),
    get: (id) => byId(sql, id),
    openFor: (user) => openFor(sql, user),
    countOpen: (user) => countOpen(sql, user),
    due: async (now, limit) => (await sql.query<Row>(WATCH_SQL.due, [now, limit])).map(fromRow),
    nextDueAt: async () => (await sql.get<{ at: number | null }>(WATCH_SQL.nextDue))?.at ?? undefined,
    async reschedule(id, nextPollAt, intervalMs, fence = UNFENCED) {
      await fenced(sql, fence, 0, (within) => within.run(SQL.reschedule, [nextPollAt, Math.round(intervalMs), id]));
    },
    advance: (id, version, seen, activityAt, options = {}) =>
      fenced(sql, options.fence ?? UNFENCED, false, async (within) => {
        const reason = options.end?.reason ?? null;
        const changed = await within.run(SQL.advance, [
          seen.lastPartId,
          seen.partsSeen,
          seen.state,
          seen.assignee,
          activityAt,
          reason,
          reason,
          options.end?.at ?? null,
          reason,
          id,
          version,
        ]);
        if (changed !== 1) return false;
        if (options.record) await audit.record(options.record, within);
        return true;
      }),
    end: (id, reason, now, record, fence = UNFENCED) =>
      fenced(sql, fence, undefined, async (within) => {
        const row = await within.get<Row>(SQL.end, [now, reason, id]);
        if (row && record) await audit.record(record, within);
        return row && fromRow(row);
      }),
    endAllFor: async (user, reason, now) =>
      (await sql.query<Row>(SQL.endAllFor, [now, reason, user.teamId, user.userId])).map(fromRow),
    endAllForTeam: (teamId, reason, now) => sql.run(SQL.endAllForTeam, [now, reason, teamId]),
    pauseAllFor: (user, fence = UNFENCED) =>
      fenced(sql, fence, 0, (within) => within.run(SQL.pauseAllFor, [user.teamId, user.userId])),
    resumeAllFor: (user, now) => sql.run(SQL.resumeAllFor, [now, user.teamId, user.userId]),
    expire: (before, now, recordFor, fence = UNFENCED) =>
      fenced(sql, fence, [], async (within) => {
        const ended = (await within.query<Row>(WATCH_SQL.expire, [now, before])).map(fromRow);
        if (!recordFor) return ended;
        for (const watch of ended) {
          const owner = await within.get<{ identifier: string }>(SQL.identifierOf, [watch.teamId, watch.userId]);
          await audit.record(recordFor(watch, owner?.identifier ?? ''), within);
        }
        return ended;
      }),
    prune: (before) => sql.run(WATCH_SQL.prune, [before]),
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
