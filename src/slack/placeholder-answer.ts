import type { Answer } from './connect-flow.ts';

/** Stands in for the agent until it is wired: proves the path from a verified event to a threaded reply. */
export const placeholderAnswer: Answer = async (message, _identifier, client) => {
  await client.chat.postMessage({
    channel: message.channel,
    thread_ts: message.threadTs,
    text: "You're connected, but I can't work in Intercom yet: the agent is not wired up.",
  });
};
