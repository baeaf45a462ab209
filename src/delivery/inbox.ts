import { NOBODY_ALIVE, OWNER_IS_GONE } from '../db/owners.ts';
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
  /**
   * Messages still marked running by a process that is gone (no heartbeat since `aliveSince`; by default every
   * process counts as gone), i.e. cut off by a crash; marks them interrupted so they are reported once.
   */
  takeInterrupted(aliveSince?: number): Promise<InterruptedMessage[]>;
  /**
   * Forgets up to `limit` handled messages received before `olderThan` (Slack stops redelivering within minutes);
   * returns how many. Small batches keep each call short however large the inbox has grown.
   */
  pruneBatch(olderThan: number, limit: number): Promise<number>;
}

/** The statements as the code runs them; a test checks that none scans the table. */
export const INBOX_SQL = {
  accept: `INSERT INTO inbox (channel, ts, thread_ts, team_id, user_id, event_id, received_at, status, owner)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (channel, ts) DO NOTHING`,
  // Only a running row: one already reported as interrupted (its process was taken for dead) stays so.
  finish: `UPDATE inbox SET status = 'done' WHERE channel = ? AND ts = ? AND status = 'running'`,
  takeInterrupted: `UPDATE inbox SET status = 'interrupted' WHERE status = 'running' AND ${OWNER_IS_GONE}
     RETURNING channel, thread_ts, user_id`,
  pruneBatch: {
    sqlite: `DELETE FROM inbox WHERE rowid IN (
     SELECT rowid FROM inbox WHERE received_at < ? AND status != 'running' ORDER BY received_at LIMIT ?)`,
    postgres: `DELETE FROM inbox WHERE (channel, ts) IN (
     SELECT channel, ts FROM inbox WHERE received_at < ? AND status != 'running' ORDER BY received_at LIMIT ?)`,
  },
} as const;

/** `owner`: this process's replica id, so that only the work of a process that is gone is taken as interrupted. */
export function createInbox(sql: Sql, options: { owner?: string } = {}): Inbox {
  const owner = options.owner ?? null;
  return {
    accept: async (m, eventId, now) =>
      (await sql.run(INBOX_SQL.accept, [
        m.channel,
        m.ts,
        m.threadTs,
        m.teamId,
        m.userId,
        eventId ?? null,
        now,
        owner,
      ])) === 1,
    async finish(m) {
      await sql.run(INBOX_SQL.finish, [m.channel, m.ts]);
    },
    takeInterrupted: async (aliveSince = NOBODY_ALIVE) =>
      (
        await sql.query<{ channel: string; thread_ts: string; user_id: string }>(INBOX_SQL.takeInterrupted, [
          aliveSince,
        ])
      ).map((row) => ({ channel: row.channel, threadTs: row.thread_ts, userId: row.user_id })),
    pruneBatch: (olderThan, limit) => sql.run(INBOX_SQL.pruneBatch, [olderThan, limit]),
  };
}
