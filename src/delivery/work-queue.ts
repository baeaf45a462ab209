/**
 * Runs agent work with at most `maxConcurrent` runs at once, and one run at a time per key (the caller's: a
 * conversation, so its second message waits for the first), so load is bounded and answers in a thread come in
 * order. It also tracks every piece of work in flight, so a shutdown can wait for it.
 */
export interface WorkQueue {
  /** Waits for a turn; `onQueued` runs at once if the task has to wait. Resolves with the release function. */
  acquire(key: string, onQueued?: () => void): Promise<() => void>;
  /** Tracks a task so `drain` can wait for it. */
  track<T>(task: Promise<T>): Promise<T>;
  /** Resolves true when every tracked task has finished, false if the time ran out first. */
  drain(timeoutMs: number): Promise<boolean>;
  readonly running: number;
  readonly waiting: number;
  /** The keys (conversations) with work running or waiting, for the log line of a crash. */
  readonly busyKeys: string[];
}

export function createWorkQueue(options: { maxConcurrent: number }): WorkQueue {
  const busyKeys = new Map<string, Promise<void>>();
  const waiters: Array<() => void> = [];
  const tracked = new Set<Promise<unknown>>();
  let running = 0;
  let waiting = 0;

  const slot = (): Promise<void> => {
    if (running < options.maxConcurrent) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      waiters.push(() => {
        running++;
        resolve();
      }),
    );
  };
  const freeSlot = () => {
    running--;
    waiters.shift()?.();
  };

  return {
    async acquire(key, onQueued) {
      const previous = busyKeys.get(key);
      let releaseKey: () => void = () => {};
      const mine = new Promise<void>((resolve) => {
        releaseKey = resolve;
      });
      const chained = (previous ?? Promise.resolve()).then(() => mine);
      busyKeys.set(key, chained);
      if (previous || running >= options.maxConcurrent) onQueued?.();
      waiting++;
      try {
        if (previous) await previous;
        await slot();
      } finally {
        waiting--;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        freeSlot();
        releaseKey();
        if (busyKeys.get(key) === chained) busyKeys.delete(key);
      };
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
    get busyKeys() {
      return [...busyKeys.keys()];
    },
  };
}
