import type { Logger } from '../logger.ts';
import type { Inbox } from './inbox.ts';
import { startInboxPruning } from './inbox-pruner.ts';

export interface Maintenance {
  /** Stops the timers and waits for a pass in progress. */
  stop(): Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;

/** A feature's hourly clean-up (delivery knows no feature: each registers what it keeps). */
export interface Prunable {
  /** What is pruned, for the log. */
  what: string;
  prune(now: number): Promise<void>;
}

/**
 * Clean-up that runs after the bot is ready and then hourly: old inbox rows in small batches, and what the features
 * register (stale followed threads and DM turns past their window: they hold message text, so they must not linger).
 */
export function startMaintenance(deps: {
  inbox: Pick<Inbox, 'pruneBatch'>;
  hourly: readonly Prunable[];
  logger: Logger;
  now: () => number;
}): Maintenance {
  let pruning: Promise<void> = Promise.resolve();
  const pruneHourly = () => {
    pruning = (async () => {
      for (const prunable of deps.hourly) {
        await prunable
          .prune(deps.now())
          .catch((error: unknown) => deps.logger.warn(`Pruning old ${prunable.what} failed`, error));
      }
    })();
  };
  pruneHourly();
  const timer = setInterval(pruneHourly, HOUR_MS);
  timer.unref();
  const inbox = startInboxPruning(deps);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([pruning, inbox.stop()]);
    },
  };
}
