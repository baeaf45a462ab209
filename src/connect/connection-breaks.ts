import type { Db } from '../db/database.ts';
import type { SlackUser } from '../shared/messages.ts';

/** Connections Scalekit said broke and the teammate has not repaired yet: one row per breakage. */
export interface ConnectionBreaks {
  /** Records the breakage; true only for the first report of it (a replay or a second event finds it there). */
  record(user: SlackUser, status: string, at: number): boolean;
  /** The status Scalekit reported, while the connection is broken. */
  brokenStatus(user: SlackUser): string | undefined;
  /** They reconnected: the breakage is over; true when there was one. */
  heal(user: SlackUser): boolean;
}

export function createSqliteConnectionBreaks(db: Db): ConnectionBreaks {
  const insert = db.prepare(
    `INSERT INTO connection_breaks (team_id, user_id, status, broken_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (team_id, user_id) DO NOTHING`,
  );
  const byUser = db.prepare<[string, string], { status: string }>(
    'SELECT status FROM connection_breaks WHERE team_id = ? AND user_id = ?',
  );
  const remove = db.prepare('DELETE FROM connection_breaks WHERE team_id = ? AND user_id = ?');
  return {
    record: (user, status, at) => insert.run(user.teamId, user.userId, status, at).changes === 1,
    brokenStatus: (user) => byUser.get(user.teamId, user.userId)?.status,
    heal: (user) => remove.run(user.teamId, user.userId).changes === 1,
  };
}
