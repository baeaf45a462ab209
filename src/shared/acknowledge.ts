import { AsyncLocalStorage } from 'node:async_hooks';

interface Pending {
  stored(): void;
  failed(): void;
}

const pending = new AsyncLocalStorage<Pending>();

/**
 * Runs the handling of one Slack request whose acknowledgement waits until the event is durably stored: inside
 * `work`, `acknowledgeStored()` and `reportUnhandled()` reach these handlers.
 */
export function runUntilStored<T>(handlers: Pending, work: () => Promise<T>): Promise<T> {
  return pending.run(handlers, work);
}

/**
 * The event being handled is in the database now: Slack may be told it arrived. Before this a failure answers
 * Slack with an error, so it sends the event again; after it, a redelivery is recognised and ignored. A no-op
 * where the transport acknowledges by itself (Socket Mode).
 */
export function acknowledgeStored(): void {
  pending.getStore()?.stored();
}

/** A listener failed (Bolt's error handler saw it): an event not stored yet is answered with an error, not a 200. */
export function reportUnhandled(): void {
  pending.getStore()?.failed();
}
