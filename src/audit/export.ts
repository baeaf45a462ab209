import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { databasePathFrom, databaseUrlFrom, readEnvironment } from '../config.ts';
import { DatabaseUnavailableError, openPostgres } from '../db/postgres.ts';
import type { Database } from '../db/sql.ts';
import { openSqliteReadOnly } from '../db/sqlite.ts';
import { type AuditRow, createAuditLog } from './audit-log.ts';
import { writeLines } from './write-lines.ts';

// `npm run audit -- [--since 2026-11-01] [--until 2026-12-01] [--user U123] [--team T123] [--format jsonl|csv]`
// Prints the audit trail from the bot's database (DATABASE_URL, else DATABASE_PATH) for admins. Read-only: safe to
// run beside the running bot.
const USAGE =
  'usage: npm run audit -- [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--user U123] [--team T123] [--format jsonl|csv]';
const HELP = `${USAGE}

Prints every matching entry of the audit trail, oldest first, from the bot's database: PostgreSQL when
DATABASE_URL is set, otherwise the SQLite file at DATABASE_PATH (default ./data/bot.db).
There is no row limit: rows are streamed, so memory stays flat however long the trail is.
Read-only: safe to run beside the bot.

  --since YYYY-MM-DD   entries from this day on (UTC)
  --until YYYY-MM-DD   entries before this day (UTC)
  --user U123          one Slack user (add --team for an indexed lookup)
  --team T123          one Slack workspace
  --format jsonl|csv   one JSON object per line (default), or CSV with a header row
  --help               this text
`;

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
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}
try {
  args = parse();
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  // Pipes are written asynchronously: exit only once the text is out.
  await new Promise((written) => process.stdout.write(HELP, written));
  process.exit(0);
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

const environment = readEnvironment();
const url = databaseUrlFrom(environment);
const path = databasePathFrom(environment);
let db: Database;
if (url) {
  try {
    const logger = { warn: () => {}, error: () => {} };
    db = await openPostgres(url, { logger, migrate: false, connectForMs: 5000 });
  } catch (error) {
    fail(error instanceof DatabaseUnavailableError ? error.message : 'Cannot open the database at DATABASE_URL.', 1);
  }
} else {
  if (!existsSync(path)) fail(`No database at DATABASE_PATH=${path}.`, 1);
  db = openSqliteReadOnly(path);
}
async function* lines(rows: AsyncIterable<AuditRow>, format: 'jsonl' | 'csv'): AsyncGenerator<string> {
  if (format === 'csv') yield `${COLUMNS.join(',')}\n`;
  for await (const { id: _id, ...stored } of rows) {
    const row = { ...stored, at: new Date(stored.at).toISOString() };
    yield format === 'jsonl' ? `${JSON.stringify(row)}\n` : `${COLUMNS.map((c) => csvField(row[c])).join(',')}\n`;
  }
}
// One read transaction for the whole export: a consistent snapshot, however long the writing takes.
try {
  const rows = createAuditLog(db).iterateRows({ since, until, userId: args.user, teamId: args.team });
  await writeLines(process.stdout, lines(rows, args.format));
} catch (error) {
  // The reader went away (`| head`): not a failure of the export.
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
  fail(`Cannot export the audit trail in ${db.describe}: ${(error as Error).message}`, 1);
} finally {
  await db.close();
}

/** RFC 4180 quoting, and a leading quote on anything a spreadsheet would run as a formula. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
