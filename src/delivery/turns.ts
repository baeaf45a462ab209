/**
 * Lets waiting callers go one per turn of the event loop, so that between two of them the loop reads the sockets
 * that became readable (new requests, which then get acknowledged) instead of running every caller back to back.
 */
export function createTurnTaker(): () => Promise<void> {
  const waiting: Array<() => void> = [];
  let scheduled = false;
  const release = () => {
    waiting.shift()?.();
    // An immediate queued from inside one runs on the loop's next turn, after its I/O.
    if (waiting.length > 0) setImmediate(release);
    else scheduled = false;
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(release);
      }
    });
}
