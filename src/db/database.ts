import type { Logger } from '../logger.ts';
import { openPostgres } from './postgres.ts';
import type { Database } from './sql.ts';
import { openSqlite } from './sqlite.ts';

export type { Database, Sql } from './sql.ts';

export interface DatabaseSettings {
  /** The SQLite file, used when `url` is not set. */
  path: string;
  /** postgres://…: all state in PostgreSQL, and no SQLite file at all. */
  url?: string;
}

/** Opens whichever database the configuration names, with its schema up to date. */
export async function openDatabase(
  settings: DatabaseSettings,
  options: { logger: Pick<Logger, 'warn' | 'error'>; connectForMs?: number },
): Promise<Database> {
  if (settings.url) return openPostgres(settings.url, options);
  return openSqlite(settings.path);
}
