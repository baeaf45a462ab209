import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Bot, createBot } from '../bot.ts';
import { type Config, type ModelSettings, parseConfig, secretsOf } from '../config.ts';
import { type DatabaseSettings, openDatabase } from '../db/database.ts';
import { createIdentityStore } from '../identity/identity-store.ts';
import { createLogger } from '../logger.ts';
import { type OpenAIEmulator, startOpenAIEmulator } from '../standins/model/emulator.ts';
import { type ScalekitEmulator, type ScalekitSnapshot, startScalekitEmulator } from '../standins/scalekit/emulator.ts';
import { type SlackApiEmulator, type SlackSnapshot, startSlackApiEmulator } from '../standins/slack/emulator.ts';
import { createScriptedModel } from './model/scripted-model.ts';
import { createBotLink } from './playground/bot-link.ts';
import { renderIntercom } from './playground/intercom-view.ts';
import { type PlaygroundControls, startPlaygroundServer } from './playground/server.ts';
import { TEAMMATES } from './playground/teammates.ts';
import { createPlaygroundWorkspace } from './playground/workspace.ts';

export interface DemoOptions {
  /** The playground page's port; 0 for any free one. */
  port: number;
  /**
   * Where the demo keeps its database (demo.db, never DATABASE_PATH's) and, between runs, what the stand-ins hold
   * (demo-standins.json: Slack's messages, the Scalekit accounts, the Intercom workspace).
   */
  dataDir: string;
  /** Start with fresh demo data: both files are deleted. */
  reset: boolean;
  /** The bot's state in PostgreSQL instead of demo.db (as DATABASE_URL for `npm start`). */
  databaseUrl?: string;
  /** MAX_CONCURRENT_RUNS for the demo's bot (default: the bot's own). */
  maxRuns?: number;
  /** A real model; without it, the scripted one. */
  model?: ModelSettings;
  /** The bot's JSON log lines. */
  log: (line: string) => void;
}

export interface Demo {
  /** The playground page. */
  url: string;
  /** The bot itself (its connect and verify pages, /healthz). */
  botUrl: string;
  slack: SlackApiEmulator;
  scalekit: ScalekitEmulator;
  /** The model stand-in serving the scripted model, unless a real model is used. */
  model?: OpenAIEmulator;
  config: Config;
  /** Each teammate's Scalekit identifier, by Slack user id. */
  identifiers: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

const SCRIPTED_KEY = 'sk-demo-scripted-model';

interface StoredStandins {
  slack: SlackSnapshot;
  scalekit: ScalekitSnapshot;
}

/**
 * Starts the stand-ins on 127.0.0.1, then the real bot (src/bot.ts, the same composition as `npm start`) in HTTP
 * mode pointed at them, then the playground page. Nothing here reads the environment: the bot's configuration is
 * built from the stand-ins' addresses.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  mkdirSync(options.dataDir, { recursive: true });
  const dbPath = join(options.dataDir, 'demo.db');
  const statePath = join(options.dataDir, 'demo-standins.json');
  if (options.reset) {
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, statePath]) rmSync(file, { force: true });
  }

  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const slack = await startSlackApiEmulator({ botToken: `xoxb-demo-${randomBytes(12).toString('hex')}` });
    stops.push(() => slack.close());
    for (const person of TEAMMATES) slack.setUser({ id: person.id, name: person.fullName, email: person.email });
    const scalekit = await startScalekitEmulator({ consentPage: true });
    stops.push(() => scalekit.close());
    let model: OpenAIEmulator | undefined;
    if (!options.model) {
      // A little pause between streamed pieces, so the answer is seen arriving as it would from a real model.
      model = await startOpenAIEmulator({ apiKey: SCRIPTED_KEY, chunkDelayMs: 25 });
      model.respond(createScriptedModel());
      const started = model;
      stops.push(() => started.close());
    }
    // The bot's database remembers who is connected and what awaits approval; the stand-ins must remember it too.
    if (existsSync(statePath)) {
      const saved = JSON.parse(readFileSync(statePath, 'utf8')) as StoredStandins;
      slack.restore(saved.slack);
      scalekit.restore(saved.scalekit);
    }
    stops.push(() => {
      const saved: StoredStandins = { slack: slack.snapshot(), scalekit: scalekit.snapshot() };
      writeFileSync(`${statePath}.tmp`, JSON.stringify(saved));
      renameSync(`${statePath}.tmp`, statePath);
    });

    const botPort = await freePort();
    const signingSecret = randomBytes(24).toString('hex');
    const parsed = parseConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      SCALEKIT_ENVIRONMENT_URL: scalekit.url,
      SCALEKIT_CLIENT_ID: scalekit.clientId,
      SCALEKIT_CLIENT_SECRET: scalekit.clientSecret,
      SCALEKIT_WEBHOOK_SECRET: scalekit.webhookSecret,
      // Watches and My queue poll every 5 s, so what the stand-in Intercom does shows up quickly.
      WATCH_POLL_INTERVAL_MS: '5000',
      QUEUE_NUDGE_AFTER_MINUTES: '30',
      OPENAI_API_KEY: options.model?.apiKey ?? SCRIPTED_KEY,
      OPENAI_BASE_URL: options.model ? options.model.baseUrl : model?.baseUrl,
      OPENAI_MODEL: options.model?.model ?? 'scripted-demo-model',
      PORT: String(botPort),
      PUBLIC_URL: `http://127.0.0.1:${botPort}`,
      DATABASE_PATH: dbPath,
      ...(options.databaseUrl && { DATABASE_URL: options.databaseUrl }),
      LOG_LEVEL: 'info',
      ...(options.maxRuns !== undefined && { MAX_CONCURRENT_RUNS: String(options.maxRuns) }),
    });
    if (!parsed.ok) throw new Error(`the demo built an invalid configuration: ${parsed.problems.join('; ')}`);
    const { config } = parsed;
    const logger = createLogger({
      level: config.logLevel,
      secrets: [...secretsOf(config), ...scalekit.secrets],
      write: options.log,
    });
    // A quiet watch or queue backs off to 15 s at most here (15 min in production), so the playground stays lively.
    const bot: Bot = createBot({ config, logger, watches: { maxIntervalMs: 15_000 } });
    await bot.start();
    stops.push(() => bot.stop());
    const botUrl = config.http.publicUrl;
    scalekit.webhookUrl = `${botUrl}/scalekit/webhooks`;

    const identifiers = await bindTeammates({ path: dbPath, url: options.databaseUrl }, slack.teamId, scalekit);
    const workspace = createPlaygroundWorkspace({
      slack,
      bot: createBotLink({ eventsUrl: `${botUrl}/slack/events`, signingSecret, teamId: slack.teamId }),
      now: Date.now,
    });
    stops.push(() => workspace.stop());
    const startedAt = Date.now();
    const playground = await startPlaygroundServer({
      port: options.port,
      slack,
      workspace,
      intercom: () =>
        renderIntercom({
          intercom: scalekit.intercom,
          accounts: scalekit.accounts(),
          identifierOf: (id) => identifiers.get(id),
          startedAt,
        }),
      onOtherChange: (listener) => scalekit.intercom.onChange(listener),
      scalekitFaults: scalekit.faults,
      standins: demoControls(scalekit, identifiers),
      modelLabel: options.model
        ? `${options.model.model} (a real model, at ${options.model.baseUrl ?? 'api.openai.com'})`
        : 'the scripted demo model (offline)',
    });
    stops.push(() => playground.close());
    return { url: playground.url, botUrl, slack, scalekit, model, config, identifiers, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Each teammate's Scalekit identifier (from the bot's own identity store, created as the bot would) is signed in
 * to Intercom as that teammate's admin, so the consent screen starts on the right person.
 */
async function bindTeammates(
  database: DatabaseSettings,
  teamId: string,
  scalekit: ScalekitEmulator,
): Promise<Map<string, string>> {
  const db = await openDatabase(database, { logger: { warn: () => {}, error: () => {} } });
  try {
    const identities = createIdentityStore(db, {
      newIdentifier: () => `u_${randomBytes(16).toString('hex')}`,
      now: Date.now,
    });
    const identifiers = new Map<string, string>();
    for (const person of TEAMMATES) {
      const identifier = await identities.identifierFor({ teamId, userId: person.id });
      identifiers.set(person.id, identifier);
      scalekit.intercom.bindAdmin(identifier, person.intercomAdminId);
    }
    return identifiers;
  } finally {
    await db.close();
  }
}

/** The playground's "behind the scenes" buttons that act on the stand-ins as the person chosen at the top. */
function demoControls(scalekit: ScalekitEmulator, identifiers: Map<string, string>): PlaygroundControls {
  return {
    async breakConnection(user) {
      const identifier = identifiers.get(user);
      if (!identifier || scalekit.account(identifier)?.statusName !== 'ACTIVE') {
        return 'Connect Intercom first (/connect-intercom): there is no connection to break.';
      }
      await scalekit.breakConnection(identifier);
      return 'Intercom refused the refresh token: Scalekit marked the connection EXPIRED and told the bot (a signed webhook). Look at your DM and App Home.';
    },
    customerReplies(user) {
      const identifier = identifiers.get(user);
      const adminId = identifier && scalekit.intercom.boundAdminId(identifier);
      if (!adminId) return 'Connect Intercom first (/connect-intercom).';
      // Theirs if they have one (a reply reopens a closed one), else an unassigned one is assigned to them first.
      const byAge = [...scalekit.intercom.conversations].sort((a, b) => a.updated_at - b.updated_at);
      const conversation =
        byAge.find((c) => c.admin_assignee_id === adminId) ?? byAge.find((c) => c.admin_assignee_id === null);
      if (!conversation) return 'Every conversation in the sample Intercom is assigned to someone else.';
      if (conversation.admin_assignee_id !== adminId) {
        scalekit.intercom.changeConversation(conversation.id, { assigneeId: adminId, by: adminId });
      }
      scalekit.intercom.customerReplies(conversation.id, 'Any update on this? It is still not working for us.');
      return `A customer replied in “${conversation.title ?? conversation.id}”, assigned to you. With My queue on (App Home), the bot DMs you within a few seconds.`;
    },
  };
}

/** PUBLIC_URL must name the bot's port before it starts, so one is picked first. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
