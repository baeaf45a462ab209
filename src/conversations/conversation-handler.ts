import type { Logger } from '../logger.ts';
import type { MessageHandler, SlackUser, Turn, UserMessage } from '../shared/messages.ts';
import type { ConversationStore, ThreadRef } from './conversation-store.ts';

const START_OVER = /^(start over|start again|new (conversation|topic)|reset|forget (that|this|everything))[.!]?$/i;
const STOP_FOLLOWING = /^(stop following( this( thread)?)?|unfollow( this thread)?|stop watching this thread)[.!]?$/i;

const STARTED_OVER_TEXT =
  "Starting fresh: I've set our earlier conversation aside, so your next message starts a new one.";
export const UNFOLLOWED_TEXT = "I've stopped following this thread. Mention me here if you need me again.";
const NOT_YOURS_TEXT =
  "Only the people who asked me something in this thread can stop me following it, so I'll keep answering them here. If the thread is noisy for you, you can turn off its notifications in Slack.";

/**
 * The Stop following button, pressed by `user`: only someone who asked the bot something in the thread may end it
 * (the button is on every answer, where anyone in the channel can press it). Returns what to tell them.
 */
export async function unfollowByButton(
  deps: { conversations: Pick<ConversationStore, 'mayUnfollow' | 'unfollow'>; now: () => number },
  thread: ThreadRef,
  user: SlackUser,
): Promise<string> {
  if (!(await deps.conversations.mayUnfollow(thread, user))) return NOT_YOURS_TEXT;
  await deps.conversations.unfollow(thread, deps.now());
  return UNFOLLOWED_TEXT;
}

/**
 * The conversation around each message: a channel thread the bot is asked something in is followed (that person's
 * later messages there need no mention), and the two things people say to the conversation itself, "start over"
 * in a DM and "stop following" in a thread, are handled here rather than sent to the model.
 */
export function createConversationHandler(deps: {
  conversations: ConversationStore;
  next: MessageHandler;
  now: () => number;
  logger: Logger;
}): MessageHandler {
  return async (message, client) => {
    const reply = (text: string) =>
      client.chat.postMessage({ channel: message.channel, thread_ts: message.threadTs, text });
    const text = message.text.trim();
    if (!message.isDirect) {
      if (STOP_FOLLOWING.test(text)) {
        await deps.conversations.unfollow(message, deps.now());
        await reply(UNFOLLOWED_TEXT);
        return;
      }
      await deps.conversations.follow(message, message, deps.now());
    } else if (isTopLevelDm(message) && START_OVER.test(text)) {
      await deps.conversations.startOverDm(message, deps.now());
      await reply(STARTED_OVER_TEXT);
      return;
    }
    await deps.next(message, client);
  };
}

export function isTopLevelDm(message: UserMessage): boolean {
  return message.isDirect && message.threadTs === message.ts;
}

/** Keeps a finished top-level DM exchange, so the next top-level DM continues from it. */
export async function rememberExchange(
  conversations: Pick<ConversationStore, 'rememberDm'>,
  message: UserMessage,
  answer: string,
  now: number,
): Promise<void> {
  if (!isTopLevelDm(message) || !answer.trim()) return;
  const turns: Turn[] = [
    { role: 'user', content: message.text },
    { role: 'assistant', content: answer.trim() },
  ];
  await conversations.rememberDm(message, turns, now);
}
