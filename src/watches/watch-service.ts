import type { types, webApi } from '@slack/bolt';
import type { AuditEntry } from '../audit/audit-log.ts';
import type { Fence } from '../db/fence.ts';
import { ToolError } from '../errors.ts';
import type { Intercom, IntercomAccount } from '../intercom/account.ts';
import { type Conversation, customerLabel } from '../intercom/models.ts';
import type { Logger } from '../logger.ts';
import { escapeMrkdwn } from '../shared/escape.ts';
import type { SlackUser } from '../shared/messages.ts';
import { changesSince, seenOf, type WatchEvent } from './conversation-events.ts';
import { buildAnnouncement, buildWatchEnded, buildWatchStarted, describeLimit } from './watch-blocks.ts';
import type { CreateOutcome, Watch, WatchStore } from './watch-store.ts';

export const MAX_WATCHES_PER_USER = 20;
const WATCH_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
const RETRIEVE_TOOL = 'intercom_retrieve_conversation';

export type StartOutcome = (CreateOutcome | { kind: 'closed' }) & { conversation: Conversation };

/** What one poll found: whether anything happened, and whether this poll announced it. */
export interface Observation {
  activity: boolean;
  announced: boolean;
}

export interface WatchService {
  /**
   * Reads the conversation as the user (its baseline) and starts watching it; ToolError if Intercom refuses.
   * `unlessClosed`: a closed conversation is not watched (the teammate just closed it).
   */
  start(params: {
    user: SlackUser;
    conversationId: string;
    channel: string;
    threadTs: string;
    unlessClosed?: boolean;
  }): Promise<StartOutcome>;
  /** After an approved write to a conversation: watch it in that thread, and say so there. */
  startAfterWrite(action: SlackUser & { channel: string; threadTs: string; conversationId: string }): Promise<void>;
  /** Ends a watch the user owns; undefined if it is not theirs or not open. */
  stop(user: SlackUser, watchId: string): Promise<Watch | undefined>;
  /** The user's open watches (active and paused). */
  openFor(user: SlackUser): Promise<Watch[]>;
  /**
   * A poll read the conversation: announce what changed, exactly once, and nothing unless `fence` (the poller's
   * lead) holds when the change is claimed.
   */
  observe(watch: Watch, conversation: Conversation | undefined, latencyMs: number, fence?: Fence): Promise<Observation>;
  /**
   * A poll failed: a refused token is a broken connection (reported once), a refused conversation ends its watch;
   * neither unless `fence` holds.
   */
  pollFailed(watch: Watch, error: unknown, fence?: Fence): Promise<void>;
  /** Ends watches that were quiet for 7 days, saying so in their threads (if `fence` holds). */
  expireQuiet(fence?: Fence): Promise<void>;
}

export interface WatchServiceDeps {
  store: WatchStore;
  /** Each watch reads its conversation as its watcher, in their own Intercom. */
  intercom: Pick<Intercom, 'accountOf'>;
  client: webApi.WebClient;
  /** A poll found the watcher's token refused: their background work pauses and they get one reconnect DM. */
  refused: (user: SlackUser, fence?: Fence) => Promise<void>;
  logger: Logger;
  now: () => number;
  randomBytes: (size: number) => Buffer;
  /** The base poll interval (WATCH_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** The conversation's card (its state and one-click actions), shown in each announcement. */
  card?: (account: IntercomAccount, conversation: Conversation) => Promise<types.KnownBlock[]>;
}

export function createWatchService(deps: WatchServiceDeps): WatchService {
  const { store, client, logger, now } = deps;

  /** The watcher's identifier is passed in: entries are made inside the store's transactions. */
  const entry = (
    watch: SlackUser & { channel: string; threadTs: string },
    identifier: string,
    fields: Partial<AuditEntry>,
  ): AuditEntry => ({
    at: now(),
    kind: 'watch',
    teamId: watch.teamId,
    userId: watch.userId,
    channel: watch.channel,
    threadTs: watch.threadTs,
    identifier,
    toolName: RETRIEVE_TOOL,
    summary: '',
    outcome: '',
    ...fields,
  });

  const post = (
    thread: { channel: string; threadTs: string },
    message: { text: string; blocks?: types.KnownBlock[] },
    what: string,
  ) =>
    client.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, ...message }).then(
      () => true,
      (error: unknown) => {
        logger.warn(`Could not post ${what} for a watch`, { channel: thread.channel }, error);
        return false;
      },
    );

  /** The watcher's own Intercom admin id, to tell "reassigned to someone else" from "assigned to me". */
  const watcherAdmin = async (account: IntercomAccount): Promise<string | undefined> =>
    account.me().then(
      (admin) => admin.id,
      () => undefined,
    );

  const start: WatchService['start'] = async ({ user, conversationId, channel, threadTs, unlessClosed }) => {
    const account = await deps.intercom.accountOf(user);
    const conversation = await account.conversation(conversationId);
    if (!conversation) {
      throw new ToolError({ kind: 'failed', toolName: RETRIEVE_TOOL, message: 'no such conversation' });
    }
    if (unlessClosed && conversation.state === 'closed') return { kind: 'closed', conversation };
    const at = now();
    const watch = {
      id: deps.randomBytes(12).toString('base64url'),
      ...user,
      conversationId: conversation.id,
      channel,
      threadTs,
      customer: customerLabel(conversation),
      createdAt: at,
      lastActivityAt: at,
      ...seenOf(conversation),
      nextPollAt: at + deps.pollIntervalMs,
      intervalMs: deps.pollIntervalMs,
    };
    const record = entry(watch, account.identifier, {
      toolName: 'watch_conversation',
      summary: `conversation_id=${conversation.id}`,
      outcome: 'started',
      executionId: conversation.executionId,
    });
    return { ...(await store.create(watch, MAX_WATCHES_PER_USER, record)), conversation };
  };

  return {
    start,

    async startAfterWrite(action) {
      let outcome: StartOutcome;
      try {
        outcome = await start({ user: action, ...action, unlessClosed: true });
      } catch (error) {
        logger.warn('Could not start watching after an approved write', { channel: action.channel }, error);
        return;
      }
      if (outcome.kind === 'closed') {
        logger.debug('Not watching a conversation closed by an approved write', { channel: action.channel });
        return;
      }
      if (outcome.kind === 'limit') {
        const text = `I'm not watching conversation ${escapeMrkdwn(action.conversationId)} for <@${action.userId}>. ${describeLimit(outcome.open, MAX_WATCHES_PER_USER)}`;
        await post(action, { text }, 'the watch limit');
        return;
      }
      // A watch that moved here from another thread is news in this one; one already announcing here is not.
      const moved =
        outcome.kind === 'exists' &&
        (outcome.watch.channel !== action.channel || outcome.watch.threadTs !== action.threadTs);
      if (outcome.kind === 'created' || moved) await post(outcome.watch, buildWatchStarted(outcome.watch), 'a start');
    },

    async stop(user, watchId) {
      const watch = await store.get(watchId);
      if (!watch || watch.teamId !== user.teamId || watch.userId !== user.userId) return undefined;
      return store.end(
        watch.id,
        'stopped',
        now(),
        entry(watch, (await deps.intercom.accountOf(watch)).identifier, {
          toolName: 'watch_conversation',
          summary: `conversation_id=${watch.conversationId}`,
          outcome: 'stopped',
        }),
      );
    },

    openFor: (user) => store.openFor(user),

    async observe(watch, conversation, latencyMs, fence) {
      if (!conversation) return { activity: false, announced: false };
      const account = await deps.intercom.accountOf(watch);
      const needsAdmin = conversation.assignee !== watch.assignee && conversation.assignee !== null;
      const changes = changesSince(watch, conversation, needsAdmin ? await watcherAdmin(account) : undefined);
      if (!changes.activity) return { activity: false, announced: false };
      const closed = changes.events.some((e) => e.kind === 'closed');
      const at = now();
      // Claimed before it is posted: of two polls that saw the same change, only one gets here. A post that then
      // fails is lost rather than repeated (Slack's client has already retried it).
      const claimed = await store.advance(watch.id, watch.version, changes.seen, at, {
        end: closed ? { reason: 'closed', at } : undefined,
        fence,
        record:
          changes.events.length > 0
            ? entry(watch, account.identifier, {
                summary: `conversation_id=${watch.conversationId} events=${changes.events.map((e) => e.kind).join(',')}`,
                outcome: 'announced',
                executionId: conversation.executionId,
                latencyMs,
              })
            : undefined,
      });
      if (!claimed || changes.events.length === 0) return { activity: true, announced: false };
      const card = await deps.card?.(await deps.intercom.accountOf(watch), conversation).catch((error: unknown) => {
        logger.warn('Building the card of a watched conversation failed', { watchId: watch.id }, error);
        return undefined;
      });
      await post(watch, buildAnnouncement(watch, changes.events, card), 'an announcement');
      logger.info('Announced a change in a watched conversation', {
        watchId: watch.id,
        events: changes.events.map((e: WatchEvent) => e.kind),
      });
      return { activity: true, announced: true };
    },

    async pollFailed(watch, error, fence) {
      if (error instanceof ToolError && error.kind === 'auth') {
        // Every watch of theirs, and their queue, would fail the same way: one breakage, however many polls see it.
        await deps
          .refused(watch, fence)
          .catch((e: unknown) => logger.warn('Could not report a refused token found by a watch', e));
        return;
      }
      if (error instanceof ToolError && error.kind === 'forbidden') {
        const ended = await store.end(
          watch.id,
          'forbidden',
          now(),
          entry(watch, (await deps.intercom.accountOf(watch)).identifier, {
            summary: `conversation_id=${watch.conversationId}`,
            outcome: 'ended: forbidden',
          }),
          fence,
        );
        if (ended) await post(ended, buildWatchEnded(ended, 'forbidden'), 'an end');
        return;
      }
      logger.warn('Polling a watched conversation failed; trying again later', { watchId: watch.id }, error);
    },

    async expireQuiet(fence) {
      const ended = await store.expire(
        now() - WATCH_IDLE_MS,
        now(),
        (watch, identifier) =>
          entry(watch, identifier, { summary: `conversation_id=${watch.conversationId}`, outcome: 'ended: inactive' }),
        fence,
      );
      for (const watch of ended) {
        await post(watch, buildWatchEnded(watch, 'inactive'), 'an end');
      }
      // Ended watches only serve the lists; a month later nobody needs them.
      await store.prune(now() - 30 * 24 * 60 * 60 * 1000);
    },
  };
}
