import { type Fence, fenced, UNFENCED } from '../db/fence.ts';
import { camelCased } from '../db/rows.ts';
import type { Sql } from '../db/sql.ts';
import type { SlackUser } from '../shared/messages.ts';

/** A teammate with My queue on. */
export interface QueueFollower extends SlackUser {
  id: string;
  status: 'active' | 'paused';
  /** Customer replies after this (ms) are news: nothing from before they turned it on. */
  since: number;
  /** Where the last search left off (ms); null until the first poll has seen the queue as it is. */
  cursor: number | null;
  nextPollAt: number;
  intervalMs: number;
}

/** What a conversation looked like at the last poll. */
export interface QueuedConversation {
  conversationId: string;
  updatedAt: number;
  waitingSince: number | null;
}

export interface QueueStore {
  /** Turns My queue on (again, from now); false when it was on already. */
  turnOn(user: SlackUser, follower: Omit<QueueFollower, 'teamId' | 'userId' | 'status' | 'cursor'>): Promise<boolean>;
  /** Turns it off and forgets what it saw; true when it was on. */
  turnOff(user: SlackUser): Promise<boolean>;
  /** Turns it off for everyone in a workspace; returns how many. */
  turnOffTeam(teamId: string): Promise<number>;
  followerOf(user: SlackUser): Promise<QueueFollower | undefined>;
  /** Active followers whose poll is due, the longest-waiting first. */
  due(now: number, limit: number): Promise<QueueFollower[]>;
  nextDueAt(): Promise<number | undefined>;
  /** Nothing is written unless `fence` holds (so too for `advance`, `remember`, `forget` and `claim`). */
  reschedule(id: string, nextPollAt: number, intervalMs: number, fence?: Fence): Promise<void>;
  /** Resolves whether this call paused it (only if `fence` holds). */
  pause(user: SlackUser, fence?: Fence): Promise<boolean>;
  /** Resumes a paused queue, due at once. */
  resume(user: SlackUser, now: number): Promise<void>;
  /** Where the next search starts. */
  advance(id: string, cursor: number, fence?: Fence): Promise<void>;
  conversation(user: SlackUser, conversationId: string): Promise<QueuedConversation | undefined>;
  /** Conversations that have waited since before `before`, the longest first. */
  waitingSince(user: SlackUser, before: number): Promise<QueuedConversation[]>;
  remember(user: SlackUser, conversation: QueuedConversation, fence?: Fence): Promise<void>;
  forget(user: SlackUser, conversationId: string, fence?: Fence): Promise<void>;
  /** Claims a notice (a reply's part id, a reminder's key) before it is sent: true for the one caller that sends. */
  claim(user: SlackUser, noticeId: string, conversationId: string, at: number, fence?: Fence): Promise<boolean>;
  /** Forgets notices sent before `before`. */
  prune(before: number): Promise<number>;
}

interface FollowerRow {
  id: string;
  team_id: string;
  user_id: string;
  status: 'active' | 'paused';
  since: number;
  cursor: number | null;
  next_poll_at: number;
  interval_ms: number;
}

interface ConversationRow {
  conversation_id: string;
  updated_at: number;
  waiting_since: number | null;
}

const SQL = {
  insert: `INSERT INTO queue_followers (id, team_id, user_id, status, since, cursor, next_poll_at, interval_ms)
     VALUES (?, ?, ?, 'active', ?, NULL, ?, ?)
     ON CONFLICT (team_id, user_id) DO NOTHING`,
  byUser: 'SELECT * FROM queue_followers WHERE team_id = ? AND user_id = ?',
  removeFollower: 'DELETE FROM queue_followers WHERE team_id = ? AND user_id = ?',
  removeConversations: 'DELETE FROM queue_conversations WHERE team_id = ? AND user_id = ?',
  removeTeam: 'DELETE FROM queue_followers WHERE team_id = ?',
  removeTeamConversations: 'DELETE FROM queue_conversations WHERE team_id = ?',
  due: `SELECT * FROM queue_followers WHERE status = 'active' AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?`,
  nextDue: `SELECT MIN(next_poll_at) AS at FROM queue_followers WHERE status = 'active'`,
  reschedule: 'UPDATE queue_followers SET next_poll_at = ?, interval_ms = ? WHERE id = ?',
  pause: `UPDATE queue_followers SET status = 'paused' WHERE team_id = ? AND user_id = ? AND status = 'active'`,
  resume: `UPDATE queue_followers SET status = 'active', next_poll_at = ?
     WHERE team_id = ? AND user_id = ? AND status = 'paused'`,
  advance: 'UPDATE queue_followers SET cursor = ? WHERE id = ?',
  conversation: 'SELECT * FROM queue_conversations WHERE team_id = ? AND user_id = ? AND conversation_id = ?',
  waiting: `SELECT * FROM queue_conversations WHERE team_id = ? AND user_id = ? AND waiting_since < ?
     ORDER BY waiting_since`,
  remember: `INSERT INTO queue_conversations (team_id, user_id, conversation_id, updated_at, waiting_since)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (team_id, user_id, conversation_id) DO UPDATE SET updated_at = excluded.updated_at,
       waiting_since = excluded.waiting_since`,
  forget: 'DELETE FROM queue_conversations WHERE team_id = ? AND user_id = ? AND conversation_id = ?',
  claim: `INSERT INTO queue_notices (team_id, user_id, notice_id, conversation_id, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (team_id, user_id, notice_id) DO NOTHING`,
  prune: 'DELETE FROM queue_notices WHERE at < ?',
} as const;

const follower = (row: FollowerRow): QueueFollower => camelCased(row);
const queued = (row: ConversationRow): QueuedConversation => camelCased(row);

export function createQueueStore(sql: Sql): QueueStore {
  return {
    turnOn: async (user, f) =>
      (await sql.run(SQL.insert, [f.id, user.teamId, user.userId, f.since, f.nextPollAt, f.intervalMs])) === 1,
    turnOff: (user) =>
      sql.tx(async (within) => {
        await within.run(SQL.removeConversations, [user.teamId, user.userId]);
        return (await within.run(SQL.removeFollower, [user.teamId, user.userId])) === 1;
      }),
    turnOffTeam: (teamId) =>
      sql.tx(async (within) => {
        await within.run(SQL.removeTeamConversations, [teamId]);
        return within.run(SQL.removeTeam, [teamId]);
      }),
    followerOf: async (user) => {
      const row = await sql.get<FollowerRow>(SQL.byUser, [user.teamId, user.userId]);
      return row && follower(row);
    },
    due: async (now, limit) => (await sql.query<FollowerRow>(SQL.due, [now, limit])).map(follower),
    nextDueAt: async () => (await sql.get<{ at: number | null }>(SQL.nextDue))?.at ?? undefined,
    async reschedule(id, nextPollAt, intervalMs, fence = UNFENCED) {
      await fenced(sql, fence, 0, (within) => within.run(SQL.reschedule, [nextPollAt, Math.round(intervalMs), id]));
    },
    pause: async (user, fence = UNFENCED) =>
      (await fenced(sql, fence, 0, (within) => within.run(SQL.pause, [user.teamId, user.userId]))) === 1,
    async resume(user, now) {
      await sql.run(SQL.resume, [now, user.teamId, user.userId]);
    },
    async advance(id, cursor, fence = UNFENCED) {
      await fenced(sql, fence, 0, (within) => within.run(SQL.advance, [cursor, id]));
    },
    conversation: async (user, id) => {
      const row = await sql.get<ConversationRow>(SQL.conversation, [user.teamId, user.userId, id]);
      return row && queued(row);
    },
    waitingSince: async (user, before) =>
      (await sql.query<ConversationRow>(SQL.waiting, [user.teamId, user.userId, before])).map(queued),
    async remember(user, c, fence = UNFENCED) {
      await fenced(sql, fence, 0, (within) =>
        within.run(SQL.remember, [user.teamId, user.userId, c.conversationId, c.updatedAt, c.waitingSince]),
      );
    },
    async forget(user, id, fence = UNFENCED) {
      await fenced(sql, fence, 0, (within) => within.run(SQL.forget, [user.teamId, user.userId, id]));
    },
    claim: async (user, noticeId, conversationId, at, fence = UNFENCED) =>
      (await fenced(sql, fence, 0, (within) =>
        within.run(SQL.claim, [user.teamId, user.userId, noticeId, conversationId, at]),
      )) === 1,
    prune: (before) => sql.run(SQL.prune, [before]),
  };
}
