/**
 * Lets waiting callers go one per turn of the event loop, so that between two of them the loop reads the sockets
 * that became readable (new requests, which then get acknowledged) instead of running every caller back to back.
 * Calling it is a new message's turn to start; `later()` is a run's turn to begin its heavy work (history, tools,
 * the agent), which comes only once no new message waits: in a burst, everyone sees the bot is on it before the
 * runs' CPU work delays anyone's first sign of life.
 */
export interface TurnTaker {
  (): Promise<void>;
  later(): Promise<void>;
}

export function createTurnTaker(): TurnTaker {
  const starting: Array<() => void> = [];
  const working: Array<() => void> = [];
  let scheduled = false;
  const release = () => {
    (starting.shift() ?? working.shift())?.();
    // An immediate queued from inside one runs on the loop's next turn, after its I/O.
    if (starting.length + working.length > 0) setImmediate(release);
    else scheduled = false;
  };
  const wait = (queue: Array<() => void>) =>
    new Promise<void>((resolve) => {
      queue.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(release);
      }
    });
  return Object.assign(() => wait(starting), { later: () => wait(working) });
}
