/** `npm run demo -- [--port N] [--reset] [--database-url URL] [--max-runs N] [--help]`. */
export type DemoArgs =
  | { help: true }
  | { help: false; port: number; reset: boolean; databaseUrl?: string; maxRuns?: number }
  | { error: string };

export const DEFAULT_PORT = 3900;

export const USAGE = `Usage: npm run demo -- [--port N] [--reset] [--database-url URL] [--max-runs N] [--help]

Starts the real bot against local stand-ins for Slack, Scalekit and Intercom, and a Slack-like playground page
on 127.0.0.1. Nothing needs configuring and nothing leaves this machine (unless OPENAI_API_KEY is set: then the
demo uses that real model, with OPENAI_BASE_URL and OPENAI_MODEL if set).

  --port N   the playground's port (default ${DEFAULT_PORT}; 0 picks a free one)
  --reset    start with fresh demo data (deletes data/demo.db and data/demo-standins.json)
  --database-url URL
             keep the bot's state in PostgreSQL (postgres://…) instead of data/demo.db, as DATABASE_URL does for
             npm start; give it an empty database for fresh data (--reset does not empty it)
  --max-runs N
              agent runs at once (MAX_CONCURRENT_RUNS, default 200): with 1, a second teammate's request waits and
              its thread shows its place in the queue
  --help     show this help
`;

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let port = DEFAULT_PORT;
  let reset = false;
  let databaseUrl: string | undefined;
  let maxRuns: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--reset') reset = true;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg === '--port' ? argv[++i] : arg.slice('--port='.length);
      if (!value || !/^\d+$/.test(value) || Number(value) > 65535)
        return { error: `--port needs a port number (0–65535)` };
      port = Number(value);
    } else if (arg === '--database-url' || arg.startsWith('--database-url=')) {
      const value = arg === '--database-url' ? argv[++i] : arg.slice('--database-url='.length);
      if (!value || !/^postgres(ql)?:\/\//.test(value)) return { error: '--database-url needs a postgres:// URL' };
      databaseUrl = value;
    } else if (arg === '--max-runs' || arg.startsWith('--max-runs=')) {
      const value = arg === '--max-runs' ? argv[++i] : arg.slice('--max-runs='.length);
      if (!value || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000)
        return { error: '--max-runs needs a whole number from 1 to 10000' };
      maxRuns = Number(value);
    } else return { error: `unknown option ${arg}` };
  }
  return {
    help: false,
    port,
    reset,
    ...(databaseUrl && { databaseUrl }),
    ...(maxRuns !== undefined && { maxRuns }),
  };
}
