import type { webApi } from '@slack/bolt';
import type { Turn } from '../agent/support-agent.ts';
import type { UserMessage } from '../shared/messages.ts';
import { WORKING_PREFIX } from '../shared/mrkdwn.ts';
import { fromSlackMessage, type NameOf } from './incoming-text.ts';

export interface BotIdentity {
  userId: string;
  botId: string;
}

const MAX_TURNS = 20;
const MAX_TURN_CHARS = 2000;

/**
 * The thread so far as conversation turns: the bot's messages are the assistant's, everyone else's are the
 * user's (other people's marked with who said them). Only messages before this one count.
 */
export async function threadHistory(
  client: webApi.WebClient,
  message: UserMessage,
  bot: BotIdentity,
  nameOf?: NameOf,
): Promise<Turn[]> {
  if (message.threadTs === message.ts) return [];
  const response = await client.conversations.replies({ channel: message.channel, ts: message.threadTs, limit: 100 });
  const turns: Turn[] = [];
  for (const m of response.messages ?? []) {
    if (!m.ts || Number(m.ts) >= Number(message.ts) || !m.text) continue;
    const fromBot = m.bot_id === bot.botId || m.user === bot.userId;
    if (!fromBot && m.bot_id) continue;
    if (fromBot && m.text.startsWith(WORKING_PREFIX)) continue;
    const text = (await fromSlackMessage(m.text, { botUserId: bot.userId, nameOf })).slice(0, MAX_TURN_CHARS);
    if (!text) continue;
    if (fromBot || m.user === message.userId) {
      turns.push({ role: fromBot ? 'assistant' : 'user', content: text });
      continue;
    }
    const who = (m.user && (await nameOf?.(m.user).catch(() => undefined))) || m.user || 'someone';
    turns.push({ role: 'user', content: `${who} wrote: ${text}` });
  }
  const recent = turns.slice(-MAX_TURNS);
  // Conversations start with the user; a thread whose first kept message is ours (cut by the limit) is trimmed.
  while (recent[0]?.role === 'assistant') recent.shift();
  return recent;
}
