import { setTimeout as sleep } from 'node:timers/promises';
import type { webApi } from '@slack/bolt';

type FetchFunction = NonNullable<webApi.WebClientOptions['fetch']>;

export interface RateLimitOptions {
  now?: () => number;
  /** 429s retried here, each after exactly its Retry-After; past them, the Web API client's own policy takes over. */
  maxRetries?: number;
  fetch?: FetchFunction;
}

/**
 * The Web API client's `fetch`, honouring Slack's Retry-After to the second. The client's own handling sleeps for
 * Retry-After and then its retry policy's backoff on top (measured: 2 s, then 4.9 s for `Retry-After: 1`), and
 * pauses every call meanwhile. Here a 429 is retried after exactly Retry-After, and until then other calls of the
 * same method wait too (Slack's limits are per method), while other methods go on.
 */
export function createRateLimitedFetch(options: RateLimitOptions = {}): FetchFunction {
  const now = options.now ?? Date.now;
  const maxRetries = options.maxRetries ?? 3;
  const send = options.fetch ?? fetch;
  /** Per Web API method: no call before this time. */
  const notBefore = new Map<string, number>();

  const waitTurn = async (method: string, signal: AbortSignal | null | undefined) => {
    for (;;) {
      const until = notBefore.get(method);
      if (until === undefined) return;
      const wait = until - now();
      if (wait <= 0) {
        notBefore.delete(method);
        return;
      }
      await sleep(wait, undefined, { signal: signal ?? undefined });
    }
  };

  return async (input, init) => {
    const method = methodOf(input);
    for (let attempt = 0; ; attempt++) {
      await waitTurn(method, init?.signal);
      const response = await send(input, init);
      const seconds = response.status === 429 ? retryAfterSeconds(response) : undefined;
      if (seconds === undefined || attempt >= maxRetries) return response;
      // Read to the end, so the connection goes back to the pool.
      await response.arrayBuffer().catch(() => undefined);
      const until = now() + seconds * 1000;
      notBefore.set(method, Math.max(notBefore.get(method) ?? 0, until));
    }
  };
}

function methodOf(input: string | URL): string {
  const path = new URL(input).pathname;
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Slack sends whole seconds; anything else is not a Retry-After we can honour (the client then decides). */
function retryAfterSeconds(response: Awaited<ReturnType<FetchFunction>>): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
