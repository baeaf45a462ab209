import { App, webApi } from '@slack/bolt';
import { createAgentAnswer } from './agent/agent-answer.ts';
import type { AnswerSurface } from './agent/answer-surface.ts';
import { createFeedbackRecorder } from './agent/feedback.ts';
import { createModel } from './agent/model.ts';
import { createSupportAgent } from './agent/support-agent.ts';
import { createApprovals } from './approvals/approvals.ts';
import { createPendingActions } from './approvals/pending-actions.ts';
import { createAuditLog } from './audit/audit-log.ts';
import type { Config } from './config.ts';
import { createAccountService, describeDisconnect } from './connect/account.ts';
import { createConnectCommand } from './connect/connect-command.ts';
import { createAfterConnect, createConnectPrompter, createGatedMessageHandler } from './connect/connect-flow.ts';
import { createConnectService, SLACK_SIGNIN_CALLBACK_PATH } from './connect/connect-service.ts';
import { createConnectStore } from './connect/connect-store.ts';
import { createConnectionBreaks } from './connect/connection-breaks.ts';
import { createConnectionHealth } from './connect/connection-health.ts';
import { createParkedRequests, parkedRecovery } from './connect/parked-requests.ts';
import { createSlackSignIn } from './connect/slack-signin.ts';
import { createCardClaims } from './conversation-cards/card-claims.ts';
import { createConversationCards } from './conversation-cards/conversation-cards.ts';
import {
  createConversationHandler,
  isTopLevelDm,
  rememberExchange,
  unfollowByButton,
} from './conversations/conversation-handler.ts';
import { createConversationStore } from './conversations/conversation-store.ts';
import { suggestedPrompts } from './conversations/suggested-prompts.ts';
import type { Fence } from './db/fence.ts';
import type { Sql } from './db/sql.ts';
import { createInbox } from './delivery/inbox.ts';
import { type Maintenance, startMaintenance } from './delivery/maintenance.ts';
import { recoverFromCrash } from './delivery/recovery.ts';
import type { Replica, StopRequest } from './delivery/replicas.ts';
import { createTurnTaker } from './delivery/turns.ts';
import { createWebhookReceipts } from './delivery/webhook-receipts.ts';
import type { WorkQueue } from './delivery/work-queue.ts';
import { createHomePublisher } from './home/home.ts';
import { createConnectRoutes } from './http/connect-routes.ts';
import { createScalekitWebhookRoute } from './http/scalekit-webhooks.ts';
import type { Route } from './http/server.ts';
import { createSlackReceiver, type SlackReceiver } from './http/slack-receiver.ts';
import { createIdentityStore } from './identity/identity-store.ts';
import { createIntercom } from './intercom/account.ts';
import { createAdminDirectory } from './intercom/admin-directory.ts';
import type { Logger } from './logger.ts';
import { createMyQueue } from './queue/my-queue.ts';
import { createQueueStore } from './queue/queue-store.ts';
import { type CachedGateway, withCache } from './scalekit/cached-gateway.ts';
import { createScalekitGateway, type ScalekitGateway } from './scalekit/scalekit-gateway.ts';
import { createWebhookVerifier } from './scalekit/webhook-verifier.ts';
import { reportUnhandled } from './shared/acknowledge.ts';
import type { SlackUser, UserMessage } from './shared/messages.ts';
import type { TimeAndChance } from './shared/time-and-chance.ts';
import { allCapabilities } from './slack/agent-extras.ts';
import { createAnswerStream } from './slack/answer-stream.ts';
import { createNameDirectory } from './slack/incoming-text.ts';
import { registerListeners } from './slack/listeners.ts';
import { createRateLimitedFetch } from './slack/rate-limits.ts';
import { type BotIdentity, slackHost } from './slack/startup-check.ts';
import { threadHistory } from './slack/thread-history.ts';
import { createUnfurls } from './unfurls/unfurls.ts';
import type { PollerOptions, PollTimer } from './watches/poller.ts';
import { createWatchActions } from './watches/watch-actions.ts';
import { createWatches } from './watches/watches.ts';

export interface CompositionOptions extends TimeAndChance {
  config: Config;
  logger: Logger;
  /** The open database; the composition prepares its statements but never opens or closes it. */
  db: Sql;
  /** Who the bot is in Slack (from auth.test). */
  bot: BotIdentity;
  /** This process among the bot's processes: whose rows are whose, and Stop pressed here for a run elsewhere. */
  replica: Pick<Replica, 'id' | 'requestStop' | 'takeTurn'>;
  /** Every tracked piece of work, so the lifecycle can drain it. */
  queue: WorkQueue;
  /** Web API client tuning; tests turn retries off so a closed emulator fails fast. */
  slackClientOptions?: Pick<webApi.WebClientOptions, 'retryConfig'>;
  /** Replaces the real Scalekit gateway (the benchmark's baseline). */
  scalekit?: ScalekitGateway;
  /** Per-identifier caching of status and tools; off only to measure what it saves. */
  cacheScalekit?: boolean;
  /** Agent tuning for tests: retries of failed model calls, and the backoff after Intercom rate limits. */
  agent?: { modelRetries?: number; rateLimitBackoffMs?: number[]; runTimeoutMs?: number; maxSteps?: number };
  /** Watch poller tuning; tests pass a timer whose passes they run themselves. */
  watches?: { timer?: PollTimer } & Omit<PollerOptions, 'pollIntervalMs'>;
}

export interface Composition {
  slackApp: App;
  /** HTTP mode: how Slack's signed requests reach Bolt once the server serves them. */
  slackEndpoint?: { signingSecret: string; receiver: SlackReceiver };
  /** The connect and verify pages. */
  routes: Route[];
  /**
   * Tells people whose requests a stopped process (gone since `aliveSince`) cut off, and settles approvals that were
   * mid-send.
   */
  recover(aliveSince: number): Promise<void>;
  /** Stop pressed on another process, for runs that may be here. */
  stopRuns(requests: StopRequest[]): void;
  /**
   * Starts the periodic clean-up of old rows and the watch poller (after ready: they never delay startup); the
   * poller's claims check `fence` (this process still leads).
   */
  startMaintenance(fence: Fence): Maintenance;
}

/**
 * The composition root: every long-lived object is made here from the configuration and handed to whatever needs
 * it. Nothing here listens, connects or checks anything; src/bot.ts does that, around this.
 */
export function composeBot(options: CompositionOptions): Composition {
  const { config, logger, db, bot, queue, now, randomBytes, replica } = options;
  const owner = { owner: replica.id };
  const identities = createIdentityStore(db, {
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
  // Uncached means nothing kept at all, shared tool lists included: every message fetches and wraps its own.
  const gateway: CachedGateway =
    options.cacheScalekit === false ? { ...upstream, forget: () => {} } : withCache(upstream, { now });
  const parked = createParkedRequests(db, owner);
  const inbox = createInbox(db, owner);
  const audit = createAuditLog(db);
  const pendingActions = createPendingActions(db, audit, owner);

  const slackEndpoint =
    config.slack.mode === 'http'
      ? { signingSecret: config.slack.signingSecret, receiver: createSlackReceiver(logger) }
      : undefined;
  const slackApp = new App({
    token: config.slack.botToken,
    // Known from our own auth.test, so Bolt makes none of its own.
    botId: bot.botId,
    botUserId: bot.userId,
    // Bolt's own lines (and its Web API client's "http request failed") then name the service and host.
    logger: logger.child({ upstream: 'Slack', host: slackHost(config.slack.apiUrl) }),
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      // Per call; retries (below) come on top.
      timeout: 15_000,
      // Bounded: a reply that cannot be posted within about five minutes is not worth posting.
      retryConfig: options.slackClientOptions?.retryConfig ?? webApi.retryPolicies.fiveRetriesInFiveMinutes,
      // Slack's 429s are retried after exactly their Retry-After, before the retry policy above sees them.
      fetch: createRateLimitedFetch(),
    },
    // Bolt's in-memory conversation store is unused here and costs a lookup on every event.
    convoStore: false,
    ...(slackEndpoint
      ? { receiver: slackEndpoint.receiver }
      : { socketMode: true, appToken: config.slack.mode === 'socket' ? config.slack.appToken : '' }),
  });
  const client = slackApp.client;

  const signIn = config.slack.signIn;
  const connect = createConnectService({
    store: createConnectStore(db),
    identities,
    gateway,
    publicUrl: config.http.publicUrl,
    logger,
    now,
    randomBytes,
    signIn: signIn
      ? createSlackSignIn({
          client,
          apiUrl: config.slack.apiUrl,
          clientId: signIn.clientId,
          clientSecret: signIn.clientSecret,
          redirectUri: `${config.http.publicUrl}${SLACK_SIGNIN_CALLBACK_PATH}`,
        })
      : undefined,
  });
  const prompt = createConnectPrompter(connect);
  const admins = createAdminDirectory({ now });
  const { rateLimitBackoffMs, ...agentOptions } = options.agent ?? {};
  // Every Intercom call of every feature goes through this: one teammate's account at a time, audited in one place.
  const intercom = createIntercom({ gateway, identities, admins, audit, now, rateLimitBackoffMs });
  const cardClaims = createCardClaims(db);
  const cards = createConversationCards({
    intercom,
    identities,
    gateway,
    issueLink: (user) => connect.issueLink(user),
    claims: cardClaims,
    logger,
    now,
  });
  const { timer, ...pollerOptions } = options.watches ?? {};
  // What the bot does for a teammate between requests, in their own Intercom, polled at one interval.
  const inBackground = {
    intercom,
    client,
    // A refused token found by any poll is the same breakage Scalekit's webhooks report: one record, one DM.
    refused: (user: SlackUser) => health.refused(user),
    logger,
    now,
    randomBytes,
    pollIntervalMs: config.watches.pollIntervalMs,
  };
  // My queue: each teammate's open assigned conversations, one search per poll, on the watches' poller and budget.
  const myQueue = createMyQueue({
    ...inBackground,
    store: createQueueStore(db),
    card: (account, conversation) => cards.cardFor(account, conversation),
    nudgeAfterMs: config.queue.nudgeAfterMs,
  });
  const watches = createWatches({
    ...inBackground,
    db,
    audit,
    card: (account, conversation) => cards.cardFor(account, conversation),
    timer,
    poller: pollerOptions,
    jobs: [myQueue.job],
  });
  const breaks = createConnectionBreaks(db);
  // Scalekit's webhooks say when a connection breaks; the teammate's background work waits for them to reconnect.
  const health = createConnectionHealth({
    identities,
    breaks,
    gateway,
    background: [watches.background, myQueue.background],
    prompt,
    client,
    logger,
    now,
  });
  const account = createAccountService({
    identities,
    gateway,
    admins,
    pendingActions,
    parked,
    audit,
    watches: watches.account,
    health,
    breaks,
    stopBackground: async (user) => {
      await myQueue.turnOff(user);
    },
    client,
    logger,
    now,
  });
  const approvals = createApprovals({
    store: pendingActions,
    intercom,
    client,
    logger,
    now,
    randomBytes,
    onApprovedWrite: (action) => watches.service.startAfterWrite(action),
  });
  const agent = createSupportAgent({
    // The provider's 429s tell the work queue to start fewer runs for a while.
    model: createModel(config.openai, { onRateLimited: () => queue.rateLimited() }),
    onWrite: approvals.onWrite,
    toolOverrides: config.toolOverrides,
    localTools: watches.tools,
    logger,
    now,
    ...agentOptions,
  });
  const conversations = createConversationStore(db);
  const names = createNameDirectory(now);
  const capabilities = allCapabilities();
  const nextTurn = createTurnTaker();

  /**
   * The message pipeline, every stage by name and in the order a message goes through them. The first, `inbox`, is
   * the listener's (slack/message-listeners.ts): each Slack message is taken on once and tracked for shutdown.
   */
  const pipeline = {
    /**
     * One message's work starts per turn of the event loop, so the requests of a burst are read and acknowledged in
     * between (a warm message otherwise goes from its ack straight into its work: at 100 at once, ack p99 345 ms).
     */
    turn: async (message: UserMessage, c: webApi.WebClient): Promise<void> => {
      await nextTurn();
      await pipeline.conversation(message, c);
    },
    /** A thread the bot is asked in is followed; "start over" and "stop following" are answered here. */
    conversation: createConversationHandler({
      conversations,
      next: (message, c): Promise<void> => pipeline.gate(message, c),
      now,
      logger,
    }),
    /** A connected teammate goes on in their own Intercom; anyone else gets a connect DM, the request parked. */
    gate: createGatedMessageHandler({
      identities,
      intercom,
      gateway,
      prompt,
      parked,
      // The answer's surface starts here, before Scalekit is asked anything: the first sign of life.
      surface: (message, c): AnswerSurface => pipeline.answer(message, c),
      answer: (message, teammate, c, surface): Promise<void> => pipeline.agentRun.answer(message, teammate, c, surface),
      logger,
      now,
    }),
    /**
     * In the conversation's queue, within the bot's limits (its place shown if it waits); then, once no new message
     * of a burst waits to start, the history, the teammate's tools, the agent. A reconnect parks the request.
     */
    agentRun: createAgentAnswer({
      agent,
      gateway,
      prompt,
      parked,
      history: async (message, c) =>
        isTopLevelDm(message) ? conversations.dmTurns(message, now()) : threadHistory(c, message, bot, names(c)),
      showConversations: (message, account, conversationIds, c) =>
        cards.post({ account, conversationIds, channel: message.channel, threadTs: message.threadTs, client: c }),
      remember: (message, text) => rememberExchange(conversations, message, text, now()),
      queue,
      turn: () => nextTurn.later(),
      turns: replica,
      logger,
      now,
    }),
    /** Where the answer appears while it is worked on: streamed with a live plan, or a working message. */
    answer: (message: UserMessage, c: webApi.WebClient): AnswerSurface =>
      createAnswerStream({ client: c, logger, now, capabilities, landed: approvals.onAnswerLanded }, message),
  };

  registerListeners(slackApp, {
    onMessage: pipeline.turn,
    names,
    isFollowing: (thread, user) => conversations.isFollowing(thread, user, now()),
    unfollow: (thread, user) => unfollowByButton({ conversations, now }, thread, user),
    stopRun: (thread) => {
      if (pipeline.agentRun.stop(thread)) return true;
      // The run may be on another process: it reads the request within a heartbeat.
      replica.requestStop(thread).catch((error: unknown) => logger.warn('Could not pass Stop on', error));
      return false;
    },
    recordFeedback: createFeedbackRecorder({ audit, identities, now }),
    suggestedPrompts: async (user) =>
      suggestedPrompts((await gateway.accountStatus(await identities.identifierFor(user)))?.active === true),
    onConnectCommand: createConnectCommand({ identities, gateway, prompt, account }),
    account: {
      publishHome: createHomePublisher({
        account,
        queue: myQueue,
        audit,
        watches: watches.service,
        client,
        workspaceUrl: bot.url,
        now,
      }),
      setQueue: async (user, on) => {
        await (on ? myQueue.turnOn(user) : myQueue.turnOff(user));
      },
      connect: (user, c) => prompt(c, user, 'requested'),
      disconnect: async (user) => describeDisconnect(await account.disconnect(user)),
    },
    lifecycle: {
      async offboard(user) {
        const cut = await account.offboard(user);
        if (cut) logger.info('Offboarded a teammate deactivated in Slack', { userId: user.userId, ...cut });
      },
      async workspaceGone(teamId, why) {
        const endedWatches = await watches.endAllForTeam(teamId);
        const queuesOff = await myQueue.turnOffTeam(teamId);
        logger.warn('The bot lost this workspace; its background work stops', { teamId, why, endedWatches, queuesOff });
      },
    },
    approvals,
    cards,
    unfurls: createUnfurls({
      intercom,
      identities,
      gateway,
      issueLink: (user) => connect.issueLink(user),
      logger,
      now,
    }),
    onWatchClick: createWatchActions({ store: watches.store, service: watches.service, handle: pipeline.conversation }),
    inbox,
    queue,
    logger,
    now,
  });
  slackApp.error(async (error) => {
    logger.error('Unhandled error in a Slack listener', error);
    reportUnhandled();
  });

  // A request parked until its teammate connected goes on from the gate.
  const onConnected = createAfterConnect({ account, parked, handle: pipeline.gate, client, queue, now, logger });
  const webhookSecret = config.scalekitWebhookSecret;
  const receipts = createWebhookReceipts(db);
  const scalekitWebhooks = createScalekitWebhookRoute({
    verify: webhookSecret ? createWebhookVerifier({ ...config.scalekit, secret: webhookSecret }) : undefined,
    receipts,
    onEvent: health.onEvent,
    track: (work) => void queue.track(work),
    logger,
    now,
  });
  return {
    slackApp,
    slackEndpoint,
    routes: [
      ...createConnectRoutes({ connect, publicUrl: config.http.publicUrl, onConnected, logger }),
      scalekitWebhooks,
    ],
    recover: (aliveSince) =>
      recoverFromCrash({ inbox, participants: [parkedRecovery(parked), approvals], client, logger, aliveSince }),
    stopRuns: (requests) => {
      for (const request of requests) pipeline.agentRun.stop(request, request.requestedAt);
    },
    startMaintenance: (fence) => {
      const maintenance = startMaintenance({
        inbox,
        hourly: [
          { what: 'conversations', prune: (at) => conversations.prune(at) },
          { what: 'queue notices', prune: (at) => myQueue.prune(at) },
          // A redelivery of an old webhook-id after a week is not expected; until then it is recognised.
          {
            what: 'webhook receipts',
            prune: async (at) => {
              await receipts.prune(at - 7 * 24 * 60 * 60 * 1000);
            },
          },
          { what: 'card clicks', prune: (at) => cardClaims.prune(at) },
        ],
        logger,
        now,
      });
      watches.source.start(fence);
      return {
        async stop() {
          await watches.source.stop();
          await maintenance.stop();
        },
      };
    },
  };
}
