import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bot, type BotOptions, createBot } from '../../src/bot.ts';
import { type Config, parseConfig, secretsOf } from '../../src/config.ts';
import type { Database } from '../../src/db/sql.ts';
import { createLogger } from '../../src/logger.ts';
import { emulatorEnv } from '../../src/standins/bot-env.ts';
import { type OpenAIEmulator, startOpenAIEmulator } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import {
  commandBody,
  eventEnvelope,
  interactionBody,
  postSigned,
  type SignedPostOptions,
} from '../../src/standins/slack/signed-requests.ts';
import { createBotDatabase } from './databases.ts';
import { freePort } from './free-port.ts';

export { freePort };

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export interface TestBot {
  bot: Bot;
  config: Config;
  baseUrl: string;
  slack: SlackApiEmulator;
  scalekit: ScalekitEmulator;
  model: OpenAIEmulator;
  /** Every log line the bot wrote, as written. */
  logs: string[];
  /** Resolves once `count` log lines (written before or after the call) match: the bot's "done" signals. */
  waitForLogs(match: (line: string) => boolean, count?: number, timeoutMs?: number): Promise<string[]>;
  /** The first log record (parsed) that matches, waiting for it if the bot has not written it yet. */
  waitForLog(match: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  dbPath: string;
  /** A second connection to the bot's own database (file or PostgreSQL), as another process would open it. */
  openDb(): Promise<Database>;
  /** A SELECT's rows (`?` placeholders) as another process sees them, synchronously, on either database. */
  rows<T>(sql: string, params?: unknown[]): T[];
  /** DATABASE_PATH or DATABASE_URL, for another process (the audit export) on the bot's database. */
  databaseEnv: Record<string, string>;
  sendEvent(
    event: Record<string, unknown>,
    options?: Partial<SignedPostOptions> & { eventId?: string; teamId?: string },
  ): Promise<Response>;
  sendCommand(fields: Record<string, string>, options?: Partial<SignedPostOptions>): Promise<Response>;
  sendInteraction(payload: Record<string, unknown>, options?: Partial<SignedPostOptions>): Promise<Response>;
  /** The Scalekit identifier the bot uses for this Slack user (created if the bot has not met them yet). */
  identifierOf(userId: string, teamId?: string): string;
  /** Makes this Slack user's Intercom account ACTIVE at the emulator, as if they had connected earlier. */
  connectUser(userId: string, teamId?: string): string;
  /** Stops the bot and starts a new one on the same database and emulators. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export type LogRecord = Record<string, unknown> & { msg: string; level: string };

export interface TestBotOptions {
  env?: Record<string, string>;
  slack?: SlackApiEmulator;
  scalekit?: ScalekitEmulator;
  model?: OpenAIEmulator;
  dbPath?: string;
  botOptions?: Partial<
    Pick<BotOptions, 'agent' | 'scalekit' | 'drainTimeoutMs' | 'slackClientOptions' | 'startup' | 'watches'>
  >;
  now?: () => number;
  /**
   * false: Slack refuses chat.startStream, as an older Slack or a workspace without the feature does, so answers take
   * the post-and-edit path. Files that check behaviour around answers (delivery, approvals, audit…) use it; streamed
   * answers have their own tests.
   */
  streaming?: boolean;
}

/**
 * The real bot on a loopback port, with Slack's Web API and Scalekit pointed at loopback emulators and a fresh
 * SQLite file. The helper listens on port 0 first and hands that server to the bot, because PUBLIC_URL (the verify
 * page Scalekit redirects to) must name the port before the bot starts; a restarted bot gets the same server.
 */
export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const slack = options.slack ?? (await startSlackApiEmulator());
  if (options.streaming === false) slack.failAlways('chat.startStream', 'not_allowed_token_type');
  const scalekit = options.scalekit ?? (await startScalekitEmulator());
  const model = options.model ?? (await startOpenAIEmulator({ apiKey: 'sk-test-openai-key' }));
  const { server, port } = await listeningServer();
  // SQLite, or a fresh PostgreSQL database in the `postgres` test project (a given dbPath is always SQLite).
  const database = await createBotDatabase({ path: options.dbPath });
  const dbPath = database.path;
  const parsed = parseConfig({
    ...emulatorEnv({
      slack,
      scalekit,
      model,
      modelKey: 'sk-test-openai-key',
      signingSecret: SIGNING_SECRET,
      port,
      dbPath,
    }),
    LOG_LEVEL: 'debug',
    ...database.env,
    ...options.env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const config = parsed.config;
  const logs: string[] = [];
  const logWaiters = new Set<(line: string) => void>();
  const logger = createLogger({
    level: config.logLevel,
    write: (line) => {
      logs.push(line);
      for (const waiter of [...logWaiters]) waiter(line);
    },
  });

  const launch = async () => {
    const bot = createBot({
      config,
      logger,
      now: options.now,
      slackClientOptions: { retryConfig: { retries: 0 } },
      ...options.botOptions,
      listening: server,
      agent: { modelRetries: 0, rateLimitBackoffMs: [5, 5], ...options.botOptions?.agent },
    });
    const { port } = await bot.start();
    // Scalekit's webhooks go to this bot (the dashboard's webhook URL).
    scalekit.webhookUrl = `http://127.0.0.1:${port}/scalekit/webhooks`;
    return { bot, baseUrl: `http://127.0.0.1:${port}` };
  };
  let current = await launch();
  const eventsUrl = () => `${current.baseUrl}/slack/events`;
  // Slack signs with the time of the world the bot lives in: a test that moves the bot's clock moves Slack's too.
  const sign = (o?: Partial<SignedPostOptions>): SignedPostOptions => ({
    signingSecret: SIGNING_SECRET,
    timestamp: Math.floor((options.now ?? Date.now)() / 1000),
    ...o,
  });

  const testBot: TestBot = {
    get bot() {
      return current.bot;
    },
    get baseUrl() {
      return current.baseUrl;
    },
    config,
    slack,
    scalekit,
    model,
    logs,
    waitForLogs: (match, count = 1, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.filter(match);
          if (found.length < count) return;
          logWaiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          logWaiters.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${count} matching log line(s)`));
        }, timeoutMs);
        logWaiters.add(check);
        check();
      }),
    waitForLog(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (line: string): boolean => {
          const record = JSON.parse(line) as LogRecord;
          if (!match(record)) return false;
          clearTimeout(timer);
          logWaiters.delete(check);
          resolve(record);
          return true;
        };
        const timer = setTimeout(() => {
          logWaiters.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for a log line`));
        }, timeoutMs);
        if (!logs.some(check)) logWaiters.add(check);
      });
    },
    dbPath,
    openDb: () => database.open(),
    rows: (sql, params) => database.rows(sql, params),
    databaseEnv: database.env,
    sendEvent: (event, o = {}) =>
      postSigned(eventsUrl(), JSON.stringify(eventEnvelope(event, o.teamId, o.eventId)), 'application/json', sign(o)),
    sendCommand: (fields, o) =>
      postSigned(
        eventsUrl(),
        commandBody({
          team_id: slack.teamId,
          channel_id: 'C0001',
          response_url: slack.responseUrl(),
          trigger_id: 'trigger-1',
          ...fields,
        }),
        'application/x-www-form-urlencoded',
        sign(o),
      ),
    sendInteraction: (payload, o) =>
      postSigned(eventsUrl(), interactionBody(payload), 'application/x-www-form-urlencoded', sign(o)),
    identifierOf: (userId, teamId = slack.teamId) => database.identifierOf(teamId, userId),
    connectUser(userId, teamId) {
      const identifier = testBot.identifierOf(userId, teamId);
      scalekit.connectAccount(identifier, config.scalekit.connectionName);
      return identifier;
    },
    async restart() {
      await current.bot.stop();
      current = await launch();
    },
    async stop() {
      await current.bot.stop();
      await new Promise((resolve) => server.close(resolve));
      // Every end-to-end test doubles as a leak check: no secret the bot holds or was handed may reach its log.
      const secrets = [...secretsOf(config), ...scalekit.secrets];
      const leaked = secrets.filter((secret) => logs.some((line) => line.includes(secret)));
      if (leaked.length > 0) throw new Error(`secrets leaked into the log: ${leaked.length}`);
      // Nor may it ever ask Slack to turn plain text into mentions: `@channel` in a model's answer would ping.
      const parsing = [...slack.calls.map((c) => c.params), ...slack.responses.map((r) => r.body)].filter(
        (p) => p.parse === 'full' || ['true', '1', true, 1].includes(p.link_names as never),
      );
      if (parsing.length > 0) throw new Error(`Slack was asked to parse mentions: ${parsing.length} call(s)`);
      if (!options.slack) await slack.close();
      if (!options.scalekit) await scalekit.close();
      if (!options.model) await model.close();
      // With DATABASE_URL, nothing may have gone to a SQLite file.
      const strayFile = database.env.DATABASE_URL !== undefined && existsSync(dbPath);
      await database.drop();
      if (strayFile) throw new Error(`a SQLite file was created beside DATABASE_URL: ${dbPath}`);
    },
  };
  return testBot;
}

/** A loopback HTTP server on a port of its own, to hand to the bot (BotOptions.listening). */
export async function listeningServer(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
