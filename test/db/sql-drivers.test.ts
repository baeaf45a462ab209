import { describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/db/migrations.ts';
import { migratePostgres, openPostgres } from '../../src/db/postgres.ts';
import {
  createPostgresDatabase,
  DIALECTS,
  dropPostgresDatabase,
  postgresMissing,
  useTestDatabase,
} from '../helpers/databases.ts';
import { postgresRequired } from '../helpers/postgres-cluster.ts';
import { freePort } from '../helpers/test-bot.ts';

describe.each(DIALECTS)('the %s driver', (dialect) => {
  const t = useTestDatabase(dialect);

  it('keeps transactions whole and apart, however their awaits interleave with other statements', async () => {
    await t.db.run('INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (?, ?, ?, ?)', [
      'T1',
      'U1',
      'id-1',
      0,
    ]);
    const bump = (n: number) =>
      t.db.tx(async (sql) => {
        await sql.run('UPDATE identities SET created_at = created_at + 1 WHERE identifier = ?', ['id-1']);
        // A failing transaction leaves nothing behind, even with statements outside it running meanwhile.
        if (n % 5 === 0) throw new Error('rolled back');
        return n;
      });
    const outside = Array.from({ length: 10 }, () => t.db.get('SELECT created_at FROM identities'));
    const results = await Promise.allSettled([...Array.from({ length: 20 }, (_, i) => bump(i)), ...outside]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    expect(await t.db.get('SELECT created_at AS n FROM identities')).toEqual({ n: 16 });
  });

  it('fails loudly when a statement bypasses its transaction, instead of hanging or escaping it', async () => {
    await expect(t.db.tx(async () => t.db.get('SELECT 1 AS one'))).rejects.toThrow(
      /use the Sql that tx\(\) hands its work/,
    );
    expect(await t.db.tx(async (sql) => sql.get('SELECT 1 AS one'))).toEqual({ one: 1 });
  });

  it('reports how many rows a statement changed, and the rows of RETURNING', async () => {
    await t.db.run(
      'INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
      ['T1', 'U1', 'id-1', 5, 'T1', 'U2', 'id-2', 6],
    );
    expect(await t.db.run('UPDATE identities SET created_at = ? WHERE created_at < ?', [1, 100])).toBe(2);
    const claimed = await t.db.query<{ identifier: string; created_at: number }>(
      'UPDATE identities SET created_at = ? WHERE identifier = ? AND created_at = ? RETURNING identifier, created_at',
      [2, 'id-1', 1],
    );
    // Times are numbers on both drivers (BIGINT in PostgreSQL).
    expect(claimed).toEqual([{ identifier: 'id-1', created_at: 2 }]);
    expect(await t.db.query('SELECT 1 AS x WHERE 1 = 0')).toEqual([]);
  });
});

describe.skipIf(postgresMissing())('PostgreSQL at start', () => {
  it('migrates once when several processes start together', async () => {
    const url = await createPostgresDatabase({ empty: true });
    const silent = { warn: () => {}, error: () => {} };
    try {
      const dbs = await Promise.all([1, 2, 3].map(() => openPostgres(url, { logger: silent })));
      const steps = await dbs[0]?.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(steps?.map((s) => s.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
      await Promise.all(dbs.map((db) => db.close()));
    } finally {
      await dropPostgresDatabase(url);
    }
  });

  it('applies nothing of a failing step, and says which step failed', async () => {
    const url = await createPostgresDatabase({ empty: true });
    const silent = { warn: () => {}, error: () => {} };
    try {
      const db = await openPostgres(url, { logger: silent, migrate: false });
      await expect(migratePostgres(db, [...POSTGRES_MIGRATIONS, 'CREATE TABLE broken (x nosuchtype)'])).rejects.toThrow(
        `schema step ${POSTGRES_MIGRATIONS.length + 1} failed: type "nosuchtype" does not exist`,
      );
      expect(await db.get("SELECT to_regclass('identities') AS found")).toEqual({ found: null });
      await migratePostgres(db, POSTGRES_MIGRATIONS);
      // Again: nothing left to do.
      await expect(migratePostgres(db, POSTGRES_MIGRATIONS)).resolves.toBeUndefined();
      await expect(migratePostgres(db, [])).rejects.toThrow(/newer than this build knows/);
      await db.close();
    } finally {
      await dropPostgresDatabase(url);
    }
  });
});

describe('PostgreSQL unreachable at start', () => {
  it('retries for a bounded time, then names the host and never the password', async () => {
    const port = await freePort();
    const warnings: unknown[] = [];
    const started = Date.now();
    const opening = openPostgres(`postgres://bot:s3cret-pw@127.0.0.1:${port}/bot`, {
      logger: { warn: (...args: unknown[]) => warnings.push(args), error: () => {} },
      connectForMs: 1500,
    });
    const error = await opening.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      new RegExp(`^Cannot reach PostgreSQL bot@127\\.0\\.0\\.1:${port}/bot: .*ECONNREFUSED`),
    );
    expect(error?.message).not.toContain('s3cret-pw');
    expect(JSON.stringify(warnings)).not.toContain('s3cret-pw');
    expect(warnings.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });
});

describe('whether a missing PostgreSQL fails the run', () => {
  it('fails it in CI or with REQUIRE_POSTGRES=1, and skips elsewhere', () => {
    expect(postgresRequired({ CI: 'true' })).toBe(true);
    expect(postgresRequired({ REQUIRE_POSTGRES: '1' })).toBe(true);
    expect(postgresRequired({ CI: 'false' })).toBe(false);
    expect(postgresRequired({})).toBe(false);
  });
});
