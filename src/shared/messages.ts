import type { webApi } from '@slack/bolt';

/** A Slack user, as the verified request names them: the only key the bot trusts for "who". */
export interface SlackUser {
  teamId: string;
  userId: string;
}

/** A message addressed to the bot, with the sender taken from the verified Slack request. */
export interface UserMessage extends SlackUser {
  channel: string;
  /** The thread the answer belongs in: the message's thread, or the message itself when it starts one. */
  threadTs: string;
  ts: string;
  /** The text with the bot's own @mention removed. */
  text: string;
  isDirect: boolean;
}

export type MessageHandler = (message: UserMessage, client: webApi.WebClient) => Promise<void>;

/** One turn of a conversation as the model sees it. */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}
