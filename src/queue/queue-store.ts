import { camelCased, type Db } from '../db/database.ts';
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
  turnOn(user: SlackUser, follower: Omit<QueueFollower, 'teamId' | 'userId' | 'status' | 'cursor'>): boolean;
  /** Turns it off and forgets what it saw; true when it was on. */
  turnOff(user: SlackUser): boolean;
  /** Turns it off for everyone in a workspace; returns how many. */
  turnOffTeam(teamId: string): number;
  followerOf(user: SlackUser): QueueFollower | undefined;
  /** Active followers whose poll is due, the longest-waiting first. */
  due(now: number, limit: number): QueueFollower[];
  nextDueAt(): number | undefined;
  reschedule(id: string, nextPollAt: number, intervalMs: number): void;
  pause(user: SlackUser): void;
  /** Resumes a paused queue, due at once. */
  resume(user: SlackUser, now: number): void;
  /** Where the next search starts. */
  advance(id: string, cursor: number): void;
  conversation(user: SlackUser, conversationId: string): QueuedConversation | undefined;
  /** Conversations that have waited since before `before`, the longest first. */
  waitingSince(user: SlackUser, before: number): QueuedConversation[];
  remember(user: SlackUser, conversation: QueuedConversation): void;
  forget(user: SlackUser, conversationId: string): void;
  /** Claims a notice (a reply's part id, a reminder's key) before it is sent: true for the one caller that sends. */
  claim(user: SlackUser, noticeId: string, conversationId: string, at: number): boolean;
  /** Forgets notices sent before `before`. */
  prune(before: number): number;
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

export function createSqliteQueueStore(db: Db): QueueStore {
  const insert = db.prepare(
    `INSERT INTO queue_followers (id, team_id, user_id, status, since, cursor, next_poll_at, interval_ms)
     VALUES (@id, @teamId, @userId, 'active', @since, NULL, @nextPollAt, @intervalMs)
     ON CONFLICT (team_id, user_id) DO NOTHING`,
  );
  const byUser = db.prepare<[string, string], FollowerRow>(
    'SELECT * FROM queue_followers WHERE team_id = ? AND user_id = ?',
  );
  const removeFollower = db.prepare('DELETE FROM queue_followers WHERE team_id = ? AND user_id = ?');
  const removeConversations = db.prepare('DELETE FROM queue_conversations WHERE team_id = ? AND user_id = ?');
  const removeTeam = db.prepare('DELETE FROM queue_followers WHERE team_id = ?');
  const removeTeamConversations = db.prepare('DELETE FROM queue_conversations WHERE team_id = ?');
  const due = db.prepare<[number, number], FollowerRow>(
    `SELECT * FROM queue_followers WHERE status = 'active' AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?`,
  );
  const nextDue = db.prepare<[], { at: number | null }>(
    `SELECT MIN(next_poll_at) AS at FROM queue_followers WHERE status = 'active'`,
  );
  const reschedule = db.prepare('UPDATE queue_followers SET next_poll_at = ?, interval_ms = ? WHERE id = ?');
  const pause = db.prepare(
    `UPDATE queue_followers SET status = 'paused' WHERE team_id = ? AND user_id = ? AND status = 'active'`,
  );
  const resume = db.prepare(
    `UPDATE queue_followers SET status = 'active', next_poll_at = ? WHERE team_id = ? AND user_id = ? AND status = 'paused'`,
  );
  const advance = db.prepare('UPDATE queue_followers SET cursor = ? WHERE id = ?');
  const conversation = db.prepare<[string, string, string], ConversationRow>(
    'SELECT * FROM queue_conversations WHERE team_id = ? AND user_id = ? AND conversation_id = ?',
  );
  const waiting = db.prepare<[string, string, number], ConversationRow>(
    `SELECT * FROM queue_conversations WHERE team_id = ? AND user_id = ? AND waiting_since < ? ORDER BY waiting_since`,
  );
  const remember = db.prepare(
    `INSERT INTO queue_conversations (team_id, user_id, conversation_id, updated_at, waiting_since)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (team_id, user_id, conversation_id) DO UPDATE SET updated_at = excluded.updated_at,
       waiting_since = excluded.waiting_since`,
  );
  const forget = db.prepare(
    'DELETE FROM queue_conversations WHERE team_id = ? AND user_id = ? AND conversation_id = ?',
  );
  const claim = db.prepare(
    `INSERT INTO queue_notices (team_id, user_id, notice_id, conversation_id, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (team_id, user_id, notice_id) DO NOTHING`,
  );
  const prune = db.prepare('DELETE FROM queue_notices WHERE at < ?');

  const follower = (row: FollowerRow): QueueFollower => camelCased(row);
  const queued = (row: ConversationRow): QueuedConversation => camelCased(row);

  return {
    turnOn: (user, f) => insert.run({ ...f, ...user }).changes === 1,
    turnOff: db.transaction((user: SlackUser) => {
      removeConversations.run(user.teamId, user.userId);
      return removeFollower.run(user.teamId, user.userId).changes === 1;
    }),
    turnOffTeam: db.transaction((teamId: string) => {
      removeTeamConversations.run(teamId);
      return removeTeam.run(teamId).changes;
    }),
    followerOf: (user) => {
      const row = byUser.get(user.teamId, user.userId);
      return row && follower(row);
    },
    due: (now, limit) => due.all(now, limit).map(follower),
    nextDueAt: () => nextDue.get()?.at ?? undefined,
    reschedule(id, nextPollAt, intervalMs) {
      reschedule.run(nextPollAt, Math.round(intervalMs), id);
    },
    pause(user) {
      pause.run(user.teamId, user.userId);
    },
    resume(user, now) {
      resume.run(now, user.teamId, user.userId);
    },
    advance(id, cursor) {
      advance.run(cursor, id);
    },
    conversation: (user, id) => {
      const row = conversation.get(user.teamId, user.userId, id);
      return row && queued(row);
    },
    waitingSince: (user, before) => waiting.all(user.teamId, user.userId, before).map(queued),
    remember(user, c) {
      remember.run(user.teamId, user.userId, c.conversationId, c.updatedAt, c.waitingSince);
    },
    forget(user, id) {
      forget.run(user.teamId, user.userId, id);
    },
    claim: (user, noticeId, conversationId, at) =>
      claim.run(user.teamId, user.userId, noticeId, conversationId, at).changes === 1,
    prune: (before) => prune.run(before).changes,
  };
}
