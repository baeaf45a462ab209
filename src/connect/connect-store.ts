import type { Sql } from '../db/sql.ts';
import type { SlackUser } from '../identity/identity-store.ts';

export interface StoredFlow extends SlackUser {
  identifier: string;
  browserHash: string;
  expiresAt: number;
  consumedAt: number | null;
}

export type LinkLookup = { found: false } | { found: true; user: SlackUser; expired: boolean; used: boolean };

/** Connect links and browser flows; every token-like value arrives here already hashed. */
export interface ConnectStore {
  saveLink(link: SlackUser & { tokenHash: string; createdAt: number; expiresAt: number }): Promise<void>;
  findLink(tokenHash: string, now: number): Promise<LinkLookup>;
  /** Marks the link used and records the flow it started, atomically; false if someone else used it first. */
  useLinkAndStartFlow(
    tokenHash: string,
    flow: SlackUser & { stateHash: string; browserHash: string; createdAt: number; expiresAt: number },
  ): Promise<boolean>;
  findFlow(stateHash: string): Promise<StoredFlow | undefined>;
  /** Consumes an unexpired, unconsumed flow; false if it was consumed (or expired) already. */
  consumeFlow(stateHash: string, now: number): Promise<boolean>;
  /** Gives a consumed flow back, when verification failed for a reason worth retrying (Scalekit unreachable). */
  releaseFlow(stateHash: string): Promise<void>;
  /** Drops links and flows that ended more than a day ago. */
  prune(now: number): Promise<void>;
  saveSignIn(signIn: { stateHash: string; tokenHash: string; browserHash: string; expiresAt: number }): Promise<void>;
  /** A Sign in with Slack step that can still be used; undefined if unknown, used or expired. */
  findSignIn(stateHash: string, now: number): Promise<{ tokenHash: string; browserHash: string } | undefined>;
  /** Uses up a Sign in with Slack step, once; false if it was used (or expired) already. */
  takeSignIn(stateHash: string, now: number): Promise<boolean>;
  /** Marks a link used without starting a flow (it was opened by someone else). */
  burnLink(tokenHash: string, now: number): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const SQL = {
  insertLink: 'INSERT INTO connect_links (token_hash, team_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  selectLink: 'SELECT team_id, user_id, expires_at, used_at FROM connect_links WHERE token_hash = ?',
  markLinkUsed: 'UPDATE connect_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
  insertFlow:
    'INSERT INTO connect_flows (state_hash, browser_hash, team_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
  selectFlow: `SELECT f.team_id, f.user_id, i.identifier, f.browser_hash, f.expires_at, f.consumed_at
       FROM connect_flows f JOIN identities i USING (team_id, user_id)
      WHERE f.state_hash = ?`,
  markFlowConsumed:
    'UPDATE connect_flows SET consumed_at = ? WHERE state_hash = ? AND consumed_at IS NULL AND expires_at > ?',
  unmarkFlow: 'UPDATE connect_flows SET consumed_at = NULL WHERE state_hash = ?',
  insertSignIn: 'INSERT INTO slack_signins (state_hash, token_hash, browser_hash, expires_at) VALUES (?, ?, ?, ?)',
  selectSignIn:
    'SELECT token_hash, browser_hash FROM slack_signins WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?',
  takeSignIn: 'UPDATE slack_signins SET used_at = ? WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?',
  burn: 'UPDATE connect_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL',
  pruneLinks: 'DELETE FROM connect_links WHERE expires_at < ?',
  pruneFlows: 'DELETE FROM connect_flows WHERE expires_at < ?',
} as const;

export function createConnectStore(sql: Sql): ConnectStore {
  return {
    async saveLink(link) {
      await sql.run(SQL.insertLink, [link.tokenHash, link.teamId, link.userId, link.createdAt, link.expiresAt]);
    },
    async findLink(tokenHash, now) {
      const row = await sql.get<{ team_id: string; user_id: string; expires_at: number; used_at: number | null }>(
        SQL.selectLink,
        [tokenHash],
      );
      if (!row) return { found: false };
      return {
        found: true,
        user: { teamId: row.team_id, userId: row.user_id },
        expired: row.expires_at <= now,
        used: row.used_at !== null,
      };
    },
    useLinkAndStartFlow: (tokenHash, flow) =>
      sql.tx(async (within) => {
        if ((await within.run(SQL.markLinkUsed, [flow.createdAt, tokenHash, flow.createdAt])) !== 1) return false;
        await within.run(SQL.insertFlow, [
          flow.stateHash,
          flow.browserHash,
          flow.teamId,
          flow.userId,
          flow.createdAt,
          flow.expiresAt,
        ]);
        return true;
      }),
    async findFlow(stateHash) {
      const row = await sql.get<{
        team_id: string;
        user_id: string;
        identifier: string;
        browser_hash: string;
        expires_at: number;
        consumed_at: number | null;
      }>(SQL.selectFlow, [stateHash]);
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
    consumeFlow: async (stateHash, now) => (await sql.run(SQL.markFlowConsumed, [now, stateHash, now])) === 1,
    async releaseFlow(stateHash) {
      await sql.run(SQL.unmarkFlow, [stateHash]);
    },
    async prune(now) {
      await sql.run(SQL.pruneLinks, [now - DAY_MS]);
      await sql.run(SQL.pruneFlows, [now - DAY_MS]);
    },
    async saveSignIn(signIn) {
      await sql.run(SQL.insertSignIn, [signIn.stateHash, signIn.tokenHash, signIn.browserHash, signIn.expiresAt]);
    },
    async findSignIn(stateHash, now) {
      const row = await sql.get<{ token_hash: string; browser_hash: string }>(SQL.selectSignIn, [stateHash, now]);
      return row ? { tokenHash: row.token_hash, browserHash: row.browser_hash } : undefined;
    },
    takeSignIn: async (stateHash, now) => (await sql.run(SQL.takeSignIn, [now, stateHash, now])) === 1,
    async burnLink(tokenHash, now) {
      await sql.run(SQL.burn, [now, tokenHash]);
    },
  };
}
