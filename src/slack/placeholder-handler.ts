import type { IdentityStore } from '../identity/identity-store.ts';
import type { MessageHandler } from './listeners.ts';

/** Stands in for the agent until it is wired: proves the path from a verified event to a threaded reply. */
export function createPlaceholderHandler(deps: { identities: IdentityStore }): MessageHandler {
  return async (message, client) => {
    deps.identities.identifierFor(message);
    await client.chat.postMessage({
      channel: message.channel,
      thread_ts: message.threadTs,
      text: "I heard you, but I'm not wired up to Intercom yet.",
    });
  };
}
