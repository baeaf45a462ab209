import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/db/postgres.ts';
import { freePort } from './free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on a PostgreSQL server for the tests, or '' when there is none (see postgresUnavailable). */
    postgresUrl: string;
    /** Why there is no PostgreSQL for the tests ('' when there is). */
    postgresUnavailable: string;
  }
}

const HINT = 'apt-get install -y postgresql';

/** Whether a missing PostgreSQL must fail the run rather than skip its tests (CI, or REQUIRE_POSTGRES=1). */
export function postgresRequired(env: Record<string, string | undefined> = process.env): boolean {
  const on = (value: string | undefined) => value !== undefined && !['', 'false', '0'].includes(value);
  return on(env.CI) || on(env.REQUIRE_POSTGRES);
}

/** The directory of initdb and pg_ctl: Debian's /usr/lib/postgresql/<version>/bin (newest first), or PATH. */
export function serverBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? join(found, '..') : undefined;
}

/** Where psql is when it is not on PATH (Debian puts one beside the server binaries). */
export function postgresBin(): string {
  return serverBinaries() ?? '/usr/lib/postgresql/15/bin';
}

/**
 * vitest's globalSetup: a throwaway PostgreSQL cluster for the whole run (`initdb` into a temporary directory,
 * fsync off, listening on 127.0.0.1 only), stopped and deleted afterwards. TEST_DATABASE_URL points the tests at an
 * existing server instead. PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user
 * (created by Debian's package) or `nobody`.
 */
export async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.TEST_DATABASE_URL?.trim();
  if (given) {
    await createTemplate(given);
    project.provide('postgresUrl', given);
    project.provide('postgresUnavailable', '');
    return () => {};
  }
  const bin = serverBinaries();
  if (!bin) {
    const reason = `No PostgreSQL server binaries (initdb, pg_ctl) on this machine; install them: ${HINT}`;
    if (postgresRequired()) throw new Error(reason);
    project.provide('postgresUrl', '');
    project.provide('postgresUnavailable', reason);
    return () => {};
  }
  const cluster = await startCluster(bin);
  await createTemplate(cluster.url);
  project.provide('postgresUrl', cluster.url);
  project.provide('postgresUnavailable', '');
  return () => cluster.destroy();
}

export interface Cluster {
  /** The superuser's URL on the cluster's `postgres` database. */
  url: string;
  /** Stops the server (fast shutdown: sessions are cut off), keeping its data. */
  stop(): void;
  /** Starts it again on the same port. */
  start(): void;
  /** Stops it and deletes its data. */
  destroy(): void;
}

/** A new PostgreSQL cluster in a temporary directory, on a free loopback port, started. */
export async function startCluster(bin = serverBinaries()): Promise<Cluster> {
  if (!bin) throw new Error(`No PostgreSQL server binaries; install them: ${HINT}`);
  const dir = mkdtempSync(join(tmpdir(), 'bot-pg-'));
  const data = join(dir, 'data');
  const asUser = userInfo().uid === 0 ? runAsUser() : undefined;
  if (asUser) {
    chmodSync(dir, 0o755);
    chownSync(dir, asUser.uid, asUser.gid);
  }
  const run = (command: string, args: string[]) => {
    const [file, argv] = asUser
      ? ['runuser', ['-u', asUser.name, '--', join(bin, command), ...args]]
      : [join(bin, command), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  const port = await freePort();
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  try {
    run('initdb', ['--no-sync', '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '-D', data]);
    start();
  } catch (error) {
    const output = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start a throwaway PostgreSQL with ${bin}: ${output || (error as Error).message}`);
  }
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    process.off('exit', destroy);
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A run that ends without its teardown (interrupted) leaves no server behind either.
  process.once('exit', destroy);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, start, destroy };
}

/** The migrated, empty database every test database is copied from (a copy is much faster than migrating). */
export const TEMPLATE_DATABASE = 'bot_test_template';

async function createTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const db = await openPostgres(url.toString(), { logger: { warn: () => {}, error: () => {} } });
  await db.close();
}

function runAsUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) return { name, uid: Number(id.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('Running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as');
}
