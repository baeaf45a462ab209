import type { Sql } from '../db/sql.ts';
import type { RecoveryParticipant } from '../delivery/recovery.ts';
import type { SlackUser } from '../identity/identity-store.ts';
import type { UserMessage } from '../shared/messages.ts';

export interface ParkedRequest {
  id: number;
  message: UserMessage;
  createdAt: number;
}

/** Requests from people who were not connected yet, kept until they connect. */
export interface ParkedRequests {
  /** Keeps the message; parking the same Slack message twice keeps it once. */
  park(message: UserMessage, now: number): Promise<void>;
  /** Takes every parked request of this user, oldest first, so no one else runs them. */
  claim(user: SlackUser): Promise<ParkedRequest[]>;
  /** Forgets a request once it has been run or dropped. */
  finish(id: number): Promise<void>;
  /** Requests a crash cut off while they were being resumed; they are forgotten as they are returned. */
  takeInterrupted(): Promise<ParkedRequest[]>;
  /** Forgets every request this user has waiting (they disconnected); returns how many. */
  dropFor(user: SlackUser): Promise<number>;
}

interface Row {
  id: number;
  team_id: string;
  user_id: string;
  channel: string;
  thread_ts: string;
  ts: string;
  text: string;
  is_direct: number;
  created_at: number;
}

const SQL = {
  insert: `INSERT INTO parked_requests (team_id, user_id, channel, thread_ts, ts, text, is_direct, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, ts) DO NOTHING`,
  claim: `UPDATE parked_requests SET status = 'running'
      WHERE team_id = ? AND user_id = ? AND status = 'parked'
      RETURNING id, team_id, user_id, channel, thread_ts, ts, text, is_direct, created_at`,
  remove: 'DELETE FROM parked_requests WHERE id = ?',
  dropFor: `DELETE FROM parked_requests WHERE team_id = ? AND user_id = ? AND status = 'parked'`,
  interrupted: `DELETE FROM parked_requests WHERE status = 'running'
      RETURNING id, team_id, user_id, channel, thread_ts, ts, text, is_direct, created_at`,
} as const;

export function createParkedRequests(sql: Sql): ParkedRequests {
  const toRequest = (row: Row): ParkedRequest => ({
    id: row.id,
    createdAt: row.created_at,
    message: {
      teamId: row.team_id,
      userId: row.user_id,
      channel: row.channel,
      threadTs: row.thread_ts,
      ts: row.ts,
      text: row.text,
      isDirect: row.is_direct === 1,
    },
  });

  return {
    async park(m, now) {
      await sql.run(SQL.insert, [m.teamId, m.userId, m.channel, m.threadTs, m.ts, m.text, m.isDirect ? 1 : 0, now]);
    },
    async claim({ teamId, userId }) {
      return (await sql.query<Row>(SQL.claim, [teamId, userId]))
        .sort((a, b) => a.created_at - b.created_at || a.id - b.id)
        .map(toRequest);
    },
    async finish(id) {
      await sql.run(SQL.remove, [id]);
    },
    takeInterrupted: async () => (await sql.query<Row>(SQL.interrupted)).map(toRequest),
    dropFor: ({ teamId, userId }) => sql.run(SQL.dropFor, [teamId, userId]),
  };
}

/** Requests a stop cut off while they were being resumed: their threads get the common "I was restarted" notice. */
export function parkedRecovery(parked: Pick<ParkedRequests, 'takeInterrupted'>): RecoveryParticipant {
  return {
    recover: async () =>
      (await parked.takeInterrupted()).map((r) => ({ channel: r.message.channel, threadTs: r.message.threadTs })),
  };
}
