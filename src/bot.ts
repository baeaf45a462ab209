import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import { type CompositionOptions, composeBot } from './app.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { DatabaseUnavailableError } from './db/postgres.ts';
import { createReplica, type Replica } from './delivery/replicas.ts';
import { createWorkQueue, type WorkQueue } from './delivery/work-queue.ts';
import { StartupError } from './errors.ts';
import { createHttpServer, type HttpServer, sendJson } from './http/server.ts';
import type { Logger } from './logger.ts';
import {
  checkAppToken,
  checkBotToken,
  classifySlackFailure,
  describeFailure,
  type StartupCheckOptions,
  slackHost,
} from './slack/startup-check.ts';

export interface BotOptions
  extends Partial<Pick<CompositionOptions, 'now' | 'randomBytes'>>,
    Pick<CompositionOptions, 'slackClientOptions' | 'scalekit' | 'cacheScalekit' | 'agent' | 'watches'> {
  config: Config;
  logger: Logger;
  /** Replaces the work queue made from the configuration (the benchmark times the waits through its own). */
  queue?: WorkQueue;
  /** How long start-up keeps trying to reach PostgreSQL (DATABASE_URL) before giving up; 30 s by default. */
  databaseConnectForMs?: number;
  /** How long stop() waits for runs in flight before closing anyway. */
  drainTimeoutMs?: number;
  /**
   * Another process took this one for dead (paused, or cut off from the database, for longer than
   * REPLICA_TIMEOUT_MS) and reported its work as interrupted; src/main.ts exits so that it is restarted clean.
   */
  onFenced?: () => void;
  /** How often a process heartbeats with DATABASE_URL (tests shorten it along with REPLICA_TIMEOUT_MS). */
  heartbeatMs?: number;
  /**
   * A server already listening on PORT, handed over rather than listened for: a test listens on port 0 first, so the
   * port PUBLIC_URL names is its own before the bot starts. The bot serves on it and leaves it open when it stops.
   */
  listening?: Server;
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
  /** What the bot is doing, for the log line of a crash: its state, runs, and the conversations they belong to. */
  activity(): BotActivity;
}

export interface BotActivity {
  state: string;
  runsInFlight: number;
  runsWaiting: number;
  /** Conversation ids (channel:thread, or dm:team:user) with work running or waiting. */
  conversations: string[];
}

/** Slack's payloads are a few kilobytes; anything near this is not from Slack. */
const MAX_BODY_BYTES = 512 * 1024;

/**
 * The bot's lifecycle around the composition (src/app.ts): listen, open the database, check Slack, compose,
 * serve, and on stop drain the work in flight before closing.
 */
export function createBot(options: BotOptions): Bot {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const randomBytes = options.randomBytes ?? cryptoRandomBytes;

  let state: 'idle' | 'starting' | 'ready' | 'stopping' | 'stopped' = 'idle';
  /** What `/healthz` says the bot is doing while it is not ready. */
  let waitingFor = '';
  let db: Database | undefined;
  let http: HttpServer | undefined;
  let slackApp: App | undefined;
  let socketModeStarted = false;
  let replica: Replica | undefined;
  /** Settles when a start() in progress has finished, either way. */
  let startSettled: Promise<void> = Promise.resolve();
  const queue = options.queue ?? createWorkQueue({ maxConcurrent: config.maxConcurrentRuns, now });

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
        http = createHttpServer({
          routes: [
            {
              method: 'GET',
              path: '/healthz',
              handle: async (_req, res) => {
                if (state !== 'ready' || !db) {
                  sendJson(res, 503, { status: state, reason: waitingFor });
                  return;
                }
                const health = await db.ping();
                if (health.ok) sendJson(res, 200, { status: state });
                else sendJson(res, 503, { status: 'degraded', reason: health.reason });
              },
            },
          ],
          maxBodyBytes: MAX_BODY_BYTES,
          logger,
          now,
          server: options.listening,
        });
        const port = options.listening
          ? (options.listening.address() as AddressInfo).port
          : await listen(http.server, config.http.port);
        db = await openDatabaseOrExplain(config, logger, options.databaseConnectForMs);
        const startupCheck: StartupCheckOptions = { apiUrl: config.slack.apiUrl, logger, ...options.startup };
        waitingFor = 'checking the Slack token';
        const bot = await checkBotToken(config.slack.botToken, startupCheck);
        replica = createReplica({
          sql: db,
          id: `${process.pid}-${randomBytes(6).toString('hex')}`,
          single: !config.databaseUrl,
          timeoutMs: config.replicaTimeoutMs,
          heartbeatMs: options.heartbeatMs ?? 1000,
          logger,
          now,
        });
        await replica.join();
        const composed = composeBot({ ...options, db, bot, queue, now, randomBytes, replica });
        slackApp = composed.slackApp;
        if (config.slack.mode === 'socket') {
          waitingFor = 'connecting to Slack (Socket Mode)';
          await checkAppToken(config.slack.appToken, startupCheck);
          socketModeStarted = true;
          await startSocketMode(slackApp, config.slack.apiUrl, options.startup?.socketModeTimeoutMs ?? 30_000);
        }
        http.startServing({ routes: composed.routes, slack: composed.slackEndpoint });

        state = 'ready';
        waitingFor = '';
        logger.info('Bot ready', { mode: config.slack.mode, port });
        let maintenance: { stop(): Promise<void> } | undefined;
        // The first heartbeat, so that a process that finds no leader leads (and polls) before start() returns.
        await replica.start({
          lead: (fence) => {
            maintenance = composed.startMaintenance(fence);
          },
          stepDown: async () => {
            await maintenance?.stop();
            maintenance = undefined;
          },
          sweep: (aliveSince) => queue.track(composed.recover(aliveSince)),
          stops: composed.stopRuns,
          fenced: () => {
            http?.stopServing();
            options.onFenced?.();
          },
        });
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

    activity() {
      return { state, runsInFlight: queue.running, runsWaiting: queue.waiting, conversations: queue.busyKeys };
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
    // Hands the background work on, and lets the leader report at once whatever was left unfinished.
    await replica?.leave().catch((error: unknown) => logger.warn('Leaving the other processes failed', error));
    replica = undefined;
    const closing = http?.server;
    if (options.listening) {
      http?.detach();
    } else if (closing?.listening) {
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      closing.closeAllConnections();
      await closed;
    }
    const closingDb = db;
    db = undefined;
    await closingDb?.close().catch((error: unknown) => logger.warn('Closing the database failed', error));
  }
}

async function openDatabaseOrExplain(config: Config, logger: Logger, connectForMs?: number): Promise<Database> {
  try {
    return await openDatabase({ path: config.databasePath, url: config.databaseUrl }, { logger, connectForMs });
  } catch (error) {
    // PostgreSQL's messages already name the server (never the password).
    if (error instanceof DatabaseUnavailableError) throw new StartupError(error.message, { cause: error });
    throw new StartupError(
      `Cannot open the database at DATABASE_PATH=${config.databasePath}: ${(error as Error).message}`,
      { cause: error },
    );
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
