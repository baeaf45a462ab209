import { AsyncLocalStorage } from 'node:async_hooks';

export type Dialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | null;

/**
 * One statement, written once with `?` placeholders; where the two databases' SQL differs (upserts that take the
 * larger value, row ids, casts), a store gives both texts side by side and the driver picks its own.
 */
export type Statement = string | { readonly sqlite: string; readonly postgres: string };

/**
 * What every store is written against: the bot's state in SQLite (one file, the default) or PostgreSQL (several
 * processes). Both drivers run the same statements with the same meaning; only the texts in a `Statement` pair
 * differ.
 */
export interface Sql {
  readonly dialect: Dialect;
  /** The rows a SELECT (or a statement with RETURNING) gives. */
  query<T>(statement: Statement, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(statement: Statement, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement that returns no rows; resolves to how many rows it changed. */
  run(statement: Statement, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` in one transaction: committed if it resolves, rolled back if it throws. Its statements must go
   * through the `Sql` it is handed; nothing else runs on that connection meanwhile.
   */
  tx<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** The rows of a SELECT in batches, so a large result never sits in memory whole (a consistent snapshot). */
  stream<T>(statement: Statement, params?: readonly SqlValue[]): AsyncIterable<T>;
}

/** An open database: the statements, plus what the process's lifecycle needs. */
export interface Database extends Sql {
  /** Where the data is, for messages: the file, or the host and database name (never the password). */
  readonly describe: string;
  /** Whether the database answers now; a reason when it does not (for `/healthz`). */
  ping(): Promise<{ ok: true } | { ok: false; reason: string }>;
  close(): Promise<void>;
}

export function textOf(statement: Statement, dialect: Dialect): string {
  return typeof statement === 'string' ? statement : statement[dialect];
}

const transactionWork = new AsyncLocalStorage<true>();

/** Runs a transaction's work marked as such (see `outsideTransaction`). */
export function asTransactionWork<T>(work: () => Promise<T>): Promise<T> {
  return transactionWork.run(true, work);
}

/**
 * Refuses a statement on the database itself from inside a transaction's work: on SQLite it would wait for the
 * transaction forever, on PostgreSQL it would run on another connection, outside the transaction. A store must use
 * the `Sql` its transaction hands it.
 */
export function outsideTransaction(): void {
  if (transactionWork.getStore()) {
    throw new Error(
      'A statement inside a transaction went to the database directly; use the Sql that tx() hands its work',
    );
  }
}
