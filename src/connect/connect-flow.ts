import type { webApi } from '@slack/bolt';
import type { AnswerSurface } from '../agent/answer-surface.ts';
import type { WorkQueue } from '../delivery/work-queue.ts';
import { replyForError } from '../errors.ts';
import type { IdentityStore, ScalekitIdentifier, SlackUser } from '../identity/identity-store.ts';
import type { Intercom, IntercomAccount } from '../intercom/account.ts';
import type { Logger } from '../logger.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import type { MessageHandler, UserMessage } from '../shared/messages.ts';
import type { AccountService } from './account.ts';
import { buildConnectMessage, CONNECTED_TEXT } from './connect-messages.ts';
import type { ConnectService } from './connect-service.ts';
import type { ParkedRequests } from './parked-requests.ts';

type WebClient = webApi.WebClient;

/** Sends the user a DM with a fresh connect link. */
export type ConnectPrompter = (
  client: WebClient,
  user: SlackUser,
  reason: 'requested' | 'needed' | 'expired',
) => Promise<void>;

export function createConnectPrompter(connect: ConnectService): ConnectPrompter {
  return async (client, user, reason) => {
    const url = await connect.issueLink(user);
    const dm = await client.conversations.open({ users: user.userId });
    const channel = dm.channel?.id;
    if (!channel) throw new Error('Slack opened no DM channel');
    // No preview: Slack's link expansion would fetch the single-use link, and a preview of it tells no one anything.
    await client.chat.postMessage({
      channel,
      ...buildConnectMessage(url, reason),
      unfurl_links: false,
      unfurl_media: false,
    });
  };
}

/**
 * The work for a connected user, in their own Intercom (resolved from the verified sender, never the message), on
 * the answer's surface (already showing that the bot is on it).
 */
export type Answer = (
  message: UserMessage,
  account: IntercomAccount,
  client: WebClient,
  surface: AnswerSurface,
) => Promise<void>;

export interface GateDeps {
  identities: Pick<IdentityStore, 'identifierFor'>;
  intercom: Pick<Intercom, 'account'>;
  gateway: ScalekitGateway;
  prompt: ConnectPrompter;
  parked: ParkedRequests;
  /** Where the answer appears in the thread. */
  surface: (message: UserMessage, client: WebClient) => AnswerSurface;
  answer: Answer;
  logger: Logger;
  now: () => number;
}

/**
 * Shows the person that the bot is on it before anything upstream is asked (Scalekit or the model may be slow or
 * down), then runs `answer` for connected users; everyone else gets a connect DM, their request is kept for later,
 * and the thread says why.
 */
export function createGatedMessageHandler(deps: GateDeps): MessageHandler {
  return async (message, client) => {
    const surface = deps.surface(message, client);
    await surface.start();
    let identifier: ScalekitIdentifier;
    let account: Awaited<ReturnType<ScalekitGateway['accountStatus']>>;
    try {
      identifier = await deps.identities.identifierFor(message);
      account = await deps.gateway.accountStatus(identifier);
      if (!account?.active) {
        await deps.parked.park(message, deps.now());
        await deps.prompt(client, message, account?.statusName === 'EXPIRED' ? 'expired' : 'needed');
      }
    } catch (error) {
      deps.logger.error('Checking the Intercom connection failed', { channel: message.channel, ts: message.ts }, error);
      await surface.finish({ after: [replyForError(error)], session: 'closed' });
      return;
    }
    if (account?.active) {
      await deps.answer(message, deps.intercom.account(message, identifier), client, surface);
      return;
    }
    await surface.finish({
      // No link here: in a channel, anyone could click it.
      after: [
        message.isDirect
          ? "I need access to your Intercom account before I can do that. Use the *Connect Intercom* button I just sent; once you're connected, I'll pick this up right here."
          : "I need access to your Intercom account before I can do that. I've sent you a DM with a link; once you're connected, I'll pick this up right here.",
      ],
      session: 'closed',
    });
  };
}

/**
 * What happens once someone's Intercom is verified: the trail records it, they get a DM, and what they asked for
 * while unconnected runs (tracked, so a shutdown waits for it).
 */
export function createAfterConnect(
  deps: ResumeDeps & { account: Pick<AccountService, 'connected'>; queue: Pick<WorkQueue, 'track'> },
): (user: SlackUser) => Promise<void> {
  const resume = createResumeAfterConnect(deps);
  return async (user) => {
    await deps.account.connected(user);
    return deps.queue.track(resume(user));
  };
}

export interface ResumeDeps {
  parked: ParkedRequests;
  handle: MessageHandler;
  client: WebClient;
  now: () => number;
  logger: Logger;
  /** Requests older than this are dropped with a note rather than acted on out of the blue. */
  maxAgeMs?: number;
}

/** After a successful verify: confirm in a DM, then run what the user asked for while unconnected. */
function createResumeAfterConnect(deps: ResumeDeps): (user: SlackUser) => Promise<void> {
  const maxAgeMs = deps.maxAgeMs ?? 30 * 60 * 1000;
  return async (user) => {
    const dm = await deps.client.conversations.open({ users: user.userId });
    if (dm.channel?.id) await deps.client.chat.postMessage({ channel: dm.channel.id, text: CONNECTED_TEXT });
    for (const request of await deps.parked.claim(user)) {
      try {
        if (deps.now() - request.createdAt > maxAgeMs) {
          await deps.client.chat.postMessage({
            channel: request.message.channel,
            thread_ts: request.message.threadTs,
            text: "You're connected now, but this request is more than 30 minutes old, so I've let it go. Ask me again if you still need it.",
          });
        } else {
          await deps.handle(request.message, deps.client);
        }
      } catch (error) {
        deps.logger.error('Resuming a parked request failed', { requestId: request.id }, error);
      } finally {
        await deps.parked.finish(request.id);
      }
    }
  };
}
