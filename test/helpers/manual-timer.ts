import type { PollTimer } from '../../src/watches/poller.ts';

export interface ManualTimer extends PollTimer {
  /** The delay the poller asked for last, or undefined when nothing is scheduled. */
  readonly delayMs: number | undefined;
  /** Runs the scheduled pass now and resolves when it has finished (its polls and announcements included). */
  fire(): Promise<void>;
}

/** A poll timer the test drives: nothing runs until `fire`, so a test moves its clock and then runs one pass. */
export function manualTimer(): ManualTimer {
  let pending: { delayMs: number; pass: () => Promise<void> } | undefined;
  return {
    schedule(delayMs, pass) {
      pending = { delayMs, pass };
    },
    cancel() {
      pending = undefined;
    },
    get delayMs() {
      return pending?.delayMs;
    },
    async fire() {
      const next = pending;
      if (!next) throw new Error('no poller pass is scheduled');
      pending = undefined;
      await next.pass();
    },
  };
}
