import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import type { Inbox } from './inbox.ts';

export interface InboxPruner {
  /** Stops the timer and waits for a pass in progress to stop after its current batch. */
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Forgets handled messages older than the horizon: once now (after the bot is ready) and then periodically. Each
 * batch is one short statement and the event loop gets a turn between batches, so a large backlog costs Slack
 * events no waiting, and startup none at all.
 */
export function startInboxPruning(deps: {
  inbox: Pick<Inbox, 'pruneBatch'>;
  logger: Logger;
  now: () => number;
  /** Slack stops redelivering within minutes; a week leaves room to look into a problem. */
  horizonMs?: number;
  intervalMs?: number;
  batchSize?: number;
}): InboxPruner {
  const horizonMs = deps.horizonMs ?? 7 * DAY_MS;
  const batchSize = deps.batchSize ?? 1000;
  let stopped = false;
  let running: Promise<void> | undefined;

  async function pass(): Promise<void> {
    const olderThan = deps.now() - horizonMs;
    let deleted = 0;
    for (;;) {
      const count = await deps.inbox.pruneBatch(olderThan, batchSize);
      deleted += count;
      if (count < batchSize) break;
      await nextTurn();
      if (stopped) break;
    }
    if (deleted > 0) deps.logger.info('Pruned handled messages from the inbox', { deleted });
  }

  const start = () => {
    if (running || stopped) return;
    running = pass()
      .catch((error: unknown) => deps.logger.warn('Pruning the inbox failed; it is tried again later', error))
      .finally(() => {
        running = undefined;
      });
  };

  start();
  const timer = setInterval(start, deps.intervalMs ?? 60 * 60 * 1000);
  // The timer alone must not keep the process alive.
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
