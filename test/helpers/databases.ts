import { execFileSync } from 'node:child_process';
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
import { postgresBin, TEMPLATE_DATABASE } from './postgres-cluster.ts';

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

/** The database a black-box test's bot runs on: the `postgres` test project sets BOT_TEST_DATABASE=postgres. */
export function botDialect(): Dialect {
  return process.env.BOT_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface BotDatabase {
  /** DATABASE_PATH or DATABASE_URL, for the bot's environment. */
  env: Record<string, string>;
  /** The SQLite file (also set with PostgreSQL, where the bot must not create it). */
  path: string;
  /**
   * The Scalekit identifier of a Slack user, created as the identity store would if the bot has not met them:
   * synchronous (another process's connection: better-sqlite3, or psql) for the tests' convenience.
   */
  identifierOf(teamId: string, userId: string): string;
  /** A SELECT's rows as another process sees them, synchronously (read-only; `?` placeholders). */
  rows<T>(sql: string, params?: unknown[]): T[];
  open(): Promise<Database>;
  drop(): Promise<void>;
}

/** A fresh database for a bot under test, of the dialect this test project runs on (or SQLite at `path`). */
export async function createBotDatabase(options: { path?: string } = {}): Promise<BotDatabase> {
  const dir = options.path ? undefined : mkdtempSync(join(tmpdir(), 'bot-test-'));
  const path = options.path ?? join(dir as string, 'bot.db');
  const newIdentifier = (userId: string) => `u_test_${userId}_${Date.now()}`;
  const removeDir = async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  if (botDialect() === 'sqlite' || options.path) {
    return {
      env: { DATABASE_PATH: path },
      path,
      identifierOf(teamId, userId) {
        const db = rawSqlite(path);
        try {
          db.prepare(
            'INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
          ).run(teamId, userId, newIdentifier(userId), Date.now());
          const row = db
            .prepare('SELECT identifier FROM identities WHERE team_id = ? AND user_id = ?')
            .get(teamId, userId);
          return (row as { identifier: string }).identifier;
        } finally {
          db.close();
        }
      },
      rows<T>(sql: string, params: unknown[] = []) {
        const db = new BetterSqlite3(path, { readonly: true });
        try {
          return db.prepare<unknown[], T>(sql).all(...params);
        } finally {
          db.close();
        }
      },
      open: async () => openSqlite(path),
      drop: removeDir,
    };
  }
  const url = await createPostgresDatabase();
  const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const psql = (...commands: string[]) =>
    execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, ...commands.flatMap((c) => ['-c', c])], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${process.env.PATH ?? ''}:${postgresBin()}` },
    });
  return {
    env: { DATABASE_URL: url, DATABASE_PATH: path },
    path,
    identifierOf(teamId, userId) {
      return psql(
        `INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (${quote(teamId)}, ${quote(userId)}, ${quote(newIdentifier(userId))}, ${Date.now()}) ON CONFLICT DO NOTHING`,
        `SELECT identifier FROM identities WHERE team_id = ${quote(teamId)} AND user_id = ${quote(userId)}`,
      ).trim();
    },
    rows<T>(sql: string, params: unknown[] = []) {
      let n = 0;
      const literal = sql.replace(/\?/g, () => {
        const value = params[n++];
        return typeof value === 'number' ? String(value) : value === null ? 'NULL' : quote(String(value));
      });
      return JSON.parse(psql(`SELECT coalesce(json_agg(r), '[]') FROM (${literal}) r`)) as T[];
    },
    open: () => openPostgres(url, { logger: silent }),
    async drop() {
      await dropPostgresDatabase(url);
      await removeDir();
    },
  };
}
