import type { Sql } from '../db/sql.ts';
import type { SlackUser } from '../shared/messages.ts';

export type { SlackUser };

declare const resolved: unique symbol;

/**
 * A Scalekit identifier the identity map resolved for a Slack user, who in turn came from a verified Slack payload
 * (or a row first written from one). Only this module makes one, so nothing else can act in someone's Intercom with
 * a string from anywhere else.
 */
export type ScalekitIdentifier = string & { readonly [resolved]: true };

export interface IdentityStore {
  /** The user's Scalekit identifier, created on first contact and the same for ever after. */
  identifierFor(user: SlackUser): Promise<ScalekitIdentifier>;
  /** The user's identifier if the bot has met them, without making one. */
  knownIdentifier(user: SlackUser): Promise<ScalekitIdentifier | undefined>;
  /** Who an identifier belongs to, or undefined. */
  slackUserOf(identifier: string): Promise<SlackUser | undefined>;
}

const SQL = {
  insert:
    'INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO NOTHING',
  byUser: 'SELECT identifier FROM identities WHERE team_id = ? AND user_id = ?',
  byIdentifier: 'SELECT team_id, user_id FROM identities WHERE identifier = ?',
} as const;

/**
 * Identifiers are random rather than derived from Slack ids, so knowing someone's Slack id (which every
 * workspace member can see) tells you nothing about their Scalekit identifier.
 */
export function createIdentityStore(sql: Sql, deps: { newIdentifier: () => string; now: () => number }): IdentityStore {
  const byUser = (teamId: string, userId: string) => sql.get<{ identifier: string }>(SQL.byUser, [teamId, userId]);
  return {
    async identifierFor({ teamId, userId }) {
      const existing = await byUser(teamId, userId);
      if (existing) return existing.identifier as ScalekitIdentifier;
      await sql.run(SQL.insert, [teamId, userId, deps.newIdentifier(), deps.now()]);
      // Read back rather than trusting our candidate: another process may have won the insert.
      const row = await byUser(teamId, userId);
      if (!row) throw new Error('identity insert did not persist');
      return row.identifier as ScalekitIdentifier;
    },
    async knownIdentifier({ teamId, userId }) {
      return (await byUser(teamId, userId))?.identifier as ScalekitIdentifier | undefined;
    },
    async slackUserOf(identifier) {
      const row = await sql.get<{ team_id: string; user_id: string }>(SQL.byIdentifier, [identifier]);
      return row ? { teamId: row.team_id, userId: row.user_id } : undefined;
    },
  };
}
