import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import {
  asTransactionWork,
  type Database,
  outsideTransaction,
  type Sql,
  type SqlValue,
  type Statement,
  textOf,
} from './sql.ts';

type Connection = BetterSqlite3.Database;

/**
 * Opens the bot's SQLite file once for the whole process and brings its schema up to date. WAL lets readers run
 * beside the single writer, and busy_timeout makes a second process (the audit export) wait instead of failing.
 */
export function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  try {
    migrateSqlite(connection, SQLITE_MIGRATIONS);
  } catch (error) {
    connection.close();
    throw error;
  }
  return sqliteDatabase(connection, path);
}

/** An existing file, read-only and without migrating (the audit export, beside a running bot). */
export function openSqliteReadOnly(path: string): Database {
  const connection = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  // One pass in index order reads each page about once: a cache of 2 MB does as well as better-sqlite3's 16 MB.
  connection.pragma('cache_size = -2000');
  return sqliteDatabase(connection, path);
}

/** Applies the steps after `PRAGMA user_version`, each in its own transaction together with the version bump. */
export function migrateSqlite(connection: Connection, migrations: readonly string[]): void {
  const current = connection.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `The database is at schema version ${current}, newer than this build knows (${migrations.length}). Refusing to run an older bot on it.`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    try {
      connection.transaction(() => {
        connection.exec(migrations[version] as string);
        connection.pragma(`user_version = ${version + 1}`);
      })();
    } catch (error) {
      throw new Error(`Schema step ${version + 1} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * better-sqlite3's calls are synchronous; here they answer as promises. One connection serves the whole process, so
 * while a transaction awaits between its statements every other caller waits for it to finish (otherwise their
 * statements would land inside it).
 */
function sqliteDatabase(connection: Connection, path: string): Database {
  const prepared = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();
  const prepare = (statement: Statement) => {
    const text = textOf(statement, 'sqlite');
    let found = prepared.get(text);
    if (!found) {
      found = connection.prepare(text);
      prepared.set(text, found);
    }
    return found;
  };
  // While a transaction (or a stream) holds the connection, `busy` settles when it lets go. Every wait below is
  // `while (busy) await busy` written out, with nothing awaited between the check and what follows: an async helper
  // would yield a turn and let two callers both see the connection free.
  let busy: Promise<void> | undefined;

  const inside: Sql = {
    dialect: 'sqlite',
    query: async <T>(statement: Statement, params: readonly SqlValue[] = []) =>
      prepare(statement).all(...params) as T[],
    get: async <T>(statement: Statement, params: readonly SqlValue[] = []) =>
      prepare(statement).get(...params) as T | undefined,
    run: async (statement, params = []) => prepare(statement).run(...params).changes,
    // Already in a transaction: the work joins it.
    tx: (work) => work(inside),
    async *stream<T>(statement: Statement, params: readonly SqlValue[] = []) {
      for (const row of prepare(statement).iterate(...params)) yield row as T;
    },
  };

  async function exclusively<T>(work: () => Promise<T>): Promise<T> {
    while (busy) await busy;
    let release = () => {};
    busy = new Promise((resolve) => {
      release = resolve;
    });
    try {
      return await work();
    } finally {
      busy = undefined;
      release();
    }
  }

  return {
    dialect: 'sqlite',
    describe: `SQLite at ${path}`,
    async query(statement, params) {
      outsideTransaction();
      while (busy) await busy;
      return inside.query(statement, params);
    },
    async get(statement, params) {
      outsideTransaction();
      while (busy) await busy;
      return inside.get(statement, params);
    },
    async run(statement, params) {
      outsideTransaction();
      while (busy) await busy;
      return inside.run(statement, params);
    },
    tx: (work) => {
      outsideTransaction();
      return exclusively(async () => {
        connection.exec('BEGIN IMMEDIATE');
        try {
          const result = await asTransactionWork(() => work(inside));
          connection.exec('COMMIT');
          return result;
        } catch (error) {
          if (connection.inTransaction) connection.exec('ROLLBACK');
          throw error;
        }
      });
    },
    // The connection is held until the last row is read: one read, one snapshot.
    async *stream<T>(statement: Statement, params: readonly SqlValue[] = []) {
      outsideTransaction();
      while (busy) await busy;
      let release = () => {};
      busy = new Promise((resolve) => {
        release = resolve;
      });
      try {
        yield* inside.stream<T>(statement, params);
      } finally {
        busy = undefined;
        release();
      }
    },
    ping: async () => ({ ok: true }),
    async close() {
      while (busy) await busy;
      connection.close();
    },
  };
}
