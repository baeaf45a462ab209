import type { Db } from '../db/database.ts';

/**
 * Who is already acting on a card control. Slack sends a double click as two payloads (and may redeliver one), so
 * the first to claim a click's key runs it and the others do nothing; the database makes the claim atomic across
 * processes.
 */
export interface CardClaims {
  /** True for the first claim of `key` while nothing holds it: a claim is held while it runs and briefly after. */
  claim(key: string, now: number): boolean;
  /** The click's work is over; a repeat of it within the grace period is still a double click. */
  release(key: string, now: number): void;
  /** Forgets claims older than a day. */
  prune(now: number): void;
}

/** A second payload this soon after the first finished is the same click. */
const GRACE_MS = 5_000;
/** A claim whose holder never finished (a crash) stops blocking after this. */
const STALE_MS = 2 * 60_000;

export function createSqliteCardClaims(db: Db): CardClaims {
  const claim = db.prepare(
    `INSERT INTO card_claims (key, claimed_at, done_at) VALUES (?, ?, NULL)
     ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at, done_at = NULL
     WHERE (card_claims.done_at IS NOT NULL AND card_claims.done_at <= ?) OR card_claims.claimed_at <= ?`,
  );
  const release = db.prepare('UPDATE card_claims SET done_at = ? WHERE key = ?');
  const prune = db.prepare('DELETE FROM card_claims WHERE claimed_at < ?');
  return {
    claim: (key, now) => claim.run(key, now, now - GRACE_MS, now - STALE_MS).changes === 1,
    release: (key, now) => {
      release.run(now, key);
    },
    prune: (now) => {
      prune.run(now - 24 * 60 * 60 * 1000);
    },
  };
}
