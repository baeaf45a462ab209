import type { types, webApi } from '@slack/bolt';
import type { Fence } from '../db/fence.ts';
import { ToolError } from '../errors.ts';
import type { Intercom, IntercomAccount } from '../intercom/account.ts';
import { type Admin, type Conversation, TEAM_AUTHORS } from '../intercom/models.ts';
import type { Logger } from '../logger.ts';
import type { SlackUser } from '../shared/messages.ts';
import { type PollJob, scheduleIn } from '../watches/poller.ts';
import { buildNudge, buildReplyNotice, type QueueHomeState } from './queue-blocks.ts';
import type { QueueFollower, QueueStore } from './queue-store.ts';

/** Searches overlap by this much, so a conversation updated while a search ran is not missed (notices dedupe). */
const OVERLAP_MS = 60_000;
const NOTICES_KEPT_MS = 30 * 24 * 60 * 60 * 1000;

export interface MyQueue {
  /** Turns it on for the teammate; false when it was on already. */
  turnOn(user: SlackUser): Promise<boolean>;
  turnOff(user: SlackUser): Promise<boolean>;
  /** What App Home shows: off, or on (paused or not) with the open assigned conversations, longest waiting first. */
  homeState(user: SlackUser): Promise<QueueHomeState>;
  /** The poller's job: one search per teammate per poll, within the watches' budget. */
  job: PollJob<QueueFollower>;
  /** Paused while the teammate's connection is broken. */
  background: { pauseFor(user: SlackUser): Promise<void>; resumeFor(user: SlackUser): Promise<void> };
  /** The bot lost the workspace: every queue in it stops. */
  turnOffTeam(teamId: string): Promise<number>;
  /** Forgets old notices (hourly). */
  prune(now: number): Promise<void>;
}

export function createMyQueue(deps: {
  store: QueueStore;
  intercom: Pick<Intercom, 'accountOf'>;
  client: webApi.WebClient;
  /** A refused token: a broken connection, paused and reported once whichever poll found it (the watches' too). */
  refused: (user: SlackUser, fence?: Fence) => Promise<void>;
  logger: Logger;
  now: () => number;
  randomBytes: (size: number) => Buffer;
  pollIntervalMs: number;
  /** The conversation's card (its state and one-click actions as whoever clicks), shown in each DM. */
  card: (account: IntercomAccount, conversation: Conversation) => Promise<types.KnownBlock[]>;
  /** QUEUE_NUDGE_AFTER_MINUTES, in ms; no reminders without it. */
  nudgeAfterMs?: number;
}): MyQueue {
  const { store, client, logger, now } = deps;

  /** The card, or none when it cannot be built: the DM still says what the customer wrote. */
  const cardOf = (account: IntercomAccount, conversation: Conversation) =>
    deps.card(account, conversation).catch((error: unknown): types.KnownBlock[] => {
      logger.warn('Building the card of a queued conversation failed', { conversationId: conversation.id }, error);
      return [];
    });

  const dm = async (user: SlackUser, message: { text: string; blocks: types.KnownBlock[] }, what: string) => {
    try {
      const opened = await client.conversations.open({ users: user.userId });
      const channel = opened.channel?.id;
      if (!channel) throw new Error('Slack opened no DM channel');
      await client.chat.postMessage({ channel, ...message, unfurl_links: false });
    } catch (error) {
      // Claimed already: a DM Slack refuses after its retries is lost rather than sent twice.
      logger.warn(`Could not DM ${what} from My queue`, { userId: user.userId }, error);
    }
  };

  const isCustomerReply = (part: Conversation['parts'][number], f: QueueFollower) =>
    part.type === 'comment' && !TEAM_AUTHORS.has(part.authorType) && Boolean(part.body) && (part.at ?? 0) >= from(f);

  /** The conversation changed: each customer reply since they turned the queue on is one DM, claimed first. */
  const announceReplies = async (account: IntercomAccount, me: Admin, f: QueueFollower, id: string, fence: Fence) => {
    const conversation = await account.conversation(id);
    if (!stillMine(conversation, me)) return 0;
    let sent = 0;
    for (const part of conversation.parts.filter((p) => isCustomerReply(p, f))) {
      if (!(await store.claim(f, `reply:${part.id}`, id, now(), fence))) continue;
      await dm(f, buildReplyNotice(conversation, part, await cardOf(account, conversation)), 'a customer reply');
      sent++;
    }
    return sent;
  };

  /** One reminder per conversation and waiting period, checked against Intercom before it is sent. */
  const nudge = async (account: IntercomAccount, me: Admin, f: QueueFollower, after: number, fence: Fence) => {
    let sent = 0;
    for (const waiting of await store.waitingSince(f, now() - after)) {
      const key = `nudge:${waiting.conversationId}:${waiting.waitingSince}`;
      if (!(await store.claim(f, key, waiting.conversationId, now(), fence))) continue;
      const conversation = await account.conversation(waiting.conversationId);
      if (!stillMine(conversation, me)) {
        await store.forget(f, waiting.conversationId, fence);
        continue;
      }
      if (conversation.waitingSince !== (waiting.waitingSince ?? undefined)) continue;
      await dm(f, buildNudge(conversation, now(), await cardOf(account, conversation)), 'a reminder');
      sent++;
    }
    return sent;
  };

  const job: PollJob<QueueFollower> = {
    what: 'queue',
    ...scheduleIn(store),
    async poll(f, fence) {
      const begun = now();
      const account = await deps.intercom.accountOf(f);
      const me = await account.me();
      // The first poll sees the whole queue (news only what changed after they turned it on); later ones only what
      // changed since the last.
      const first = f.cursor === null;
      const found = await account.assignedOpen(me.id, first ? undefined : (f.cursor as number) - OVERLAP_MS);
      let news = 0;
      for (const conversation of found) {
        const updatedAt = conversation.updatedAt ?? begun;
        const known = await store.conversation(f, conversation.id);
        if (known && updatedAt <= known.updatedAt) continue;
        if (!first || updatedAt >= from(f)) news += 1 + (await announceReplies(account, me, f, conversation.id, fence));
        await store.remember(
          f,
          {
            conversationId: conversation.id,
            updatedAt,
            waitingSince: conversation.waitingSince ?? null,
          },
          fence,
        );
      }
      if (deps.nudgeAfterMs !== undefined) news += await nudge(account, me, f, deps.nudgeAfterMs, fence);
      await store.advance(f.id, begun, fence);
      if (news > 0) logger.debug('My queue polled', { userId: f.userId, news });
      return news > 0;
    },
    async failed(f, error, fence) {
      if (error instanceof ToolError && error.kind === 'auth') {
        await deps
          .refused(f, fence)
          .catch((e: unknown) => logger.warn('Could not report a refused token found by My queue', e));
        return;
      }
      logger.warn('Polling My queue failed; trying again later', { userId: f.userId }, error);
    },
  };

  return {
    turnOn: (user) =>
      store.turnOn(user, {
        id: deps.randomBytes(12).toString('base64url'),
        since: now(),
        nextPollAt: now(),
        intervalMs: deps.pollIntervalMs,
      }),
    turnOff: (user) => store.turnOff(user),
    async homeState(user) {
      const follower = await store.followerOf(user);
      if (!follower) return { on: false };
      const paused = follower.status === 'paused';
      if (paused) return { on: true, paused };
      try {
        const account = await deps.intercom.accountOf(user);
        const me = await account.me();
        const open = await account.assignedOpen(me.id);
        // Longest waiting first; answered ones (nobody waiting) last.
        const conversations = open.sort(
          (a, b) => (a.waitingSince ?? Number.POSITIVE_INFINITY) - (b.waitingSince ?? Number.POSITIVE_INFINITY),
        );
        return { on: true, paused, conversations, workspace: me.workspace };
      } catch (error) {
        logger.warn('Could not list My queue for App Home', { userId: user.userId }, error);
        return { on: true, paused };
      }
    },
    job,
    background: {
      async pauseFor(user) {
        await store.pause(user);
      },
      resumeFor: (user) => store.resume(user, now()),
    },
    turnOffTeam: (teamId) => store.turnOffTeam(teamId),
    async prune(at) {
      await store.prune(at - NOTICES_KEPT_MS);
    },
  };
}

/** Intercom's times are whole seconds: whatever happened in the second they turned My queue on counts. */
function from(f: QueueFollower): number {
  return Math.floor(f.since / 1000) * 1000;
}

/** Open and assigned to this admin, as Intercom has it now (closed or reassigned since the search: not news). */
function stillMine(conversation: Conversation | undefined, me: Admin): conversation is Conversation {
  return conversation?.state === 'open' && conversation.assignee === me.id;
}
