import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { AUDIT_SQL } from '../src/audit/audit-log.ts';
import { SQLITE_MIGRATIONS as MIGRATIONS } from '../src/db/migrations.ts';
import { textOf } from '../src/db/sql.ts';
import { migrateSqlite as migrate } from '../src/db/sqlite.ts';
import { INBOX_SQL } from '../src/delivery/inbox.ts';
import { startInboxPruning } from '../src/delivery/inbox-pruner.ts';
import { createLogger } from '../src/logger.ts';

// `npm run bench:data [-- --audit-rows 1000000 --inbox-rows 1000000 --calls 200]`
// What a large history costs: a temporary database with a million audit rows and a million handled inbox
// messages, then the status and App Home queries, the last-connection lookup, what it adds to startup, pruning,
// and the export (as its own process, for its peak RSS). Figures from before this bench's indexes are taken on the
// same data by forcing the old statements, for comparison. SQLite only: it times the file's statements directly
// (the same texts as the stores'), without the async driver around them.
type Db = Database.Database;

/** The bot's SQLite file as src/db/sqlite.ts opens it, with the schema brought up to date. */
function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, MIGRATIONS);
  return db;
}
const { values: args } = parseArgs({
  options: {
    'audit-rows': { type: 'string', default: '1000000' },
    'inbox-rows': { type: 'string', default: '1000000' },
    calls: { type: 'string', default: '200' },
  },
});
const AUDIT_ROWS = Number(args['audit-rows']);
const INBOX_ROWS = Number(args['inbox-rows']);
const CALLS = Number(args.calls);
const ROOT = resolve(import.meta.dirname, '..');
const DAY = 24 * 60 * 60 * 1000;
const WEEK = 7 * DAY;
const NOW = Date.now();
const HEAVY = { teamId: 'T0001', userId: 'UHEAVY' };
const USERS = 500;
/** The schema before the data-growth indexes, so the bench can also time the one-time upgrade. */
const BEFORE_INDEXES = MIGRATIONS.findIndex((step) => step.includes('audit_log_by_user_activity'));

const dir = mkdtempSync(join(tmpdir(), 'bench-data-'));
const path = join(dir, 'bot.db');
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  auditRows: AUDIT_ROWS,
  inboxRows: INBOX_ROWS,
};

try {
  fill();
  const upgradeMs = timed(() => openDatabase(path).close());
  results.upgradeMs = upgradeMs;
  results.ready = readyImpact();
  const db = openDatabase(path);
  results.queries = queries(db);
  results.queriesBefore = queriesBefore(db);
  results.pruneBeforeMs = pruneBefore(db);
  results.prune = await prune(db);
  db.close();
  results.export = await exportAll();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', `data-growth-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
process.stdout.write(`${table()}\nRaw results: ${file}\n`);

/**
 * A million audit rows over 90 days for 500 teammates, a tenth of them by one heavy user who connected once at
 * the start (so the last connection is 100,000 rows back); a million handled messages over 30 days.
 */
function fill(): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db, MIGRATIONS.slice(0, BEFORE_INDEXES));
  const audit = db.prepare(
    `INSERT INTO audit_log (at, kind, team_id, user_id, channel, thread_ts, identifier, tool_name, args_hash, summary,
       outcome, execution_id, latency_ms, approved_by, action_id)
     VALUES (?, ?, ?, ?, 'C0001', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const inbox = db.prepare(
    `INSERT INTO inbox (channel, ts, thread_ts, team_id, user_id, event_id, received_at, status)
     VALUES (?, ?, ?, 'T0001', ?, ?, ?, 'done')`,
  );
  const hash = 'ab'.repeat(32);
  const started = performance.now();
  db.transaction(() => {
    const written = new Map<string, number>();
    for (let i = 0; i < AUDIT_ROWS; i++) {
      const at = NOW - 90 * DAY + Math.floor((i / AUDIT_ROWS) * 90 * DAY);
      const userId = i % 10 === 0 ? HEAVY.userId : `U${String(i % USERS).padStart(4, '0')}`;
      const identifier = `u_${userId}`;
      const threadTs = `${Math.floor(at / 1000)}.000100`;
      const n = written.get(userId) ?? 0;
      written.set(userId, n + 1);
      if (n === 0) {
        audit.run(
          at,
          'connection',
          'T0001',
          userId,
          null,
          identifier,
          'intercom_connection',
          null,
          'connected',
          'connected',
          null,
          null,
          null,
          null,
        );
        continue;
      }
      // Mostly lookups; one in ten an approval (proposed, then sent).
      const r = n % 20;
      if (r < 2) {
        audit.run(
          at,
          'approval',
          'T0001',
          userId,
          threadTs,
          identifier,
          'intercom_reply_to_conversation',
          hash,
          'conversation_id=215 body=Thanks for…',
          r === 0 ? 'proposed' : 'sent',
          r === 0 ? null : `exec_${i}`,
          r === 0 ? null : 180,
          r === 0 ? null : userId,
          `act_${userId}_${n - r}`,
        );
      } else {
        audit.run(
          at,
          'tool_call',
          'T0001',
          userId,
          threadTs,
          identifier,
          'intercom_search_contacts',
          hash,
          'query={"field":"email","operator":"=","value…',
          'ok',
          `exec_${i}`,
          120,
          null,
          null,
        );
      }
    }
    for (let i = 0; i < INBOX_ROWS; i++) {
      const at = NOW - 30 * DAY + Math.floor((i / INBOX_ROWS) * 30 * DAY);
      const ts = `${Math.floor(at / 1000)}.${String(i % 1_000_000).padStart(6, '0')}`;
      inbox.run(`C${String(i % 50).padStart(4, '0')}`, ts, ts, `U${i % USERS}`, `Ev${i}`, at);
    }
  })();
  results.fillMs = Math.round(performance.now() - started);
  db.close();
}

/** Open + migrate + the first prune batch, as the bot does it before and right after ready; median of 5. */
function readyImpact(): { emptyMs: number; fullMs: number; deltaMs: number } {
  const run = (file: string) => {
    const started = performance.now();
    const db = openDatabase(file);
    db.prepare(textOf(INBOX_SQL.pruneBatch, 'sqlite')).run(Date.now() - WEEK, 1000);
    const ms = performance.now() - started;
    db.close();
    return ms;
  };
  const emptyMs = median(Array.from({ length: 5 }, (_, i) => run(join(dir, `empty-${i}.db`))));
  const fullMs = median(Array.from({ length: 5 }, () => run(path)));
  return { emptyMs: round(emptyMs), fullMs: round(fullMs), deltaMs: round(fullMs - emptyMs) };
}

function queries(db: Db) {
  const statements = {
    activity: db.prepare<[string, string, number], { tool_calls: number; approved: number; last_used: number }>(
      AUDIT_SQL.activity,
    ),
    lastConnection: db.prepare(AUDIT_SQL.lastConnection),
    recent: db.prepare(AUDIT_SQL.recent),
  };
  const audit = {
    activity: (user: typeof HEAVY, since: number) => {
      const row = statements.activity.get(user.teamId, user.userId, since);
      return { toolCalls: row?.tool_calls ?? 0, approved: row?.approved ?? 0, lastUsed: row?.last_used };
    },
    lastConnected: (user: typeof HEAVY) => statements.lastConnection.get(user.teamId, user.userId),
    recent: (user: typeof HEAVY, limit: number) => statements.recent.all(user.teamId, user.userId, limit),
  };
  const since = () => NOW - WEEK;
  const status = () => {
    audit.activity(HEAVY, since());
    audit.lastConnected(HEAVY);
  };
  const home = () => {
    status();
    audit.recent(HEAVY, 10);
  };
  const week = audit.activity(HEAVY, since());
  return {
    heavyUserWeek: week,
    statusMs: percentiles(sample(CALLS, status)),
    appHomeMs: percentiles(sample(CALLS, home)),
    lastConnectionMs: percentiles(sample(CALLS, () => audit.lastConnected(HEAVY))),
  };
}

/** The statements the bot ran before: the week's rows into JS, and the last connection via the (team, user, at) index. */
function queriesBefore(db: Db) {
  const week = db.prepare(
    `SELECT * FROM audit_log
      WHERE at >= @since AND at < @until AND (@userId IS NULL OR user_id = @userId)
        AND (@teamId IS NULL OR team_id = @teamId)
      ORDER BY at, id LIMIT @limit`,
  );
  const last = db.prepare(
    `SELECT at, outcome FROM audit_log INDEXED BY audit_log_by_user WHERE team_id = ? AND user_id = ?
       AND kind = 'connection' ORDER BY at DESC, id DESC LIMIT 1`,
  );
  const calls = Math.max(5, Math.floor(CALLS / 10));
  const weekly = () => {
    const rows = week.all({ since: NOW - WEEK, until: Number.MAX_SAFE_INTEGER, ...HEAVY, limit: 1_000_000 }) as Array<{
      kind: string;
      outcome: string;
    }>;
    return rows.filter((r) => r.kind === 'tool_call' && r.outcome === 'ok').length;
  };
  return {
    statusMs: percentiles(
      sample(calls, () => {
        weekly();
        last.get(HEAVY.teamId, HEAVY.userId);
      }),
    ),
    lastConnectionMs: percentiles(sample(calls, () => last.get(HEAVY.teamId, HEAVY.userId))),
  };
}

/** The old single DELETE without an index on received_at, rolled back so the real pruning below has work. */
function pruneBefore(db: Db): number {
  const started = performance.now();
  try {
    db.transaction(() => {
      db.prepare(`DELETE FROM inbox NOT INDEXED WHERE received_at < ? AND status != 'running'`).run(NOW - WEEK);
      throw new Error('roll back');
    })();
  } catch {}
  return round(performance.now() - started);
}

/** The bot's own pruning, to the end: how long, and how long the event loop was held at most. */
async function prune(db: Db) {
  const pruneBatch = db.prepare(textOf(INBOX_SQL.pruneBatch, 'sqlite'));
  const batches: number[] = [];
  const timedInbox = {
    async pruneBatch(olderThan: number, limit: number) {
      const started = performance.now();
      const count = pruneBatch.run(olderThan, limit).changes;
      batches.push(performance.now() - started);
      return count;
    },
  };
  let deleted = 0;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  await new Promise<void>((done) => {
    const logger = createLogger({
      level: 'info',
      write: (line) => {
        deleted = JSON.parse(line).deleted;
        done();
      },
    });
    void startInboxPruning({ inbox: timedInbox, logger, now: () => NOW });
  });
  const totalMs = performance.now() - started;
  delay.disable();
  return {
    deleted,
    batches: batches.length,
    totalMs: Math.round(totalMs),
    batchMs: percentiles(batches),
    eventLoopDelayP99Ms: round(delay.percentile(99) / 1e6),
  };
}

/** `npm run audit` over everything, as its own process; its peak RSS comes from getrusage at its exit. */
async function exportAll() {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { audit: string } };
  const flags = scripts.audit.split(' ').slice(1);
  const report = `import{writeSync}from'node:fs';process.on('exit',()=>writeSync(2,'maxrss_kb='+process.resourceUsage().maxRSS+'\\n'))`;
  const started = performance.now();
  const child = spawn(process.execPath, [`--import=data:text/javascript,${encodeURIComponent(report)}`, ...flags], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  let bytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += String(chunk);
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const durationMs = Math.round(performance.now() - started);
  const maxRss = /maxrss_kb=(\d+)/.exec(stderr);
  if (code !== 0 || !maxRss) throw new Error(`export failed (${code}): ${stderr}`);
  return { lines, megabytes: round(bytes / 1e6), durationMs, peakRssMb: round(Number(maxRss[1]) / 1024) };
}

function sample(count: number, fn: () => unknown): number[] {
  fn();
  return Array.from({ length: count }, () => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  });
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(at(1)) };
}

function median(values: number[]): number {
  return percentiles(values).p50;
}

function timed(fn: () => void): number {
  const started = performance.now();
  fn();
  return Math.round(performance.now() - started);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function table(): string {
  type P = { p50: number; p99: number };
  const q = results.queries as { statusMs: P; appHomeMs: P; lastConnectionMs: P };
  const b = results.queriesBefore as { statusMs: P; lastConnectionMs: P };
  const ready = results.ready as { emptyMs: number; fullMs: number; deltaMs: number };
  const p = results.prune as { deleted: number; batches: number; totalMs: number; batchMs: P & { max: number } };
  const e = results.export as { lines: number; durationMs: number; peakRssMb: number };
  const pass = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const rows = [
    ['figure', 'value', 'target'],
    ['status queries p50 / p99 (ms)', `${q.statusMs.p50} / ${q.statusMs.p99}`, `< 2: ${pass(q.statusMs.p99 < 2)}`],
    ['App Home queries p50 / p99 (ms)', `${q.appHomeMs.p50} / ${q.appHomeMs.p99}`, `< 2: ${pass(q.appHomeMs.p99 < 2)}`],
    ['last connection p50 / p99 (ms)', `${q.lastConnectionMs.p50} / ${q.lastConnectionMs.p99}`, ''],
    ['before: status p50 / p99 (ms)', `${b.statusMs.p50} / ${b.statusMs.p99}`, ''],
    ['before: last connection p50 / p99 (ms)', `${b.lastConnectionMs.p50} / ${b.lastConnectionMs.p99}`, ''],
    [
      'open + migrate + first prune batch (ms)',
      `${ready.fullMs} (empty ${ready.emptyMs}, +${ready.deltaMs})`,
      `+1500: ${pass(ready.deltaMs < 1500)}`,
    ],
    ['before: prune in one statement (ms)', String(results.pruneBeforeMs), ''],
    ['one-time upgrade (new indexes) (ms)', String(results.upgradeMs), ''],
    [
      'background prune: rows, batches, total ms',
      `${p.deleted}, ${p.batches}, ${p.totalMs} (batch p99 ${p.batchMs.p99}, max ${p.batchMs.max} ms)`,
      '',
    ],
    ['export: lines, seconds', `${e.lines}, ${(e.durationMs / 1000).toFixed(1)}`, `${AUDIT_ROWS} lines`],
    ['export peak RSS (MB)', String(e.peakRssMb), `< 100: ${pass(e.peakRssMb < 100)}`],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] as string).length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  return [line(rows[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}
