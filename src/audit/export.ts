import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { databasePathFrom, readEnvironment } from '../config.ts';
import { type AuditRecord, createSqliteAuditLog } from './audit-log.ts';

// `npm run audit -- [--since 2026-11-01] [--until 2026-12-01] [--user U123] [--team T123] [--format jsonl|csv]`
// Prints the audit trail from DATABASE_PATH for admins. Read-only: safe to run beside the running bot.
const USAGE =
  'usage: npm run audit -- [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--user U123] [--team T123] [--format jsonl|csv]';

const COLUMNS = [
  'at',
  'kind',
  'team_id',
  'user_id',
  'channel',
  'thread_ts',
  'identifier',
  'tool_name',
  'args_hash',
  'summary',
  'outcome',
  'execution_id',
  'latency_ms',
  'approved_by',
  'action_id',
] as const;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      user: { type: 'string' },
      team: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
    },
  }).values;
}
try {
  args = parse();
} catch (error) {
  fail((error as Error).message);
}

const time = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    fail(`--${name} must be a date like 2026-11-01 (got "${value}")`);
  return ms;
};
const since = time('since', args.since);
const until = time('until', args.until);
if (args.format !== 'jsonl' && args.format !== 'csv') fail(`--format must be jsonl or csv (got "${args.format}")`);

const path = databasePathFrom(readEnvironment());
if (!existsSync(path)) fail(`No database at DATABASE_PATH=${path}.`, 1);
const db = new Database(path, { readonly: true, fileMustExist: true });
let records: AuditRecord[];
try {
  records = createSqliteAuditLog(db).query({ since, until, userId: args.user, teamId: args.team });
} catch (error) {
  fail(`Cannot read the audit trail in ${path}: ${(error as Error).message}`, 1);
} finally {
  db.close();
}

const rows = records.map((r) => ({
  at: new Date(r.at).toISOString(),
  kind: r.kind,
  team_id: r.teamId,
  user_id: r.userId,
  channel: r.channel ?? null,
  thread_ts: r.threadTs ?? null,
  identifier: r.identifier,
  tool_name: r.toolName,
  args_hash: r.argsHash ?? null,
  summary: r.summary,
  outcome: r.outcome,
  execution_id: r.executionId ?? null,
  latency_ms: r.latencyMs ?? null,
  approved_by: r.approvedBy ?? null,
  action_id: r.actionId ?? null,
}));

if (args.format === 'jsonl') {
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
} else {
  process.stdout.write(`${COLUMNS.join(',')}\n`);
  for (const row of rows) process.stdout.write(`${COLUMNS.map((c) => csvField(row[c])).join(',')}\n`);
}

/** RFC 4180 quoting, and a leading quote on anything a spreadsheet would run as a formula. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
