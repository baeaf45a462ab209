import { setTimeout as sleep } from 'node:timers/promises';
import { type Fence, UNFENCED } from '../db/fence.ts';
import { ToolError } from '../errors.ts';
import type { Intercom } from '../intercom/account.ts';
import type { Logger } from '../logger.ts';
import type { WatchService } from './watch-service.ts';
import type { Watch, WatchStore } from './watch-store.ts';

/**
 * Where news about watched conversations comes from. Scalekit has no event triggers for connected accounts, so
 * today it is a poller; an Intercom webhook app could replace it behind this interface, feeding the same
 * `WatchService.observe`.
 */
export interface WatchSource {
  /** Starts; every claim of its polls checks `fence` (this process still leads; none with one process). */
  start(fence?: Fence): void;
  /** Stops; waits (briefly) for polls in flight. */
  stop(): Promise<void>;
}

/** When the next pass runs; tests replace it to run passes on demand against a clock they move. */
export interface PollTimer {
  /** Runs `pass` after `delayMs`, replacing whatever was scheduled. */
  schedule(delayMs: number, pass: () => Promise<void>): void;
  cancel(): void;
}

export interface PollerOptions {
  /** The base interval: a watch with news is polled this often; a quiet one backs off from it. */
  pollIntervalMs: number;
  /** Quiet watches double their interval up to this. */
  maxIntervalMs?: number;
  /** Polls per minute for all watches together (see README, "Watching conversations"). */
  maxPollsPerMinute?: number;
  /** The first wait after a 429 from Intercom; each further one doubles it, up to maxIntervalMs. */
  rateLimitBackoffMs?: number;
}

/** Something polled on a schedule of its own: a watch, or a teammate's queue (src/queue). */
export interface Polled {
  id: string;
  nextPollAt: number;
  intervalMs: number;
}

/** Another kind of poll that shares the watches' loop and budget (My queue: one search per teammate). */
export interface PollJob<T extends Polled = Polled> {
  /** For the log. */
  what: string;
  due(now: number, limit: number): Promise<T[]>;
  nextDueAt(): Promise<number | undefined>;
  /** Writes nothing unless `fence` holds. */
  reschedule(id: string, nextPollAt: number, intervalMs: number, fence: Fence): Promise<void>;
  /**
   * One poll; resolves whether it found activity. A rate-limited ToolError pauses all polling. Its claims (what it
   * announces, where it got to) are written only while `fence` holds.
   */
  poll(item: T, fence: Fence): Promise<boolean>;
  /** Writes and sends nothing unless `fence` holds. */
  failed(item: T, error: unknown, fence: Fence): Promise<void>;
}

/** When a job's items are due: kept in its own store. */
export type PollSchedule<T extends Polled = Polled> = Pick<PollJob<T>, 'due' | 'nextDueAt' | 'reschedule'>;

/** A job's schedule, read from and written to its store (through calls, so a class-based store keeps its `this`). */
export function scheduleIn<T extends Polled>(store: PollSchedule<T>): PollSchedule<T> {
  return {
    due: (at, limit) => store.due(at, limit),
    nextDueAt: () => store.nextDueAt(),
    reschedule: (id, at, interval, fence) => store.reschedule(id, at, interval, fence),
  };
}

export const DEFAULT_MAX_POLLS_PER_MINUTE = 60;
const MINUTE_MS = 60_000;
/** Passes run at most this often; each may start its share of the minute's budget. */
const PASS_MS = 1000;
const HOUSEKEEPING_MS = MINUTE_MS;

/**
 * One timer loop for every watch. Each pass polls the watches that are due, oldest first, as each watcher (their
 * own Intercom account, through the same cached gateway as the agent's tools), within a budget: at
 * most `maxPollsPerMinute` in any minute, spread over the minute; a 429 stops all polling for a while.
 */
export function createWatchPoller(deps: {
  store: Pick<WatchStore, 'due' | 'nextDueAt' | 'reschedule'>;
  service: Pick<WatchService, 'observe' | 'pollFailed' | 'expireQuiet'>;
  intercom: Pick<Intercom, 'accountOf'>;
  timer: PollTimer;
  now: () => number;
  /** In [0, 1): spreads each watch's next poll by ±10% so polls do not bunch up. */
  random: () => number;
  logger: Logger;
  options: PollerOptions;
  /** Other polls within the same budget. */
  jobs?: readonly PollJob[];
}): WatchSource {
  const { store, now, logger } = deps;
  const watchJob: PollJob<Watch> = {
    what: 'watch',
    ...scheduleIn(store),
    async poll(watch, fence) {
      const begun = now();
      const conversation = await (await deps.intercom.accountOf(watch)).conversation(watch.conversationId);
      return (await deps.service.observe(watch, conversation, now() - begun, fence)).activity;
    },
    failed: (watch, error, fence) => deps.service.pollFailed(watch, error, fence),
  };
  const jobs: readonly PollJob[] = [watchJob, ...(deps.jobs ?? [])];
  const base = deps.options.pollIntervalMs;
  const maxInterval = Math.max(deps.options.maxIntervalMs ?? 15 * MINUTE_MS, base);
  const cap = Math.max(1, deps.options.maxPollsPerMinute ?? DEFAULT_MAX_POLLS_PER_MINUTE);
  const perPass = Math.ceil((cap * PASS_MS) / MINUTE_MS);
  const firstBackoff = deps.options.rateLimitBackoffMs ?? MINUTE_MS;
  /** Start times of the polls in the last minute, oldest first. */
  const started: number[] = [];
  let pausedUntil = 0;
  let backoff = firstBackoff;
  let nextHousekeeping = 0;
  let stopped = true;
  /** The lead the passes poll under. */
  let lead = UNFENCED;
  let current: Promise<void> = Promise.resolve();

  const jittered = (interval: number) => Math.round(interval * (0.9 + 0.2 * deps.random()));

  const poll = async (job: PollJob, item: Polled, fence: Fence): Promise<void> => {
    let interval = Math.min(item.intervalMs * 2, maxInterval);
    try {
      const activity = await job.poll(item, fence);
      backoff = firstBackoff;
      if (activity) interval = base;
    } catch (error) {
      if (error instanceof ToolError && error.kind === 'rate_limited') {
        // Intercom's limit is per app: every watch (and every teammate's agent) shares it, so all polling waits.
        pausedUntil = Math.max(pausedUntil, now() + backoff);
        logger.warn('Intercom is rate-limiting; the watch poller pauses', { pauseMs: backoff });
        backoff = Math.min(backoff * 2, maxInterval);
        await job.reschedule(item.id, pausedUntil, item.intervalMs, fence);
        return;
      }
      await job.failed(item, error, fence);
    }
    await job.reschedule(item.id, now() + jittered(interval), interval, fence);
  };

  const pass = async (): Promise<void> => {
    if (stopped) return;
    const at = now();
    // The lead this pass polls under: a pass that outlives it (its process was paused) writes nothing.
    const under = lead;
    try {
      if (at >= nextHousekeeping) {
        nextHousekeeping = at + HOUSEKEEPING_MS;
        await deps.service.expireQuiet(under);
      }
      while (started.length > 0 && (started[0] as number) <= at - MINUTE_MS) started.shift();
      const budget = at < pausedUntil ? 0 : Math.min(perPass, cap - started.length);
      // The longest-waiting first, whatever their kind.
      const due =
        budget > 0
          ? (await Promise.all(jobs.map(async (job) => (await job.due(at, budget)).map((item) => ({ job, item })))))
              .flat()
              .sort((a, b) => a.item.nextPollAt - b.item.nextPollAt)
              .slice(0, budget)
          : [];
      for (const { job, item } of due) {
        started.push(at);
        // Not picked again while this poll is in flight, however long Intercom takes.
        await job.reschedule(item.id, at + jittered(item.intervalMs), item.intervalMs, under);
      }
      await Promise.all(
        due.map(({ job, item }) =>
          poll(job, item, under).catch((e: unknown) => logger.error(`A ${job.what} poll failed`, e)),
        ),
      );
    } catch (error) {
      logger.error('A watch poller pass failed', error);
    }
    if (stopped) return;
    // The database may be away for a while: the poller keeps its rhythm and tries again.
    const delay = await nextDelay().catch((error: unknown) => {
      logger.error('A watch poller pass failed', error);
      return base;
    });
    if (!stopped) deps.timer.schedule(delay, run);
  };

  /**
   * Until the next watch is due (at most one base interval, so new watches are picked up) or, when the minute's
   * budget is spent, until it frees up; at least a pass apart.
   */
  const nextDelay = async (): Promise<number> => {
    const at = now();
    if (pausedUntil > at) return pausedUntil - at;
    const full = started.length >= cap ? (started[0] as number) + MINUTE_MS - at : 0;
    const nexts = (await Promise.all(jobs.map((job) => job.nextDueAt()))).filter((n): n is number => n !== undefined);
    const due = nexts.length === 0 ? base : Math.min(...nexts) - at;
    return Math.max(Math.min(due, base), full, PASS_MS);
  };

  const run = () => {
    current = pass();
    return current;
  };

  return {
    start(fence = UNFENCED) {
      if (!stopped) return;
      stopped = false;
      lead = fence;
      deps.timer.schedule(PASS_MS, run);
    },
    async stop() {
      stopped = true;
      deps.timer.cancel();
      // A poll stuck on a slow Intercom must not hold up shutdown; its late result finds the database closed.
      await Promise.race([current, sleep(5000, undefined, { ref: false })]);
    },
  };
}

/** The production timer: one unref'd setTimeout, so a pending pass never keeps the process alive. */
export function realPollTimer(): PollTimer {
  let handle: NodeJS.Timeout | undefined;
  return {
    schedule(delayMs, pass) {
      clearTimeout(handle);
      handle = setTimeout(() => void pass(), delayMs);
      handle.unref();
    },
    cancel() {
      clearTimeout(handle);
      handle = undefined;
    },
  };
}
