import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { emulatorEnv } from '../../src/standins/bot-env.ts';
import type { OpenAIEmulator } from '../../src/standins/model/emulator.ts';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { SlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope, interactionBody, postSigned } from '../../src/standins/slack/signed-requests.ts';
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
  /** Resolves with the first log record (JSON on stderr) that matches, seen already or still to come. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
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
  /** More settings, or other values (several processes behind one public URL). */
  env?: Record<string, string>;
}): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      MASTRA_TELEMETRY_DISABLED: '1',
      ...emulatorEnv({ ...params, dbPath: params.database.path, signingSecret: SIGNING_SECRET }),
      ...params.database.env,
      ...params.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const records: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  let partial = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
    partial += String(d);
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log record (a Node warning): kept in `stderr` for failure messages only.
      }
    }
    for (const listener of listeners) listener();
  });
  const waitForLog: BotProcess['waitForLog'] = (match, timeoutMs = 15_000) =>
    new Promise((found, fail) => {
      const check = () => {
        const record = records.find(match);
        if (!record) return;
        listeners.delete(check);
        clearTimeout(timer);
        found(record);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        fail(new Error(`no such log record within ${timeoutMs} ms; stderr:\n${stderr.slice(-4000)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  await waitForLog((r) => r.msg === 'Bot ready').catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
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
    waitForLog,
  };
}

/** Posts a signed Events API body, as Slack does. */
export const postEvent = (base: string, body: unknown) =>
  postSigned(`${base}/slack/events`, JSON.stringify(body), 'application/json', { signingSecret: SIGNING_SECRET });

/** An app_mention envelope in a channel. */
export const mentionIn = (channel: string, user: string, ts: string, text = '<@UBOT> summarize') =>
  eventEnvelope({ type: 'app_mention', user, text, ts, channel });

/** The requester clicks Send on an approval preview. */
export const clickSend = (slack: SlackApiEmulator, base: string, user: string, channel: string, actionId: string) =>
  postSigned(
    `${base}/slack/events`,
    interactionBody({
      type: 'block_actions',
      team: { id: slack.teamId },
      user: { id: user, team_id: slack.teamId },
      api_app_id: 'A0001',
      trigger_id: 't',
      channel: { id: channel },
      response_url: slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'approval_send', block_id: 'approval', value: actionId, action_ts: '1' }],
    }),
    'application/x-www-form-urlencoded',
    { signingSecret: SIGNING_SECRET },
  );

/** The action id on an approval preview's Send button. */
export const approvalIdOf = (preview: { params: Record<string, unknown> }) =>
  String(
    (preview.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
      (b) => b.type === 'actions',
    )?.elements?.[0]?.value,
  );
