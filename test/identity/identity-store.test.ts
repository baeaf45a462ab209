import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/db/migrations.ts';
import { migrateSqlite, openSqlite } from '../../src/db/sqlite.ts';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import { createTestDatabase, DIALECTS, postgresMissing, type TestDatabase } from '../helpers/databases.ts';

let counter = 0;
const deps = { newIdentifier: () => `id-${++counter}`, now: () => 1_700_000_000_000 };

describe.each(DIALECTS)('identity store on %s', (dialect) => {
  const skip = dialect === 'postgres' ? postgresMissing() : undefined;
  let test: TestDatabase | undefined;
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    await test?.db.close();
    await test?.drop();
    test = undefined;
  });

  it.skipIf(skip)('keeps the same identifier across a restart on the same data', async () => {
    test = await createTestDatabase(dialect);
    const id = await createIdentityStore(test.db, deps).identifierFor({ teamId: 'T1', userId: 'U1' });
    const second = await test.reopen();
    open.push(second);
    const store = createIdentityStore(second, deps);
    expect(await store.identifierFor({ teamId: 'T1', userId: 'U1' })).toBe(id);
    expect(await store.slackUserOf(id)).toEqual({ teamId: 'T1', userId: 'U1' });
  });

  it.skipIf(skip)('gives different users and different teams different identifiers', async () => {
    test = await createTestDatabase(dialect);
    const store = createIdentityStore(test.db, deps);
    const ids = new Set([
      await store.identifierFor({ teamId: 'T1', userId: 'U1' }),
      await store.identifierFor({ teamId: 'T1', userId: 'U2' }),
      await store.identifierFor({ teamId: 'T2', userId: 'U1' }),
    ]);
    expect(ids.size).toBe(3);
    expect(await store.slackUserOf('unknown')).toBeUndefined();
  });

  it.skipIf(skip)('keeps the first identifier when two processes race to create one', async () => {
    test = await createTestDatabase(dialect);
    const other = await test.reopen();
    open.push(other);
    const storeA = createIdentityStore(test.db, { ...deps, newIdentifier: () => 'from-a' });
    const storeB = createIdentityStore(other, { ...deps, newIdentifier: () => 'from-b' });
    const [a, b] = await Promise.all([
      storeA.identifierFor({ teamId: 'T1', userId: 'U9' }),
      storeB.identifierFor({ teamId: 'T1', userId: 'U9' }),
    ]);
    expect(a).toBe(b);
    expect(await storeA.identifierFor({ teamId: 'T1', userId: 'U9' })).toBe(a);
  });
});

describe('the SQLite file', () => {
  const path = () => join(mkdtempSync(join(tmpdir(), 'identity-')), 'nested', 'bot.db');

  it('opens with WAL, foreign keys, a busy timeout and the latest schema version', async () => {
    const file = path();
    await openSqlite(file).close();
    const raw = new BetterSqlite3(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
    raw.close();
  });

  it('applies only the migrations after the current version, and refuses a newer database', () => {
    const raw = new BetterSqlite3(':memory:');
    migrateSqlite(raw, [...SQLITE_MIGRATIONS, 'CREATE TABLE extra (x INTEGER) STRICT;']);
    expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length + 1);
    migrateSqlite(raw, [...SQLITE_MIGRATIONS, 'CREATE TABLE extra (x INTEGER) STRICT;']);
    expect(() => migrateSqlite(raw, SQLITE_MIGRATIONS)).toThrow(/newer than this build knows/);
    raw.close();
  });
});
