import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db/database.ts';
import { MIGRATIONS } from '../../src/db/migrations.ts';
import { createSqliteIdentityStore } from '../../src/identity/identity-store.ts';

let counter = 0;
const deps = { newIdentifier: () => `id-${++counter}`, now: () => 1_700_000_000_000 };

function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'identity-')), 'nested', 'bot.db');
}

describe('identity store on a real SQLite file', () => {
  it('keeps the same identifier across a restart on the same file', () => {
    const path = tempDbPath();
    const first = openDatabase(path);
    const id = createSqliteIdentityStore(first, deps).identifierFor({ teamId: 'T1', userId: 'U1' });
    first.close();

    const second = openDatabase(path);
    const store = createSqliteIdentityStore(second, deps);
    expect(store.identifierFor({ teamId: 'T1', userId: 'U1' })).toBe(id);
    expect(store.slackUserOf(id)).toEqual({ teamId: 'T1', userId: 'U1' });
    second.close();
  });

  it('gives different users and different teams different identifiers', () => {
    const db = openDatabase(tempDbPath());
    const store = createSqliteIdentityStore(db, deps);
    const ids = new Set([
      store.identifierFor({ teamId: 'T1', userId: 'U1' }),
      store.identifierFor({ teamId: 'T1', userId: 'U2' }),
      store.identifierFor({ teamId: 'T2', userId: 'U1' }),
    ]);
    expect(ids.size).toBe(3);
    expect(store.slackUserOf('unknown')).toBeUndefined();
    db.close();
  });

  it('keeps the first identifier when two stores race to create one', () => {
    const path = tempDbPath();
    const a = openDatabase(path);
    const b = openDatabase(path);
    const storeA = createSqliteIdentityStore(a, { ...deps, newIdentifier: () => 'from-a' });
    const storeB = createSqliteIdentityStore(b, { ...deps, newIdentifier: () => 'from-b' });
    expect(storeA.identifierFor({ teamId: 'T1', userId: 'U9' })).toBe('from-a');
    expect(storeB.identifierFor({ teamId: 'T1', userId: 'U9' })).toBe('from-a');
    a.close();
    b.close();
  });

  it('opens with WAL, foreign keys, a busy timeout and the latest schema version', () => {
    const db = openDatabase(tempDbPath());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('applies only the migrations after the current version, and refuses a newer database', () => {
    const db = openDatabase(':memory:');
    migrate(db, [...MIGRATIONS, 'CREATE TABLE extra (x INTEGER) STRICT;']);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    migrate(db, [...MIGRATIONS, 'CREATE TABLE extra (x INTEGER) STRICT;']);
    expect(() => migrate(db, MIGRATIONS)).toThrow(/newer than this build knows/);
    db.close();
  });
});
