import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, webApi } from '@slack/bolt';
import { createModel } from './agent/model.ts';
import { createSupportAgent } from './agent/support-agent.ts';
import { createAdminDirectory } from './approvals/admin-directory.ts';
import { createSqlitePendingActions } from './approvals/pending-actions.ts';
import { createSqliteAuditLog } from './audit/audit-log.ts';
import type { Config } from './config.ts';
import { createConnectService, SLACK_SIGNIN_CALLBACK_PATH } from './connect/connect-service.ts';
import { createSqliteConnectStore } from './connect/connect-store.ts';
import { createSqliteParkedRequests } from './connect/parked-requests.ts';
import { type Db, openDatabase } from './db/database.ts';
import { StartupError } from './errors.ts';
import { createConnectRoutes } from './http/connect-routes.ts';
import { createHttpServer, type Route, sendJson } from './http/server.ts';
import { createSqliteIdentityStore, type SlackUser } from './identity/identity-store.ts';
import type { Logger } from './logger.ts';
import { withCache } from './scalekit/cached-gateway.ts';
import { createScalekitGateway, type ScalekitGateway } from './scalekit/scalekit-gateway.ts';
import { createAccountService } from './slack/account.ts';
import { createAgentAnswer } from './slack/agent-answer.ts';
import { createApprovals } from './slack/approvals.ts';
import { createConnectCommand } from './slack/connect-command.ts';
import { createConnectPrompter, createGatedMessageHandler, createResumeAfterConnect } from './slack/connect-flow.ts';
import { createHomePublisher } from './slack/home.ts';
import { createSqliteInbox } from './slack/inbox.ts';
import { type InboxPruner, startInboxPruning } from './slack/inbox-pruner.ts';
import { registerListeners } from './slack/listeners.ts';
import { recoverFromCrash } from './slack/recovery.ts';
import { createSlackSignIn } from './slack/slack-signin.ts';
import { createWorkQueue } from './slack/work-queue.ts';

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
}

export interface Bot {
  /** Opens the database, checks the Slack token, starts serving; resolves once `/healthz` answers 200. */
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
  let db: Db | undefined;
  let server: Server | undefined;
  let slackApp: App | undefined;
  let pruner: InboxPruner | undefined;
  const queue = createWorkQueue({ maxConcurrent: options.maxConcurrentRuns ?? 20 });

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      handle: (_req, res) => sendJson(res, state === 'ready' ? 200 : 503, { status: state }),
    },
  ];

  return {
    async start() {
      if (state !== 'idle') throw new Error(`start() called while ${state}`);
      state = 'starting';
      try {
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
        const receiver =
          config.slack.mode === 'http'
            ? new HTTPReceiver({
                signingSecret: config.slack.signingSecret,
                endpoints: '/slack/events',
                logger,
                bodyLimit: MAX_BODY_BYTES,
              })
            : undefined;
        const bot = await checkSlackToken(config.slack.botToken, clientOptions, logger);
        slackApp = new App({
          token: config.slack.botToken,
          // Known from our own auth.test, so Bolt makes none of its own.
          botId: bot.botId,
          botUserId: bot.userId,
          logger,
          clientOptions,
          // Bolt's in-memory conversation store is unused here and costs a lookup on every event.
          convoStore: false,
          ...(receiver
            ? { receiver }
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
        const answer = createAgentAnswer({ agent, gateway, prompt, parked, bot, queue, logger, now });
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
        server = createHttpServer({
          routes: [
            ...routes,
            ...createConnectRoutes({ connect, publicUrl: config.http.publicUrl, onConnected, logger }),
          ],
          slackListener: receiver?.requestListener,
          maxBodyBytes: MAX_BODY_BYTES,
          logger,
        });
        const listening = server;
        await new Promise<void>((resolve, reject) => {
          listening.once('error', reject);
          listening.listen(config.http.port, () => {
            listening.off('error', reject);
            resolve();
          });
        });
        if (config.slack.mode === 'socket') await slackApp.start();

        state = 'ready';
        const port = (listening.address() as AddressInfo).port;
        logger.info('Bot ready', { mode: config.slack.mode, port });
        void queue.track(
          recoverFromCrash({ inbox, parked, pendingActions, client: slackApp.client, logger, now }).catch(
            (error: unknown) => logger.error('Recovering from the last run failed', error),
          ),
        );
        pruner = startInboxPruning({ inbox, logger, now });
        return { port };
      } catch (error) {
        await shutdown();
        state = 'stopped';
        throw error;
      }
    },

    async stop() {
      if (state === 'stopping' || state === 'stopped') return;
      state = 'stopping';
      await shutdown();
      state = 'stopped';
      logger.info('Bot stopped');
    },
  };

  /** Stops taking work, lets runs in flight finish (for a bounded time), then closes the database. */
  async function shutdown(): Promise<void> {
    const closing = server;
    const serverClosed = closing
      ? new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeIdleConnections();
        })
      : Promise.resolve();
    if (config.slack.mode === 'socket' && slackApp && state !== 'starting') {
      await slackApp.stop().catch((error: unknown) => logger.warn('Socket Mode did not stop cleanly', error));
    }
    const drained = await queue.drain(options.drainTimeoutMs ?? 25_000);
    if (!drained) {
      logger.warn('Stopping with work still in flight; it will be reported as interrupted at the next start', {
        running: queue.running,
        waiting: queue.waiting,
      });
    }
    closing?.closeAllConnections();
    await serverClosed;
    await pruner?.stop();
    pruner = undefined;
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

/** One auth.test at startup, so a wrong or revoked bot token stops the bot with a clear message. */
async function checkSlackToken(
  token: string,
  clientOptions: webApi.WebClientOptions,
  logger: Logger,
): Promise<{ userId: string; botId: string; url?: string }> {
  try {
    const auth = await new webApi.WebClient(token, { ...clientOptions, logger }).auth.test();
    if (!auth.user_id || !auth.bot_id) throw new Error('auth.test named no bot user: is SLACK_BOT_TOKEN a bot token?');
    return { userId: auth.user_id, botId: auth.bot_id, url: auth.url };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
    throw new StartupError(`Slack did not accept SLACK_BOT_TOKEN (${code}). Check the token and SLACK_API_URL.`, {
      cause: error,
    });
  }
}
