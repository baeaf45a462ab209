import { getHeapStatistics } from 'node:v8';

/**
 * Decides when agent runs start. Runs are I/O-bound (seconds of model time, milliseconds of CPU), so the limit is
 * high and nothing queues in an ordinary burst; runs wait only when something says so:
 * - one run at a time per conversation (a follow-up waits for the answer before it, and sees it);
 * - `maxConcurrent` runs in all (MAX_CONCURRENT_RUNS);
 * - the model provider's 429s: the limit halves, then grows back while no more come (additive increase);
 * - the heap: past `memoryTight`, no new run starts until memory is back (one always may, so work moves on).
 * When runs wait for room, a free slot goes to the teammate with the fewest runs going, so one teammate's twenty
 * messages do not hold back everyone else's one.
 */
export interface WorkQueue {
  /** Waits for a turn; `onQueued` runs at once if the run has to wait, saying why. Resolves with the release. */
  acquire(run: RunRequest, onQueued?: (wait: QueueWait) => void): Promise<() => void>;
  /** The model provider answered 429: fewer runs at once for a while. */
  rateLimited(): void;
  /** Tracks a task so `drain` can wait for it. */
  track<T>(task: Promise<T>): Promise<T>;
  /** Resolves true when every tracked task has finished, false if the time ran out first. */
  drain(timeoutMs: number): Promise<boolean>;
  readonly running: number;
  readonly waiting: number;
  /** How many runs may go at once right now (below maxConcurrent after 429s). */
  readonly limit: number;
  /** The keys (conversations) with work running or waiting, for the log line of a crash. */
  readonly busyKeys: string[];
}

export interface RunRequest {
  /** The conversation: one run at a time per key. */
  key: string;
  /** Who asked (team and user): the unit of fairness. */
  teammate: string;
}

/** Why a run waits: an earlier request in its conversation, or room (with how many runs are ahead of it). */
export type QueueWait = { reason: 'conversation' } | { reason: 'capacity'; ahead: number };

export interface WorkQueueOptions {
  maxConcurrent: number;
  now?: () => number;
  /** True while the heap is too full to start more runs. Default: V8's used heap past 85% of its limit. */
  memoryTight?: () => boolean;
  /** After a 429, the limit grows back by this many runs per second. Default: a tenth of maxConcurrent. */
  regrowPerSecond?: number;
  /** While runs wait on the heap or a lowered limit, how often to look again. */
  recheckMs?: number;
}

interface Waiter {
  teammate: string;
  start: () => void;
}

/** 429s closer together than this count as one (a burst of refusals is one signal, not a halving each). */
const RATE_LIMIT_WINDOW_MS = 1000;

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const max = Math.max(1, options.maxConcurrent);
  const now = options.now ?? Date.now;
  const memoryTight = options.memoryTight ?? heapIsTight;
  const regrowPerMs = (options.regrowPerSecond ?? Math.max(1, max / 10)) / 1000;
  const recheckMs = options.recheckMs ?? 200;
  const busyKeys = new Map<string, Promise<void>>();
  /** Runs waiting for room, per teammate, oldest first; the map keeps teammates in the order they started waiting. */
  const waitingFor = new Map<string, Waiter[]>();
  const runningBy = new Map<string, number>();
  const tracked = new Set<Promise<unknown>>();
  let running = 0;
  let waiting = 0;
  let roomWaiters = 0;
  /** After a 429: the limit it was cut to, and when. */
  let cut: { to: number; at: number } | undefined;
  let recheck: NodeJS.Timeout | undefined;

  const limit = () => {
    if (!cut) return max;
    const grown = Math.floor(cut.to + (now() - cut.at) * regrowPerMs);
    if (grown >= max) {
      cut = undefined;
      return max;
    }
    return grown;
  };
  const hasRoom = () => running < limit() && (running === 0 || !memoryTight());
  const startRun = (teammate: string) => {
    running++;
    runningBy.set(teammate, (runningBy.get(teammate) ?? 0) + 1);
  };

  /** The waiting teammate with the fewest runs going (the longest waiting among equals). */
  const nextTeammate = (): string | undefined => {
    let best: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const teammate of waitingFor.keys()) {
      const going = runningBy.get(teammate) ?? 0;
      if (going < fewest) {
        best = teammate;
        fewest = going;
        if (going === 0) break;
      }
    }
    return best;
  };

  const pump = () => {
    while (roomWaiters > 0 && hasRoom()) {
      const teammate = nextTeammate() as string;
      const list = waitingFor.get(teammate) as Waiter[];
      const waiter = list.shift() as Waiter;
      if (list.length === 0) waitingFor.delete(teammate);
      roomWaiters--;
      startRun(teammate);
      waiter.start();
    }
    // Held by the heap or a lowered limit, not by runs in flight: no release may come to look again.
    if (roomWaiters > 0 && !recheck) {
      recheck = setTimeout(() => {
        recheck = undefined;
        pump();
      }, recheckMs);
      recheck.unref();
    }
  };

  /** Runs that would start before a newcomer of this teammate (the scheduler's order, if nothing changes). */
  const aheadOf = (teammate: string): number => {
    const mine = (runningBy.get(teammate) ?? 0) + (waitingFor.get(teammate)?.length ?? 0);
    let ahead = waitingFor.get(teammate)?.length ?? 0;
    for (const [other, list] of waitingFor) {
      if (other === teammate) continue;
      ahead += Math.min(list.length, Math.max(0, mine + 1 - (runningBy.get(other) ?? 0)));
    }
    return ahead;
  };

  const slot = (teammate: string, onQueued?: (wait: QueueWait) => void): Promise<void> => {
    if (roomWaiters === 0 && hasRoom()) {
      startRun(teammate);
      return Promise.resolve();
    }
    onQueued?.({ reason: 'capacity', ahead: aheadOf(teammate) });
    return new Promise((resolve) => {
      const list = waitingFor.get(teammate) ?? [];
      list.push({ teammate, start: resolve });
      waitingFor.set(teammate, list);
      roomWaiters++;
      pump();
    });
  };

  return {
    async acquire(run, onQueued) {
      const previous = busyKeys.get(run.key);
      let releaseKey: () => void = () => {};
      const mine = new Promise<void>((resolve) => {
        releaseKey = resolve;
      });
      const chained = (previous ?? Promise.resolve()).then(() => mine);
      busyKeys.set(run.key, chained);
      let told = false;
      const tell = (wait: QueueWait) => {
        if (told) return;
        told = true;
        onQueued?.(wait);
      };
      if (previous) tell({ reason: 'conversation' });
      waiting++;
      try {
        if (previous) await previous;
        await slot(run.teammate, tell);
      } finally {
        waiting--;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running--;
        const left = (runningBy.get(run.teammate) ?? 1) - 1;
        if (left > 0) runningBy.set(run.teammate, left);
        else runningBy.delete(run.teammate);
        releaseKey();
        if (busyKeys.get(run.key) === chained) busyKeys.delete(run.key);
        pump();
      };
    },
    rateLimited() {
      const at = now();
      if (cut && at - cut.at < RATE_LIMIT_WINDOW_MS) return;
      // Half of what was actually going (a limit far above the runs in flight would cut nothing).
      cut = { to: Math.max(1, Math.floor(Math.min(limit(), Math.max(running, 1)) / 2)), at };
    },
    track(task) {
      tracked.add(task);
      const forget = () => tracked.delete(task);
      task.then(forget, forget);
      return task;
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const allDone = (async () => {
        while (tracked.size > 0) await Promise.allSettled([...tracked]);
        return true as const;
      })();
      const result = await Promise.race([allDone, timedOut]);
      clearTimeout(timer);
      return result;
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting;
    },
    get limit() {
      return limit();
    },
    get busyKeys() {
      return [...busyKeys.keys()];
    },
  };
}

/** Past this share of V8's heap limit, new runs wait: V8 is collecting hard by then, and a crash is near. */
const HEAP_TIGHT_SHARE = 0.85;

function heapIsTight(): boolean {
  const heap = getHeapStatistics();
  return heap.used_heap_size > heap.heap_size_limit * HEAP_TIGHT_SHARE;
}
