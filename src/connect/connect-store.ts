import type { Db } from '../db/database.ts';
import type { SlackUser } from '../identity/identity-store.ts';

export interface StoredFlow extends SlackUser {
  identifier: string;
  browserHash: string;
  expiresAt: number;
  consumedAt: number | null;
}

export type LinkLookup = { found: false } | { found: true; user: SlackUser; expired: boolean; used: boolean };

/** Connect links and browser flows in SQLite; every token-like value arrives here already hashed. */
export interface ConnectStore {
  saveLink(link: SlackUser & { tokenHash: string; createdAt: number; expiresAt: number }): void;
  findLink(tokenHash: string, now: number): LinkLookup;
  /** Marks the link used and records the flow it started, atomically; false if someone else used it first. */
  useLinkAndStartFlow(
    tokenHash: string,
    flow: SlackUser & { stateHash: string; browserHash: string; createdAt: number; expiresAt: number },
  ): boolean;
  findFlow(stateHash: string): StoredFlow | undefined;
  /** Consumes an unexpired, unconsumed flow; false if it was consumed (or expired) already. */
  consumeFlow(stateHash: string, now: number): boolean;
  /** Gives a consumed flow back, when verification failed for a reason worth retrying (Scalekit unreachable). */
  releaseFlow(stateHash: string): void;
  /** Drops links and flows that ended more than a day ago. */
  prune(now: number): void;
  saveSignIn(signIn: { stateHash: string; tokenHash: string; browserHash: string; expiresAt: number }): void;
  /** A Sign in with Slack step that can still be used; undefined if unknown, used or expired. */
  findSignIn(stateHash: string, now: number): { tokenHash: string; browserHash: string } | undefined;
  /** Uses up a Sign in with Slack step, once; false if it was used (or expired) already. */
  takeSignIn(stateHash: string, now: number): boolean;
  /** Marks a link used without starting a flow (it was opened by someone else). */
  burnLink(tokenHash: string, now: number): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createSqliteConnectStore(db: Db): ConnectStore {
  const insertLink = db.prepare(
    'INSERT INTO connect_links (token_hash, team_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  const selectLink = db.prepare<
    [string],
    { team_id: string; user_id: string; expires_at: number; used_at: number | null }
  >('SELECT team_id, user_id, expires_at, used_at FROM connect_links WHERE token_hash = ?');
  const markLinkUsed = db.prepare(
    'UPDATE connect_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
  );
  const insertFlow = db.prepare(
    'INSERT INTO connect_flows (state_hash, browser_hash, team_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectFlow = db.prepare<
    [string],
    {
      team_id: string;
      user_id: string;
      identifier: string;
      browser_hash: string;
      expires_at: number;
      consumed_at: number | null;
    }
  >(
    `SELECT f.team_id, f.user_id, i.identifier, f.browser_hash, f.expires_at, f.consumed_at
       FROM connect_flows f JOIN identities i USING (team_id, user_id)
      WHERE f.state_hash = ?`,
  );
  const markFlowConsumed = db.prepare(
    'UPDATE connect_flows SET consumed_at = ? WHERE state_hash = ? AND consumed_at IS NULL AND expires_at > ?',
  );
  const unmarkFlow = db.prepare('UPDATE connect_flows SET consumed_at = NULL WHERE state_hash = ?');
  const insertSignIn = db.prepare(
    'INSERT INTO slack_signins (state_hash, token_hash, browser_hash, expires_at) VALUES (?, ?, ?, ?)',
  );
  const selectSignIn = db.prepare<[string, number], { token_hash: string; browser_hash: string }>(
    'SELECT token_hash, browser_hash FROM slack_signins WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?',
  );
  const takeSignIn = db.prepare(
    'UPDATE slack_signins SET used_at = ? WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?',
  );
  const burn = db.prepare('UPDATE connect_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL');
  const pruneLinks = db.prepare('DELETE FROM connect_links WHERE expires_at < ?');
  const pruneFlows = db.prepare('DELETE FROM connect_flows WHERE expires_at < ?');

  const useAndStart = db.transaction(
    (tokenHash: string, flow: Parameters<ConnectStore['useLinkAndStartFlow']>[1]): boolean => {
      if (markLinkUsed.run(flow.createdAt, tokenHash, flow.createdAt).changes !== 1) return false;
      insertFlow.run(flow.stateHash, flow.browserHash, flow.teamId, flow.userId, flow.createdAt, flow.expiresAt);
      return true;
    },
  );

  return {
    saveLink(link) {
      insertLink.run(link.tokenHash, link.teamId, link.userId, link.createdAt, link.expiresAt);
    },
    findLink(tokenHash, now) {
      const row = selectLink.get(tokenHash);
      if (!row) return { found: false };
      return {
        found: true,
        user: { teamId: row.team_id, userId: row.user_id },
        expired: row.expires_at <= now,
        used: row.used_at !== null,
      };
    },
    useLinkAndStartFlow: (tokenHash, flow) => useAndStart(tokenHash, flow),
    findFlow(stateHash) {
      const row = selectFlow.get(stateHash);
      if (!row) return undefined;
      return {
        teamId: row.team_id,
        userId: row.user_id,
        identifier: row.identifier,
        browserHash: row.browser_hash,
        expiresAt: row.expires_at,
        consumedAt: row.consumed_at,
      };
    },
    consumeFlow: (stateHash, now) => markFlowConsumed.run(now, stateHash, now).changes === 1,
    releaseFlow(stateHash) {
      unmarkFlow.run(stateHash);
    },
    prune(now) {
      pruneLinks.run(now - DAY_MS);
      pruneFlows.run(now - DAY_MS);
    },
    saveSignIn(signIn) {
      insertSignIn.run(signIn.stateHash, signIn.tokenHash, signIn.browserHash, signIn.expiresAt);
    },
    findSignIn(stateHash, now) {
      const row = selectSignIn.get(stateHash, now);
      return row ? { tokenHash: row.token_hash, browserHash: row.browser_hash } : undefined;
    },
    takeSignIn: (stateHash, now) => takeSignIn.run(now, stateHash, now).changes === 1,
    burnLink(tokenHash, now) {
      burn.run(now, tokenHash);
    },
  };
}
