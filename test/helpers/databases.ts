import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, inject } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/db/migrations.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import type { Database, Dialect } from '../../src/db/sql.ts';
import { migrateSqlite, openSqlite } from '../../src/db/sqlite.ts';
import { TEMPLATE_DATABASE } from './postgres-cluster.ts';

export interface TestDatabase {
  db: Database;
  /** Opens a second connection (pool) on the same data, as another process would. */
  reopen(): Promise<Database>;
  /** For the bot's own settings: DATABASE_PATH, or DATABASE_URL. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** The drivers a contract test runs on: SQLite always; PostgreSQL when the run has a server (always in CI). */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** Why PostgreSQL tests are skipped on this machine, or undefined when they run. */
export function postgresMissing(): string | undefined {
  return inject('postgresUnavailable') || undefined;
}

const silent = { warn: () => {}, error: () => {} };

/** A fresh, empty database of the dialect, with the schema (a new file, or a new PostgreSQL database). */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bot-db-'));
    const path = join(dir, 'bot.db');
    return {
      db: openSqlite(path),
      reopen: async () => openSqlite(path),
      env: { DATABASE_PATH: path },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createPostgresDatabase();
  return {
    db: await openPostgres(url, { logger: silent }),
    reopen: () => openPostgres(url, { logger: silent }),
    env: { DATABASE_URL: url },
    drop: () => dropPostgresDatabase(url),
  };
}

/** A new database on the test server, with the schema (or none: `empty`); its URL. */
export async function createPostgresDatabase(options: { empty?: boolean } = {}): Promise<string> {
  const admin = inject('postgresUrl');
  if (!admin) throw new Error(postgresMissing() ?? 'no PostgreSQL');
  const name = `bot_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(
      `CREATE DATABASE ${name}${options.empty ? '' : ` TEMPLATE ${TEMPLATE_DATABASE} STRATEGY FILE_COPY`}`,
    );
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const admin = inject('postgresUrl');
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * A plain better-sqlite3 connection to the bot's SQLite file (created with the schema if need be), for tests that
 * set up or inspect rows directly, as another process would.
 */
export function rawSqlite(path: string): BetterSqlite3.Database {
  mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  migrateSqlite(connection, SQLITE_MIGRATIONS);
  return connection;
}

/**
 * For a contract suite inside `describe.each(DIALECTS)`: a fresh database of the dialect for each test, closed and
 * dropped after it. PostgreSQL tests skip (saying why) on a machine without a server; in CI there is always one.
 */
export function useTestDatabase(dialect: Dialect): { readonly db: Database; readonly test: TestDatabase } {
  let current: TestDatabase | undefined;
  beforeEach(async (context) => {
    const missing = dialect === 'postgres' ? postgresMissing() : undefined;
    if (missing) {
      context.skip(missing);
      return;
    }
    current = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await current?.db.close();
    await current?.drop();
    current = undefined;
  });
  return {
    get db() {
      if (!current) throw new Error('no test database (used outside a test?)');
      return current.db;
    },
    get test() {
      if (!current) throw new Error('no test database (used outside a test?)');
      return current;
    },
  };
}
