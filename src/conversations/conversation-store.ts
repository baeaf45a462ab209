import type { Sql } from '../db/sql.ts';
import type { SlackUser, Turn } from '../shared/messages.ts';

export interface ThreadRef {
  channel: string;
  threadTs: string;
}

/**
 * What the bot remembers between messages: the channel threads it follows (and who in them has asked it
 * something), and the recent turns of each teammate's DM, so a top-level DM continues the conversation.
 */
export interface ConversationStore {
  /** Someone asked the bot something in this thread: follow it, and answer this person there without a mention. */
  follow(thread: ThreadRef, user: SlackUser, now: number): Promise<void>;
  /** Whether a plain message from this person in this thread is meant for the bot. */
  isFollowing(thread: ThreadRef, user: SlackUser, now: number): Promise<boolean>;
  /** Stops following the thread (a button or "stop following"); false if it was not followed. */
  unfollow(thread: ThreadRef, now: number): Promise<boolean>;
  /** Whether this person asked the bot something in the thread (or nobody did: it is not followed at all). */
  mayUnfollow(thread: ThreadRef, user: SlackUser): Promise<boolean>;
  /** The earlier turns of a teammate's DM: within the window, inside the budget, after their last start-over. */
  dmTurns(user: SlackUser, now: number): Promise<Turn[]>;
  /** Remembers a finished exchange of a teammate's DM. */
  rememberDm(user: SlackUser, turns: Turn[], now: number): Promise<void>;
  /** The teammate starts over: earlier DM turns are no longer context. */
  startOverDm(user: SlackUser, now: number): Promise<void>;
  /** Forgets what no longer matters (stale follows, DM turns past the window). */
  prune(now: number): Promise<void>;
}

export interface ConversationLimits {
  /** A thread nobody has written to the bot in for this long is no longer followed. */
  followIdleMs: number;
  /** DM turns older than this are not context any more (and are deleted). */
  dmWindowMs: number;
  dmMaxTurns: number;
  dmMaxChars: number;
}

const CONVERSATION_LIMITS: ConversationLimits = {
  followIdleMs: 24 * 60 * 60 * 1000,
  dmWindowMs: 8 * 60 * 60 * 1000,
  dmMaxTurns: 20,
  dmMaxChars: 12_000,
};

const SQL = {
  upsertThread: `INSERT INTO followed_threads (channel, thread_ts, team_id, last_activity_at, stopped_at) VALUES (?, ?, ?, ?, NULL)
     ON CONFLICT (channel, thread_ts) DO UPDATE SET last_activity_at = excluded.last_activity_at, stopped_at = NULL`,
  addParticipant:
    'INSERT INTO thread_participants (channel, thread_ts, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  following: `SELECT 1 AS found FROM followed_threads t JOIN thread_participants p USING (channel, thread_ts)
      WHERE t.channel = ? AND t.thread_ts = ? AND p.user_id = ? AND t.stopped_at IS NULL AND t.last_activity_at > ?`,
  stop: 'UPDATE followed_threads SET stopped_at = ? WHERE channel = ? AND thread_ts = ? AND stopped_at IS NULL',
  // SQLite answers EXISTS with 1 or 0, PostgreSQL with true or false.
  followedBy: `SELECT EXISTS (SELECT 1 FROM thread_participants p
        WHERE p.channel = t.channel AND p.thread_ts = t.thread_ts AND p.user_id = ?) AS participant
      FROM followed_threads t WHERE t.channel = ? AND t.thread_ts = ?`,
  insertTurn: 'INSERT INTO dm_turns (team_id, user_id, role, content, at) VALUES (?, ?, ?, ?, ?)',
  recentTurns: `SELECT role, content FROM dm_turns WHERE team_id = ? AND user_id = ? AND at > ?
      ORDER BY at DESC, id DESC LIMIT ?`,
  pruneThreads: 'DELETE FROM followed_threads WHERE last_activity_at < ?',
  pruneParticipants: `DELETE FROM thread_participants WHERE NOT EXISTS (SELECT 1 FROM followed_threads t
       WHERE t.channel = thread_participants.channel AND t.thread_ts = thread_participants.thread_ts)`,
  pruneTurns: 'DELETE FROM dm_turns WHERE at < ?',
} as const;

export function createConversationStore(sql: Sql, limits: ConversationLimits = CONVERSATION_LIMITS): ConversationStore {
  return {
    follow: (thread, user, now) =>
      sql.tx(async (within) => {
        await within.run(SQL.upsertThread, [thread.channel, thread.threadTs, user.teamId, now]);
        await within.run(SQL.addParticipant, [thread.channel, thread.threadTs, user.userId]);
      }),
    isFollowing: async (thread, user, now) =>
      (await sql.get(SQL.following, [thread.channel, thread.threadTs, user.userId, now - limits.followIdleMs])) !==
      undefined,
    unfollow: async (thread, now) => (await sql.run(SQL.stop, [now, thread.channel, thread.threadTs])) === 1,
    async mayUnfollow(thread, user) {
      const row = await sql.get<{ participant: number | boolean }>(SQL.followedBy, [
        user.userId,
        thread.channel,
        thread.threadTs,
      ]);
      return row === undefined || row.participant === 1 || row.participant === true;
    },
    async dmTurns(user, now) {
      const rows = await sql.query<{ role: Turn['role'] | 'reset'; content: string }>(SQL.recentTurns, [
        user.teamId,
        user.userId,
        now - limits.dmWindowMs,
        limits.dmMaxTurns * 2,
      ]);
      const turns: Turn[] = [];
      let chars = 0;
      for (const row of rows) {
        if (row.role === 'reset') break;
        chars += row.content.length;
        if (chars > limits.dmMaxChars || turns.length >= limits.dmMaxTurns) break;
        turns.unshift({ role: row.role, content: row.content });
      }
      // The model expects a conversation to start with the user.
      while (turns[0]?.role === 'assistant') turns.shift();
      return turns;
    },
    rememberDm: (user, turns, now) =>
      sql.tx(async (within) => {
        for (const turn of turns) {
          await within.run(SQL.insertTurn, [user.teamId, user.userId, turn.role, turn.content, now]);
        }
      }),
    async startOverDm(user, now) {
      await sql.run(SQL.insertTurn, [user.teamId, user.userId, 'reset', '', now]);
    },
    async prune(now) {
      await sql.run(SQL.pruneThreads, [now - limits.followIdleMs]);
      await sql.run(SQL.pruneParticipants);
      await sql.run(SQL.pruneTurns, [now - limits.dmWindowMs]);
    },
  };
}
