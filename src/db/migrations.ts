/**
 * Schema steps in order; step N brings `PRAGMA user_version` from N to N+1. Never edit a step that has shipped:
 * append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE identities (
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     identifier TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (team_id, user_id)
   ) STRICT;`,
];
