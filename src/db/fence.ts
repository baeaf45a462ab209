import type { Sql } from './sql.ts';

/**
 * Fencing for work done under a lease (the leader's poll passes): each of its claims checks, in the claim's own
 * transaction, that the lease is still held with the epoch the work began under, so a process that was paused
 * (SIGSTOP) while another took the lease over writes nothing, and so sends nothing, when it wakes.
 */
export interface Fence {
  /** Whether the lease is still held; on PostgreSQL it also keeps the lease from changing hands until `within` ends. */
  holds(within: Sql): Promise<boolean>;
}

/** One process (SQLite) is always its own leader. */
export const UNFENCED: Fence = { holds: async () => true };

/** Runs `work` in one transaction if the fence holds; `refused` (nothing written) if not. */
export function fenced<T>(sql: Sql, fence: Fence, refused: T, work: (within: Sql) => Promise<T>): Promise<T> {
  return sql.tx(async (within) => ((await fence.holds(within)) ? work(within) : refused));
}
