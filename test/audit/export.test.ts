import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import { writeLines } from '../../src/audit/write-lines.ts';
import type { Sql } from '../../src/db/sql.ts';
import { createTestDatabase, DIALECTS, postgresMissing, type TestDatabase } from '../helpers/databases.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ROWS = 2500;
const START = Date.UTC(2026, 10, 1);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function fill(db: Sql): Promise<void> {
  const audit = createAuditLog(db);
  await db.tx(async (sql) => {
    for (let i = 0; i < ROWS; i++) {
      await audit.record(
        {
          // Written out of time order: the export sorts by time, not by insertion.
          at: START + ((i * 7919) % ROWS) * 60_000,
          kind: 'tool_call',
          teamId: 'T1',
          userId: i % 5 === 0 ? 'U1' : 'U2',
          identifier: 'u_x',
          toolName: 'intercom_search_contacts',
          summary: `query=${i}`,
          outcome: 'ok',
        },
        sql,
      );
    }
  });
}

/** The node flags and script of `npm run audit` in package.json. */
function auditScript(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { audit: string } };
  const [command, ...rest] = scripts.audit.split(' ');
  expect(command).toBe('node');
  return rest;
}

/** `npm run audit -- …` exactly as package.json runs it, with node from this test's own runtime. */
function npmRunAudit(args: string[], database: Record<string, string>) {
  const run = spawnSync(process.execPath, [...auditScript(), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...database },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.each(DIALECTS)('npm run audit on %s', (dialect) => {
  let database: TestDatabase | undefined;
  const env = () => database?.env ?? {};
  beforeAll(async () => {
    if (dialect === 'postgres' && postgresMissing()) return;
    database = await createTestDatabase(dialect);
    await fill(database.db);
    await database.db.close();
  });
  afterAll(async () => {
    await database?.drop();
  });
  const run = (args: string[]) => npmRunAudit(args, env());
  const available = it.skipIf(dialect === 'postgres' && postgresMissing());

  it('prints its usage for --help and exits 0', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run audit -- \[--since YYYY-MM-DD\]/);
    expect(help.stdout).toContain('--format jsonl|csv');
    expect(help.stdout).toContain('no row limit');
    expect(help.stderr).toBe('');
  });

  available('prints every row, oldest first, in both formats', () => {
    const jsonl = run([]);
    expect(jsonl.status).toBe(0);
    const rows = jsonl.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: string; summary: string });
    expect(rows).toHaveLength(ROWS);
    const times = rows.map((r) => Date.parse(r.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.summary)).size).toBe(ROWS);

    const csv = run(['--format', 'csv']);
    expect(csv.status).toBe(0);
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(ROWS + 1);

    const one = run(['--team', 'T1', '--user', 'U1', '--since', '2026-11-01']);
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(ROWS / 5);
  });

  available('stops quietly when the reader goes away', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" ${auditScript().join(' ')} | head -n 1`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env() },
      encoding: 'utf8',
    });
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toBe('');
  });
});

describe('writing lines with backpressure', () => {
  it('never has more than a chunk beyond the high-water mark buffered, and delivers every line in order', async () => {
    const received: string[] = [];
    let maxBuffered = 0;
    // A slow reader: each chunk is taken a turn of the event loop later.
    const out = new Writable({
      highWaterMark: 64,
      write(chunk, _encoding, done) {
        received.push(String(chunk));
        setImmediate(done);
      },
    });
    function* lines() {
      for (let i = 0; i < 2000; i++) {
        maxBuffered = Math.max(maxBuffered, out.writableLength);
        yield `line ${String(i).padStart(4, '0')}\n`;
      }
    }
    await writeLines(out, lines(), 32);
    await new Promise<void>((resolve) => out.end(resolve));
    expect(received.join('').split('\n').slice(0, -1)).toEqual(
      Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(4, '0')}`),
    );
    // Writing everything at once would have buffered all 2000 lines (20 kB).
    expect(maxBuffered).toBeLessThanOrEqual(64 + 32 + 10);
  });

  it('rejects when the output fails instead of waiting for a drain that never comes', async () => {
    const out = new Writable({
      highWaterMark: 8,
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('broken pipe'), { code: 'EPIPE' }));
      },
    });
    function* forever() {
      for (;;) yield 'x'.repeat(16);
    }
    await expect(writeLines(out, forever(), 16)).rejects.toMatchObject({ code: 'EPIPE' });
  });
});
