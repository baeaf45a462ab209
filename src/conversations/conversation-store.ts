import type { Db } from '../db/database.ts';
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
  follow(thread: ThreadRef, user: SlackUser, now: number): void;
  /** Whether a plain message from this person in this thread is meant for the bot. */
  isFollowing(thread: ThreadRef, user: SlackUser, now: number): boolean;
  /** Stops following the thread (a button or "stop following"); false if it was not followed. */
  unfollow(thread: ThreadRef, now: number): boolean;
  /** Whether this person asked the bot something in the thread (or nobody did: it is not followed at all). */
  mayUnfollow(thread: ThreadRef, user: SlackUser): boolean;
  /** The earlier turns of a teammate's DM: within the window, inside the budget, after their last start-over. */
  dmTurns(user: SlackUser, now: number): Turn[];
  /** Remembers a finished exchange of a teammate's DM. */
  rememberDm(user: SlackUser, turns: Turn[], now: number): void;
  /** The teammate starts over: earlier DM turns are no longer context. */
  startOverDm(user: SlackUser, now: number): void;
  /** Forgets what no longer matters (stale follows, DM turns past the window). */
  prune(now: number): void;
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

export function createSqliteConversationStore(
  db: Db,
  limits: ConversationLimits = CONVERSATION_LIMITS,
): ConversationStore {
  const upsertThread = db.prepare(
    `INSERT INTO followed_threads (channel, thread_ts, team_id, last_activity_at, stopped_at) VALUES (?, ?, ?, ?, NULL)
     ON CONFLICT (channel, thread_ts) DO UPDATE SET last_activity_at = excluded.last_activity_at, stopped_at = NULL`,
  );
  const addParticipant = db.prepare(
    'INSERT INTO thread_participants (channel, thread_ts, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const following = db.prepare<[string, string, string, number], { found: number }>(
    `SELECT 1 AS found FROM followed_threads t JOIN thread_participants p USING (channel, thread_ts)
      WHERE t.channel = ? AND t.thread_ts = ? AND p.user_id = ? AND t.stopped_at IS NULL AND t.last_activity_at > ?`,
  );
  const stop = db.prepare(
    'UPDATE followed_threads SET stopped_at = ? WHERE channel = ? AND thread_ts = ? AND stopped_at IS NULL',
  );
  const followedBy = db.prepare<[string, string, string], { participant: number }>(
    `SELECT EXISTS (SELECT 1 FROM thread_participants p
        WHERE p.channel = t.channel AND p.thread_ts = t.thread_ts AND p.user_id = ?) AS participant
      FROM followed_threads t WHERE t.channel = ? AND t.thread_ts = ?`,
  );
  const insertTurn = db.prepare('INSERT INTO dm_turns (team_id, user_id, role, content, at) VALUES (?, ?, ?, ?, ?)');
  const recentTurns = db.prepare<[string, string, number, number], { role: Turn['role'] | 'reset'; content: string }>(
    `SELECT role, content FROM dm_turns WHERE team_id = ? AND user_id = ? AND at > ? ORDER BY at DESC, id DESC LIMIT ?`,
  );
  const pruneThreads = db.prepare('DELETE FROM followed_threads WHERE last_activity_at < ?');
  const pruneParticipants = db.prepare(
    `DELETE FROM thread_participants WHERE NOT EXISTS (SELECT 1 FROM followed_threads t
       WHERE t.channel = thread_participants.channel AND t.thread_ts = thread_participants.thread_ts)`,
  );
  const pruneTurns = db.prepare('DELETE FROM dm_turns WHERE at < ?');
  const follow = db.transaction((thread: ThreadRef, user: SlackUser, now: number) => {
    upsertThread.run(thread.channel, thread.threadTs, user.teamId, now);
    addParticipant.run(thread.channel, thread.threadTs, user.userId);
  });
  const remember = db.transaction((user: SlackUser, turns: Turn[], now: number) => {
    for (const turn of turns) insertTurn.run(user.teamId, user.userId, turn.role, turn.content, now);
  });

  return {
    follow: (thread, user, now) => follow(thread, user, now),
    isFollowing: (thread, user, now) =>
      following.get(thread.channel, thread.threadTs, user.userId, now - limits.followIdleMs) !== undefined,
    unfollow: (thread, now) => stop.run(now, thread.channel, thread.threadTs).changes === 1,
    mayUnfollow(thread, user) {
      const row = followedBy.get(user.userId, thread.channel, thread.threadTs);
      return row === undefined || row.participant === 1;
    },
    dmTurns(user, now) {
      const rows = recentTurns.all(user.teamId, user.userId, now - limits.dmWindowMs, limits.dmMaxTurns * 2);
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
    rememberDm: (user, turns, now) => remember(user, turns, now),
    startOverDm(user, now) {
      insertTurn.run(user.teamId, user.userId, 'reset', '', now);
    },
    prune(now) {
      pruneThreads.run(now - limits.followIdleMs);
      pruneParticipants.run();
      pruneTurns.run(now - limits.dmWindowMs);
    },
  };
}
