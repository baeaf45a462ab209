import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/**
 * Opens the bot's SQLite file once for the whole process. WAL lets readers run beside the single writer, and
 * busy_timeout makes a second process (the audit export) wait instead of failing.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, MIGRATIONS);
  return db;
}

/** Applies the steps after `PRAGMA user_version`, each in its own transaction together with the version bump. */
export function migrate(db: Db, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `The database is at schema version ${current}, newer than this build knows (${migrations.length}). Refusing to run an older bot on it.`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** The Slack user a row belongs to (its `team_id` and `user_id` columns). */
export function userOfRow(row: { team_id: string; user_id: string }): { teamId: string; userId: string } {
  return { teamId: row.team_id, userId: row.user_id };
}

/** The Slack thread a row is about (its `channel` and `thread_ts` columns). */
export function threadOfRow(row: { channel: string; thread_ts: string }): { channel: string; threadTs: string } {
  return { channel: row.channel, threadTs: row.thread_ts };
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** A row's type with its snake_case columns as camelCase fields. */
export type CamelCased<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

/** A row with its snake_case columns as camelCase fields, values as they are. */
export function camelCased<T extends object>(row: T): CamelCased<T> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  ) as CamelCased<T>;
}
