import type { Sql } from '../db/sql.ts';
import type { UserMessage } from '../shared/messages.ts';

export interface InterruptedMessage {
  channel: string;
  threadTs: string;
  userId: string;
}

/** Which Slack messages the bot has taken on, so each is answered once, whatever Slack redelivers. */
export interface Inbox {
  /** Records the message (durably, once this resolves); false if it was seen before (a retry or a redelivery). */
  accept(message: UserMessage, eventId: string | undefined, now: number): Promise<boolean>;
  finish(message: Pick<UserMessage, 'channel' | 'ts'>): Promise<void>;
  /** Messages still marked running, i.e. cut off by a crash; marks them interrupted so they are reported once. */
  takeInterrupted(): Promise<InterruptedMessage[]>;
  /**
   * Forgets up to `limit` handled messages received before `olderThan` (Slack stops redelivering within minutes);
   * returns how many. Small batches keep each call short however large the inbox has grown.
   */
  pruneBatch(olderThan: number, limit: number): Promise<number>;
}

/** The statements as the code runs them; a test checks that none scans the table. */
export const INBOX_SQL = {
  accept: `INSERT INTO inbox (channel, ts, thread_ts, team_id, user_id, event_id, received_at, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'running') ON CONFLICT (channel, ts) DO NOTHING`,
  finish: `UPDATE inbox SET status = 'done' WHERE channel = ? AND ts = ?`,
  takeInterrupted: `UPDATE inbox SET status = 'interrupted' WHERE status = 'running' RETURNING channel, thread_ts, user_id`,
  pruneBatch: {
    sqlite: `DELETE FROM inbox WHERE rowid IN (
     SELECT rowid FROM inbox WHERE received_at < ? AND status != 'running' ORDER BY received_at LIMIT ?)`,
    postgres: `DELETE FROM inbox WHERE (channel, ts) IN (
     SELECT channel, ts FROM inbox WHERE received_at < ? AND status != 'running' ORDER BY received_at LIMIT ?)`,
  },
} as const;

export function createInbox(sql: Sql): Inbox {
  return {
    accept: async (m, eventId, now) =>
      (await sql.run(INBOX_SQL.accept, [m.channel, m.ts, m.threadTs, m.teamId, m.userId, eventId ?? null, now])) === 1,
    async finish(m) {
      await sql.run(INBOX_SQL.finish, [m.channel, m.ts]);
    },
    takeInterrupted: async () =>
      (await sql.query<{ channel: string; thread_ts: string; user_id: string }>(INBOX_SQL.takeInterrupted)).map(
        (row) => ({ channel: row.channel, threadTs: row.thread_ts, userId: row.user_id }),
      ),
    pruneBatch: (olderThan, limit) => sql.run(INBOX_SQL.pruneBatch, [olderThan, limit]),
  };
}
