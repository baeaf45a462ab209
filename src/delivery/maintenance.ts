import type { ConversationStore } from '../conversations/conversation-store.ts';
import type { Logger } from '../logger.ts';
import type { Inbox } from './inbox.ts';
import { startInboxPruning } from './inbox-pruner.ts';

export interface Maintenance {
  /** Stops the timers and waits for a pass in progress. */
  stop(): Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Clean-up that runs after the bot is ready and then hourly: old inbox rows in small batches, stale followed
 * threads and DM turns past their window (they hold message text, so they must not linger).
 */
export function startMaintenance(deps: {
  inbox: Pick<Inbox, 'pruneBatch'>;
  conversations: Pick<ConversationStore, 'prune'>;
  logger: Logger;
  now: () => number;
}): Maintenance {
  let pruning: Promise<void> = Promise.resolve();
  const pruneConversations = () => {
    pruning = deps.conversations
      .prune(deps.now())
      .catch((error: unknown) => deps.logger.warn('Pruning old conversations failed', error));
  };
  pruneConversations();
  const timer = setInterval(pruneConversations, HOUR_MS);
  timer.unref();
  const inbox = startInboxPruning(deps);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([pruning, inbox.stop()]);
    },
  };
}
