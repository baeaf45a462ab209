import type { AuditLog } from '../audit/audit-log.ts';
import type { Sql } from '../db/sql.ts';
import type { SlackUser } from '../shared/messages.ts';
import {
  createWatchPoller,
  type PollerOptions,
  type PollJob,
  type PollTimer,
  realPollTimer,
  type WatchSource,
} from './poller.ts';
import { createWatchService, type WatchService, type WatchServiceDeps } from './watch-service.ts';
import { createWatchStore, type WatchStore } from './watch-store.ts';
import { buildWatchTools } from './watch-tools.ts';

export interface Watches {
  store: WatchStore;
  service: WatchService;
  /** Started after ready, stopped on shutdown. */
  source: WatchSource;
  /** The agent's watch tools. */
  tools: ReturnType<typeof buildWatchTools>;
  /** What the account needs: counts for status, and ending or resuming a person's watches. */
  account: {
    countOpen(user: SlackUser): Promise<number>;
    endAllFor(user: SlackUser): Promise<number>;
  };
  /** Paused while the watcher's connection is broken, resumed once they reconnect. */
  background: { pauseFor(user: SlackUser): Promise<void>; resumeFor(user: SlackUser): Promise<void> };
  /** The bot was uninstalled from a workspace (or its token revoked): its watches end, quietly. */
  endAllForTeam(teamId: string): Promise<number>;
}

export interface WatchesOptions extends Omit<WatchServiceDeps, 'store'> {
  db: Sql;
  audit: Pick<AuditLog, 'record'>;
  /** Tests run passes on demand. */
  timer?: PollTimer;
  poller?: Omit<PollerOptions, 'pollIntervalMs'>;
  /** Other polls that share the watches' loop and budget (My queue). */
  jobs?: readonly PollJob[];
}

/** Watching conversations between requests: the store, the announcements, the poller and the agent's tools. */
export function createWatches(options: WatchesOptions): Watches {
  const { db, audit, now, randomBytes, ...rest } = options;
  const store = createWatchStore(db, audit);
  const service = createWatchService({ ...rest, store, now, randomBytes });
  const source = createWatchPoller({
    store,
    service,
    intercom: options.intercom,
    timer: options.timer ?? realPollTimer(),
    now,
    random: () => randomBytes(4).readUInt32BE(0) / 2 ** 32,
    logger: options.logger,
    options: { ...options.poller, pollIntervalMs: options.pollIntervalMs },
    jobs: options.jobs,
  });
  return {
    store,
    service,
    source,
    tools: buildWatchTools({ service }),
    account: {
      countOpen: (user) => store.countOpen(user),
      endAllFor: async (user) => (await store.endAllFor(user, 'disconnected', now())).length,
    },
    background: {
      async pauseFor(user) {
        await store.pauseAllFor(user);
      },
      async resumeFor(user) {
        await store.resumeAllFor(user, now());
      },
    },
    endAllForTeam: (teamId) => store.endAllForTeam(teamId, 'uninstalled', now()),
  };
}
