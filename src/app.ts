import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { App, webApi } from '@slack/bolt';
import { createAgentAnswer } from './agent/agent-answer.ts';
import { createModel } from './agent/model.ts';
import { createSupportAgent } from './agent/support-agent.ts';
import { createAdminDirectory } from './approvals/admin-directory.ts';
import { createApprovals } from './approvals/approvals.ts';
import { createSqlitePendingActions } from './approvals/pending-actions.ts';
import { createSqliteAuditLog } from './audit/audit-log.ts';
import type { Config } from './config.ts';
import { createAccountService } from './connect/account.ts';
import { createConnectCommand } from './connect/connect-command.ts';
import { createConnectPrompter, createGatedMessageHandler, createResumeAfterConnect } from './connect/connect-flow.ts';
import { createConnectService, SLACK_SIGNIN_CALLBACK_PATH } from './connect/connect-service.ts';
import { createSqliteConnectStore } from './connect/connect-store.ts';
import { createSqliteParkedRequests } from './connect/parked-requests.ts';
import { createSlackSignIn } from './connect/slack-signin.ts';
import { type Db, openDatabase } from './db/database.ts';
import { createSqliteInbox } from './delivery/inbox.ts';
import { recoverFromCrash } from './delivery/recovery.ts';
import { createWorkQueue } from './delivery/work-queue.ts';
import { StartupError } from './errors.ts';
import { createHomePublisher } from './home/home.ts';
import { createConnectRoutes } from './http/connect-routes.ts';
import { createHttpServer, type HttpServer, type Route, sendJson } from './http/server.ts';
import { createSlackReceiver } from './http/slack-receiver.ts';
import { createSqliteIdentityStore, type SlackUser } from './identity/identity-store.ts';
import type { Logger } from './logger.ts';
import { withCache } from './scalekit/cached-gateway.ts';
import { createScalekitGateway, type ScalekitGateway } from './scalekit/scalekit-gateway.ts';
import { registerListeners } from './slack/listeners.ts';
import {
  checkAppToken,
  checkBotToken,
  classifySlackFailure,
  describeFailure,
  type StartupCheckOptions,
  slackHost,
} from './slack/startup-check.ts';
import { threadHistory } from './slack/thread-history.ts';

export interface BotOptions {
  config: Config;
  logger: Logger;
  now?: () => number;
  randomBytes?: (size: number) => Buffer;
  /** Web API client tuning; tests turn retries off so a closed emulator fails fast. */
  slackClientOptions?: Pick<webApi.WebClientOptions, 'retryConfig'>;
  /** Replaces the real Scalekit gateway (the benchmark's baseline). */
  scalekit?: ScalekitGateway;
  /** Per-identifier caching of status and tools; off only to measure what it saves. */
  cacheScalekit?: boolean;
  /** Agent tuning for tests: retries of failed model calls, and the backoff after Intercom rate limits. */
  agent?: { modelRetries?: number; rateLimitBackoffMs?: number[]; runTimeoutMs?: number; maxSteps?: number };
  /** Agent runs at once across all teammates; more wait their turn. */
  maxConcurrentRuns?: number;
  /** How long stop() waits for runs in flight before closing anyway. */
  drainTimeoutMs?: number;
  /** Startup's checks of Slack (tests shorten them): waits between attempts, one attempt's time, Socket Mode's. */
  startup?: Pick<StartupCheckOptions, 'retryDelaysMs' | 'attemptTimeoutMs'> & { socketModeTimeoutMs?: number };
}

export interface Bot {
  /**
   * Listens first (`/healthz` says what it is waiting for), then opens the database, checks the Slack token and
   * starts serving; resolves once `/healthz` answers 200. Throws StartupError saying what is wrong.
   */
  start(): Promise<{ port: number }>;
  /** Stops taking work, then closes connections and the database. Safe to call twice. */
  stop(): Promise<void>;
}

/** Slack's payloads are a few kilobytes; anything near this is not from Slack. */
const MAX_BODY_BYTES = 512 * 1024;

/** The composition root: every long-lived object is made here and handed to whatever needs it. */
export function createBot(options: BotOptions): Bot {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const randomBytes = options.randomBytes ?? cryptoRandomBytes;

  let state: 'idle' | 'starting' | 'ready' | 'stopping' | 'stopped' = 'idle';
  /** What `/healthz` says the bot is doing while it is not ready. */
  let waitingFor = '';
  let db: Db | undefined;
  let http: HttpServer | undefined;
  let slackApp: App | undefined;
  let socketModeStarted = false;
  /** Settles when a start() in progress has finished, either way. */
  let startSettled: Promise<void> = Promise.resolve();
  const queue = createWorkQueue({ maxConcurrent: options.maxConcurrentRuns ?? 20 });

  const healthRoutes: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      handle: (_req, res) =>
        state === 'ready'
          ? sendJson(res, 200, { status: state })
          : sendJson(res, 503, { status: state, reason: waitingFor }),
    },
  ];

  return {
    async start() {
      if (state !== 'idle') throw new Error(`start() called while ${state}`);
      state = 'starting';
      let settle = () => {};
      startSettled = new Promise((resolve) => {
        settle = resolve;
      });
      try {
        waitingFor = 'opening the database';
        http = createHttpServer({ routes: healthRoutes, maxBodyBytes: MAX_BODY_BYTES, logger, now });
        const port = await listen(http.server, config.http.port);
        db = openDatabaseOrExplain(config.databasePath);
        const identities = createSqliteIdentityStore(db, {
          newIdentifier: () => `u_${randomBytes(16).toString('hex')}`,
          now,
        });
        const upstream =
          options.scalekit ??
          createScalekitGateway({
            environmentUrl: config.scalekit.environmentUrl,
            clientId: config.scalekit.clientId,
            clientSecret: config.scalekit.clientSecret,
            connectionName: config.scalekit.connectionName,
          });
        const gateway = withCache(upstream, {
          now,
          ...(options.cacheScalekit === false && { statusTtlMs: 0, toolsTtlMs: 0 }),
        });
        const parked = createSqliteParkedRequests(db);
        const inbox = createSqliteInbox(db);
        const audit = createSqliteAuditLog(db);
        const pendingActions = createSqlitePendingActions(db, audit);

        const clientOptions: webApi.WebClientOptions = {
          slackApiUrl: config.slack.apiUrl,
          // Per call; retries (below) come on top.
          timeout: 15_000,
          // Bounded: a reply that cannot be posted within about five minutes is not worth posting.
          retryConfig: options.slackClientOptions?.retryConfig ?? webApi.retryPolicies.fiveRetriesInFiveMinutes,
        };
        const slackLogger = logger.child({ upstream: 'Slack', host: slackHost(config.slack.apiUrl) });
        const slackEndpoint =
          config.slack.mode === 'http'
            ? { signingSecret: config.slack.signingSecret, receiver: createSlackReceiver(logger) }
            : undefined;
        const startupCheck: StartupCheckOptions = { apiUrl: config.slack.apiUrl, logger, ...options.startup };
        waitingFor = 'checking the Slack token';
        const bot = await checkBotToken(config.slack.botToken, startupCheck);
        slackApp = new App({
          token: config.slack.botToken,
          // Known from our own auth.test, so Bolt makes none of its own.
          botId: bot.botId,
          botUserId: bot.userId,
          // Bolt's own lines (and its Web API client's "http request failed") then name the service and host.
          logger: slackLogger,
          clientOptions,
          // Bolt's in-memory conversation store is unused here and costs a lookup on every event.
          convoStore: false,
          ...(slackEndpoint
            ? { receiver: slackEndpoint.receiver }
            : { socketMode: true, appToken: config.slack.mode === 'socket' ? config.slack.appToken : '' }),
        });
        const signIn = config.slack.signIn;
        const connect = createConnectService({
          store: createSqliteConnectStore(db),
          identities,
          gateway,
          publicUrl: config.http.publicUrl,
          logger,
          now,
          randomBytes,
          signIn: signIn
            ? createSlackSignIn({
                client: slackApp.client,
                apiUrl: config.slack.apiUrl,
                clientId: signIn.clientId,
                clientSecret: signIn.clientSecret,
                redirectUri: `${config.http.publicUrl}${SLACK_SIGNIN_CALLBACK_PATH}`,
              })
            : undefined,
        });
        const prompt = createConnectPrompter(connect);
        const admins = createAdminDirectory({ gateway, now });
        const account = createAccountService({
          identities,
          gateway,
          admins,
          pendingActions,
          parked,
          audit,
          client: slackApp.client,
          logger,
          now,
        });
        const approvals = createApprovals({
          store: pendingActions,
          gateway,
          admins,
          client: slackApp.client,
          logger,
          now,
          randomBytes,
        });
        const agent = createSupportAgent({
          model: createModel(config.openai),
          gateway,
          onWrite: approvals.onWrite,
          audit,
          toolOverrides: config.toolOverrides,
          logger,
          now,
          ...options.agent,
        });
        const answer = createAgentAnswer({
          agent,
          gateway,
          prompt,
          parked,
          history: (message, client) => threadHistory(client, message, bot),
          queue,
          logger,
          now,
        });
        const handleMessage = createGatedMessageHandler({ identities, gateway, prompt, parked, answer, now });
        registerListeners(slackApp, {
          onMessage: handleMessage,
          onConnectCommand: createConnectCommand({ identities, gateway, prompt, account }),
          account: {
            publishHome: createHomePublisher({ account, audit, client: slackApp.client, workspaceUrl: bot.url }),
            connect: (user, client) => prompt(client, user, 'requested'),
            async disconnect(user) {
              const { cancelledActions, droppedRequests } = await account.disconnect(user);
              return `Disconnected: your Intercom connection is deleted at Scalekit${
                cancelledActions > 0 ? `, ${cancelledActions} pending approval(s) cancelled` : ''
              }${droppedRequests > 0 ? `, ${droppedRequests} waiting request(s) dropped` : ''}. \`/connect-intercom\` connects again.`;
            },
          },
          approvals,
          inbox,
          queue,
          logger,
          now,
        });
        slackApp.error(async (error) => {
          logger.error('Unhandled error in a Slack listener', error);
        });

        const resume = createResumeAfterConnect({
          parked,
          handle: handleMessage,
          client: slackApp.client,
          now,
          logger,
        });
        const onConnected = (user: SlackUser) => {
          account.connected(user);
          return queue.track(resume(user));
        };
        if (config.slack.mode === 'socket') {
          waitingFor = 'connecting to Slack (Socket Mode)';
          await checkAppToken(config.slack.appToken, startupCheck);
          socketModeStarted = true;
          await startSocketMode(slackApp, config.slack.apiUrl, options.startup?.socketModeTimeoutMs ?? 30_000);
        }
        http.startServing({
          routes: createConnectRoutes({ connect, publicUrl: config.http.publicUrl, onConnected, logger }),
          slack: slackEndpoint,
        });

        state = 'ready';
        waitingFor = '';
        logger.info('Bot ready', { mode: config.slack.mode, port });
        void queue.track(
          recoverFromCrash({ inbox, parked, pendingActions, client: slackApp.client, logger, now }).catch(
            (error: unknown) => logger.error('Recovering from the last run failed', error),
          ),
        );
        return { port };
      } catch (error) {
        await shutdown();
        state = 'stopped';
        throw error;
      } finally {
        settle();
      }
    },

    async stop() {
      // Startup is bounded (the Slack checks give up within about half a minute); stopping halfway would race it.
      if (state === 'starting') await startSettled;
      if (state === 'stopping' || state === 'stopped') return;
      state = 'stopping';
      waitingFor = 'finishing work in flight';
      await shutdown();
      state = 'stopped';
      logger.info('Bot stopped');
    },
  };

  /**
   * Stops taking work (new requests get 503, `/healthz` keeps answering), lets runs in flight finish (for a bounded
   * time), then stops listening and closes the database.
   */
  async function shutdown(): Promise<void> {
    http?.stopServing();
    if (slackApp && socketModeStarted) {
      socketModeStarted = false;
      const stopped = slackApp.stop().catch((error: unknown) => logger.warn('Socket Mode did not stop cleanly', error));
      // A client that never connected may never report that it disconnected.
      await Promise.race([stopped, sleep(5000, undefined, { ref: false })]);
    }
    const drained = await queue.drain(options.drainTimeoutMs ?? 25_000);
    if (!drained) {
      logger.warn('Stopping with work still in flight; it will be reported as interrupted at the next start', {
        running: queue.running,
        waiting: queue.waiting,
      });
    }
    const closing = http?.server;
    if (closing?.listening) {
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      closing.closeAllConnections();
      await closed;
    }
    db?.close();
    db = undefined;
  }
}

function openDatabaseOrExplain(path: string): Db {
  try {
    return openDatabase(path);
  } catch (error) {
    throw new StartupError(`Cannot open the database at DATABASE_PATH=${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Listens on PORT (0: any free port) and returns the port; a port in use is an operator's problem, said plainly. */
async function listen(server: Server, port: number): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new StartupError(`Cannot listen on PORT=${port}: ${(error as Error).message}`, { cause: error });
  }
  return (server.address() as AddressInfo).port;
}

/** Bolt's Socket Mode start, bounded: its client would otherwise keep reconnecting without ever giving up. */
async function startSocketMode(app: App, apiUrl: string, timeoutMs: number): Promise<void> {
  const host = slackHost(apiUrl);
  const timedOut = Symbol('timed out');
  let outcome: unknown;
  try {
    outcome = await Promise.race([app.start(), sleep(timeoutMs, timedOut, { ref: false })]);
  } catch (error) {
    const failure = classifySlackFailure(error);
    const problem =
      failure.kind === 'rejected'
        ? `Slack rejected SLACK_APP_TOKEN (${failure.code})`
        : describeFailure(host, 'apps.connections.open', failure);
    throw new StartupError(`Socket Mode could not connect: ${problem}.`, { cause: error });
  }
  if (outcome === timedOut) {
    const seconds = Math.round(timeoutMs / 1000);
    throw new StartupError(`Socket Mode could not connect: no WebSocket to Slack at ${host} within ${seconds} s.`);
  }
}
