import type { App, webApi } from '@slack/bolt';
import type { Inbox } from '../delivery/inbox.ts';
import type { WorkQueue } from '../delivery/work-queue.ts';
import { replyForError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { acknowledgeStored } from '../shared/acknowledge.ts';
import type { MessageHandler, SlackUser, UserMessage } from '../shared/messages.ts';
import { fromSlackMessage, type NameOf } from './incoming-text.ts';

export interface MessageListenerDeps {
  onMessage: MessageHandler;
  /** People's names for the mentions in a message (the model reads names, not ids). */
  names: (client: webApi.WebClient) => NameOf;
  /** Whether a plain message from this person in this channel thread is meant for the bot (a followed thread). */
  isFollowing: (thread: { channel: string; threadTs: string }, user: SlackUser) => Promise<boolean>;
  inbox: Inbox;
  /** In-flight work is tracked so a shutdown can wait for it. */
  queue: Pick<WorkQueue, 'track'>;
  logger: Logger;
  now: () => number;
}

/** Plain people's messages: no edits, deletions, joins or broadcasts; an upload with text is still a message. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share']);

/**
 * Messages addressed to the bot: @mentions in channels, DMs, and in a thread the bot follows, later messages from
 * the people who asked it something there. A mention in a followed thread arrives twice (app_mention and
 * message.*, in either order, with different event ids); the inbox keys on channel and ts, so it runs once.
 */
export function registerMessageListeners(app: App, deps: MessageListenerDeps): void {
  const read = (text: string, client: webApi.WebClient, botUserId: string | undefined) =>
    fromSlackMessage(text, { botUserId, nameOf: deps.names(client) });

  app.event('app_mention', async ({ event, context, client, body }) => {
    // Other bots (and our own posts) can mention us too; only people get answers.
    if (event.bot_id || event.subtype || !event.user || !context.teamId) return;
    await deliver(deps, client, body.event_id, {
      teamId: context.teamId,
      userId: event.user,
      channel: event.channel,
      threadTs: event.thread_ts ?? event.ts,
      ts: event.ts,
      text: await read(event.text, client, context.botUserId),
      isDirect: false,
    });
  });

  app.message(async ({ message, context, client, body }) => {
    if (!PERSON_SUBTYPES.has(message.subtype) || !('user' in message) || !message.user || !context.teamId) return;
    if (('bot_id' in message && message.bot_id) || message.user === context.botUserId) return;
    const text = 'text' in message ? (message.text ?? '') : '';
    const threadTs = 'thread_ts' in message ? message.thread_ts : undefined;
    const incoming: UserMessage = {
      teamId: context.teamId,
      userId: message.user,
      channel: message.channel,
      threadTs: threadTs ?? message.ts,
      ts: message.ts,
      text,
      isDirect: message.channel_type === 'im',
    };
    if (!incoming.isDirect) {
      const mentioned = context.botUserId !== undefined && text.includes(`<@${context.botUserId}>`);
      // Top-level channel messages reach us as app_mention when they are for us; in a thread, only a followed
      // thread's participants (or a mention) count. Everyone else's chatter is theirs.
      const followed = threadTs !== undefined && (await deps.isFollowing(incoming, incoming));
      if (!(threadTs !== undefined && (mentioned || followed))) {
        deps.logger.debug('Ignored a channel message not meant for the bot', {
          channel: message.channel,
          ts: message.ts,
        });
        return;
      }
    }
    await deliver(deps, client, body.event_id, { ...incoming, text: await read(text, client, context.botUserId) });
  });
}

/**
 * The edge for messages: each Slack message is taken on once (Slack redelivers what it thinks was lost), its work
 * is tracked for shutdown, and whatever goes wrong the user hears about it in the thread.
 */
async function deliver(
  deps: MessageListenerDeps,
  client: webApi.WebClient,
  eventId: string | undefined,
  message: UserMessage,
): Promise<void> {
  if (!(await deps.inbox.accept(message, eventId, deps.now()))) {
    deps.logger.info('Ignored a redelivered message', { channel: message.channel, ts: message.ts, eventId });
    return;
  }
  acknowledgeStored();
  const work = async () => {
    try {
      await deps.onMessage(message, client);
    } catch (error) {
      deps.logger.error('Handling a message failed', { channel: message.channel, ts: message.ts }, error);
      await client.chat
        .postMessage({ channel: message.channel, thread_ts: message.threadTs, text: replyForError(error) })
        .catch((postError: unknown) => deps.logger.error('Could not post the error notice', postError));
    } finally {
      await deps.inbox.finish(message);
    }
  };
  await deps.queue.track(work());
}
