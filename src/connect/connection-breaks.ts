import { type Fence, fenced, UNFENCED } from '../db/fence.ts';
import type { Sql } from '../db/sql.ts';
import type { SlackUser } from '../shared/messages.ts';

/** Connections Scalekit said broke and the teammate has not repaired yet: one row per breakage. */
export interface ConnectionBreaks {
  /**
   * Records the breakage: `new` for the first report of it, `known` when a replay or a second report finds it there,
   * `fenced` (nothing written) when `fence`, a poll pass's lead, no longer holds.
   */
  record(user: SlackUser, status: string, at: number, fence?: Fence): Promise<'new' | 'known' | 'fenced'>;
  /** The status Scalekit reported, while the connection is broken. */
  brokenStatus(user: SlackUser): Promise<string | undefined>;
  /** They reconnected: the breakage is over; true when there was one. */
  heal(user: SlackUser): Promise<boolean>;
}

const SQL = {
  insert: `INSERT INTO connection_breaks (team_id, user_id, status, broken_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (team_id, user_id) DO NOTHING`,
  byUser: 'SELECT status FROM connection_breaks WHERE team_id = ? AND user_id = ?',
  remove: 'DELETE FROM connection_breaks WHERE team_id = ? AND user_id = ?',
} as const;

export function createConnectionBreaks(sql: Sql): ConnectionBreaks {
  return {
    record: (user, status, at, fence = UNFENCED) =>
      fenced(sql, fence, 'fenced' as const, async (within) =>
        (await within.run(SQL.insert, [user.teamId, user.userId, status, at])) === 1 ? 'new' : 'known',
      ),
    brokenStatus: async (user) => (await sql.get<{ status: string }>(SQL.byUser, [user.teamId, user.userId]))?.status,
    heal: async (user) => (await sql.run(SQL.remove, [user.teamId, user.userId])) === 1,
  };
}
