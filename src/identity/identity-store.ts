import type { Db } from '../db/database.ts';
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
  identifierFor(user: SlackUser): ScalekitIdentifier;
  /** Who an identifier belongs to, or undefined. */
  slackUserOf(identifier: string): SlackUser | undefined;
}

/**
 * Identifiers are random rather than derived from Slack ids, so knowing someone's Slack id (which every
 * workspace member can see) tells you nothing about their Scalekit identifier.
 */
export function createSqliteIdentityStore(
  db: Db,
  deps: { newIdentifier: () => string; now: () => number },
): IdentityStore {
  const insert = db.prepare(
    'INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO NOTHING',
  );
  const byUser = db.prepare<[string, string], { identifier: string }>(
    'SELECT identifier FROM identities WHERE team_id = ? AND user_id = ?',
  );
  const byIdentifier = db.prepare<[string], { team_id: string; user_id: string }>(
    'SELECT team_id, user_id FROM identities WHERE identifier = ?',
  );

  return {
    identifierFor({ teamId, userId }) {
      const existing = byUser.get(teamId, userId);
      if (existing) return existing.identifier as ScalekitIdentifier;
      insert.run(teamId, userId, deps.newIdentifier(), deps.now());
      // Read back rather than trusting our candidate: another process may have won the insert.
      const row = byUser.get(teamId, userId);
      if (!row) throw new Error('identity insert did not persist');
      return row.identifier as ScalekitIdentifier;
    },
    slackUserOf(identifier) {
      const row = byIdentifier.get(identifier);
      return row ? { teamId: row.team_id, userId: row.user_id } : undefined;
    },
  };
}
