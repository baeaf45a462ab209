import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import {
  asTransactionWork,
  type Database,
  outsideTransaction,
  type Sql,
  type SqlValue,
  type Statement,
  textOf,
} from './sql.ts';

/** The advisory lock key only migrations take: several processes starting at once migrate one after the other. */
const MIGRATION_LOCK = 7_240_001;
/** Rows per round trip when streaming (the audit export). */
const STREAM_BATCH = 500;
const INT8_OID = 20;

export interface PostgresOptions {
  /** How long start-up keeps trying to reach the server before giving up. */
  connectForMs?: number;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Skips the schema steps (the read-only audit export). */
  migrate?: boolean;
}

/** Why the database cannot be used, said for an operator; `where` names the host, never the password. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * Where a PostgreSQL URL points, for messages: user, host, port and database, never the password. Pool size
 * (`max`), `statement_timeout` and TLS (`sslmode`) are read from the URL's query.
 */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `PostgreSQL ${user}${host}:${parsed.port || '5432'}/${decodeURIComponent(parsed.pathname.slice(1))}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL is not a valid URL)';
  }
}

/**
 * Opens a pool on DATABASE_URL, waits (for a bounded time) until the server answers, and brings the schema up to
 * date under an advisory lock. Throws DatabaseUnavailableError with a message fit for the operator.
 */
export async function openPostgres(url: string, options: PostgresOptions): Promise<Database> {
  const where = describePostgresUrl(url);
  const password = passwordOf(url);
  const scrub = (text: string) => (password ? text.replaceAll(password, '***') : text);
  const max = Number(new URL(url).searchParams.get('max') ?? 10);
  const pool = new pg.Pool({
    connectionString: url,
    max: Number.isFinite(max) && max > 0 ? max : 10,
    // Times are milliseconds since the epoch in BIGINT columns, well inside a double's exact range.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  // A pooled connection the server dropped while idle: the pool forgets it and makes a new one when asked.
  pool.on('error', (error) =>
    options.logger.warn('A PostgreSQL connection was lost', { where, error: scrub(error.message) }),
  );

  const deadline = Date.now() + (options.connectForMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      break;
    } catch (error) {
      const reason = scrub(messageOf(error));
      if (isPermanent(error) || Date.now() >= deadline) {
        await pool.end().catch(() => {});
        throw new DatabaseUnavailableError(`Cannot reach ${where}: ${reason}`, { cause: error });
      }
      options.logger.warn('PostgreSQL is not answering yet; retrying', { where, attempt, reason });
      await sleep(Math.min(250 * 2 ** attempt, 2000, Math.max(0, deadline - Date.now())));
    }
  }

  const db = postgresDatabase(pool, where);
  if (options.migrate !== false) {
    try {
      await migratePostgres(db, POSTGRES_MIGRATIONS);
    } catch (error) {
      await db.close();
      throw new DatabaseUnavailableError(`Cannot migrate ${where}: ${scrub(messageOf(error))}`, { cause: error });
    }
  }
  return db;
}

/**
 * Applies the steps not yet in `schema_migrations`, all in one transaction holding an advisory lock: a second
 * process starting at the same time waits, then finds nothing left to do.
 */
export async function migratePostgres(db: Sql, migrations: readonly string[]): Promise<void> {
  await db.tx(async (sql) => {
    await sql.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await sql.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
    );
    const row = await sql.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const current = row?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `the database is at schema version ${current}, newer than this build knows (${migrations.length}). Refusing to run an older bot on it.`,
      );
    }
    for (let version = current; version < migrations.length; version++) {
      try {
        await sql.run(migrations[version] as string);
      } catch (error) {
        throw new Error(`schema step ${version + 1} failed: ${messageOf(error)}`, { cause: error });
      }
      await sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version + 1, Date.now()]);
    }
  });
}

function postgresDatabase(pool: pg.Pool, where: string): Database {
  const texts = new Map<string, string>();
  /** `?` placeholders become `$1`, `$2`…; the statements hold no `?` inside string literals. */
  const toText = (statement: Statement) => {
    const source = textOf(statement, 'postgres');
    let text = texts.get(source);
    if (text === undefined) {
      let n = 0;
      text = source.replace(/\?/g, () => `$${++n}`);
      texts.set(source, text);
    }
    return text;
  };
  const over = (client: pg.Pool | pg.PoolClient): Sql => {
    const send = async (statement: Statement, params: readonly SqlValue[] = []) => {
      if (client === pool) outsideTransaction();
      return client.query(toText(statement), params as SqlValue[]);
    };
    const sql: Sql = {
      dialect: 'postgres',
      query: async <T>(statement: Statement, params?: readonly SqlValue[]) =>
        (await send(statement, params)).rows as T[],
      get: async <T>(statement: Statement, params?: readonly SqlValue[]) =>
        (await send(statement, params)).rows[0] as T | undefined,
      run: async (statement, params) => (await send(statement, params)).rowCount ?? 0,
      tx: (work) => (client === pool ? transaction(work) : work(sql)),
      stream: (statement, params) => streamRows(statement, params),
    };
    return sql;
  };

  async function transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    outsideTransaction();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await asTransactionWork(() => work(over(client)));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that could not even roll back is not given to anyone else.
      client.release(broken ?? false);
    }
  }

  async function* streamRows<T>(statement: Statement, params: readonly SqlValue[] = []): AsyncGenerator<T> {
    outsideTransaction();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // One snapshot for the whole read, however long the reader takes.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE rows NO SCROLL CURSOR FOR ${toText(statement)}`, params as SqlValue[]);
      for (;;) {
        const batch = await client.query(`FETCH ${STREAM_BATCH} FROM rows`);
        for (const row of batch.rows) yield row as T;
        if (batch.rows.length < STREAM_BATCH) break;
      }
      await client.query('COMMIT');
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      client.release(broken ?? false);
    }
  }

  return {
    ...over(pool),
    describe: where,
    async ping() {
      // A server that vanished without closing its connections would leave the check hanging: it gets 3 s.
      const timedOut = sleep(3000, 'timed out', { ref: false });
      try {
        const outcome = await Promise.race([pool.query('SELECT 1').then(() => 'ok'), timedOut]);
        return outcome === 'ok' ? { ok: true } : { ok: false, reason: `${where} did not answer within 3 s` };
      } catch (error) {
        return { ok: false, reason: `${where} is not answering: ${messageOf(error)}` };
      }
    },
    close: () => pool.end(),
  };
}

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length > 0 ? password : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || String((error as { code?: string }).code) : String(error);
}

/** Wrong password, no such role or database: waiting will not fix these. */
function isPermanent(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '28P01' || code === '28000' || code === '3D000';
}
