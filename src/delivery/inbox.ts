import type { Db } from '../db/database.ts';
import type { UserMessage } from '../shared/messages.ts';

export interface InterruptedMessage {
  channel: string;
  threadTs: string;
  userId: string;
}

/** Which Slack messages the bot has taken on, so each is answered once, whatever Slack redelivers. */
export interface Inbox {
  /** Records the message; false if it was seen before (a retry or a redelivery). */
  accept(message: UserMessage, eventId: string | undefined, now: number): boolean;
  finish(message: Pick<UserMessage, 'channel' | 'ts'>): void;
  /** Messages still marked running, i.e. cut off by a crash; marks them interrupted so they are reported once. */
  takeInterrupted(): InterruptedMessage[];
  /** Forgets messages older than the horizon (Slack stops redelivering within minutes). */
  prune(olderThan: number): void;
}

export function createSqliteInbox(db: Db): Inbox {
  const insert = db.prepare(
    `INSERT INTO inbox (channel, ts, thread_ts, team_id, user_id, event_id, received_at, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'running') ON CONFLICT (channel, ts) DO NOTHING`,
  );
  const done = db.prepare(`UPDATE inbox SET status = 'done' WHERE channel = ? AND ts = ?`);
  const interrupted = db.prepare<[], { channel: string; thread_ts: string; user_id: string }>(
    `UPDATE inbox SET status = 'interrupted' WHERE status = 'running' RETURNING channel, thread_ts, user_id`,
  );
  const prune = db.prepare(`DELETE FROM inbox WHERE received_at < ? AND status != 'running'`);
  return {
    accept: (m, eventId, now) =>
      insert.run(m.channel, m.ts, m.threadTs, m.teamId, m.userId, eventId ?? null, now).changes === 1,
    finish(m) {
      done.run(m.channel, m.ts);
    },
    takeInterrupted: () =>
      interrupted.all().map((row) => ({ channel: row.channel, threadTs: row.thread_ts, userId: row.user_id })),
    prune(olderThan) {
      prune.run(olderThan);
    },
  };
}
