/**
 * The condition, on a table with an `owner` column, that the process which took the row is gone: it never said
 * (rows from before issue 25), or it has not heartbeaten since the one parameter, a time in milliseconds. With one
 * process (SQLite), every earlier process is gone: the caller passes a time that only its own row can meet.
 */
export const OWNER_IS_GONE = '(owner IS NULL OR owner NOT IN (SELECT id FROM replicas WHERE heartbeat_at >= ?))';

/** No process counts as alive: every running row is someone's leftover (a store used without replicas). */
export const NOBODY_ALIVE = Number.MAX_SAFE_INTEGER;
