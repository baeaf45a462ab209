import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { emulatorEnv } from '../../src/standins/bot-env.ts';
import type { OpenAIEmulator } from '../../src/standins/model/emulator.ts';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { SlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import type { BotDatabase } from './databases.ts';
import { SIGNING_SECRET } from './test-bot.ts';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');

export interface BotProcess {
  child: ChildProcess;
  base: string;
  /** Everything the bot wrote to stderr (its log) so far. */
  stderr(): string;
  /** Rejects, with the end of the bot's log, if the process exits before `work` settles. */
  whileUp<T>(work: Promise<T>): Promise<T>;
}

/** The real bot as its own process (`npm start`), so it can be killed without warning, or die on its own. */
export async function launchBotProcess(params: {
  slack: SlackApiEmulator;
  scalekit: ScalekitEmulator;
  model: OpenAIEmulator;
  modelKey: string;
  /** SQLite, or PostgreSQL in the `postgres` test project (see createBotDatabase). */
  database: Pick<BotDatabase, 'path' | 'env'>;
  port: number;
}): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      MASTRA_TELEMETRY_DISABLED: '1',
      ...emulatorEnv({ ...params, dbPath: params.database.path, signingSecret: SIGNING_SECRET }),
      ...params.database.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`bot did not start: ${stderr}`)), 15_000);
    child.stderr?.on('data', () => {
      if (stderr.includes('"Bot ready"')) {
        clearTimeout(timer);
        ready();
      }
    });
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`the bot exited (code ${code}, signal ${signal}); its log ends:\n${stderr.slice(-3000)}`)),
    ),
  );
  // Only a caller waiting on whileUp() hears of the exit.
  exited.catch(() => {});
  return {
    child,
    base: `http://127.0.0.1:${params.port}`,
    stderr: () => stderr,
    whileUp: (work) => Promise.race([work, exited]),
  };
}
