import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { modelSettingsFrom } from '../config.ts';
import { parseDemoArgs, USAGE } from './args.ts';
import { startDemo } from './start-demo.ts';

// `npm run demo`: the playground. Everything it starts, it stops on Ctrl-C.
const args = parseDemoArgs(process.argv.slice(2));
if ('error' in args) {
  process.stderr.write(`${args.error}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const model = modelSettingsFrom();
if (!model.ok) {
  process.stderr.write(`Cannot start the demo:\n${model.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}

const dataDir = 'data';
const logPath = join(dataDir, 'demo.log');
let log: ReturnType<typeof createWriteStream> | undefined;
let demo: Awaited<ReturnType<typeof startDemo>>;
try {
  demo = await startDemo({
    port: args.port,
    dataDir,
    reset: args.reset,
    databaseUrl: args.databaseUrl,
    maxRuns: args.maxRuns,
    model: model.model,
    log: (line) => {
      log ??= createWriteStream(logPath, { flags: 'w' });
      log.write(line);
    },
  });
} catch (error) {
  const reason =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `port ${args.port} is in use; try --port 0`
      : String(error);
  process.stderr.write(`Cannot start the demo: ${reason}\n`);
  process.exit(1);
}

process.stdout.write(
  [
    '',
    '  Intercom Agent playground (a demo: local stand-ins for Slack, Scalekit and Intercom)',
    '',
    `  Open ${demo.url}`,
    '',
    `  Model: ${model.model ? `${model.model.model} (real, from OPENAI_API_KEY)` : 'the scripted demo model (offline); set OPENAI_API_KEY for a real one'}`,
    `  Data: ${join(dataDir, 'demo.db')} (--reset starts afresh) · bot log: ${logPath} · stop with Ctrl-C`,
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the demo…\n');
    demo.stop().then(
      () => log?.end(() => process.exit(0)) ?? process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Stopping failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
