import type { Sql } from '../db/sql.ts';

/**
 * Who is already acting on a card control. Slack sends a double click as two payloads (and may redeliver one), so
 * the first to claim a click's key runs it and the others do nothing; the database makes the claim atomic across
 * processes.
 */
export interface CardClaims {
  /** True for the first claim of `key` while nothing holds it: a claim is held while it runs and briefly after. */
  claim(key: string, now: number): Promise<boolean>;
  /** The click's work is over; a repeat of it within the grace period is still a double click. */
  release(key: string, now: number): Promise<void>;
  /** Forgets claims older than a day. */
  prune(now: number): Promise<void>;
}

/** A second payload this soon after the first finished is the same click. */
const GRACE_MS = 5_000;
/** A claim whose holder never finished (a crash) stops blocking after this. */
const STALE_MS = 2 * 60_000;

export function createCardClaims(sql: Sql): CardClaims {
  return {
    claim: async (key, now) =>
      (await sql.run(
        `INSERT INTO card_claims (key, claimed_at, done_at) VALUES (?, ?, NULL)
         ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at, done_at = NULL
         WHERE (card_claims.done_at IS NOT NULL AND card_claims.done_at <= ?) OR card_claims.claimed_at <= ?`,
        [key, now, now - GRACE_MS, now - STALE_MS],
      )) === 1,
    release: async (key, now) => {
      await sql.run('UPDATE card_claims SET done_at = ? WHERE key = ?', [now, key]);
    },
    prune: async (now) => {
      await sql.run('DELETE FROM card_claims WHERE claimed_at < ?', [now - 24 * 60 * 60 * 1000]);
    },
  };
}
