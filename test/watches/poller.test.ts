import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.ts';
import type { ScalekitIdentifier } from '../../src/identity/identity-store.ts';
import { createIntercom } from '../../src/intercom/account.ts';
import { createAdminDirectory } from '../../src/intercom/admin-directory.ts';
import { createLogger } from '../../src/logger.ts';
import { createWatchPoller } from '../../src/watches/poller.ts';
import type { Watch } from '../../src/watches/watch-store.ts';
import { manualTimer } from '../helpers/manual-timer.ts';

/** The poller against an in-memory list of watches: what it schedules, given a clock and random numbers. */
function setUp(options: { random: number[]; fail?: () => Error | undefined }) {
  let at = 1_000_000;
  const watches: Watch[] = [];
  const timer = manualTimer();
  let r = 0;
  const poller = createWatchPoller({
    store: {
      due: async (now, limit) =>
        watches
          .filter((w) => w.nextPollAt <= now)
          .sort((a, b) => a.nextPollAt - b.nextPollAt)
          .slice(0, limit),
      nextDueAt: async () => Math.min(...watches.map((w) => w.nextPollAt)),
      async reschedule(id, nextPollAt, intervalMs) {
        Object.assign(watches.find((w) => w.id === id) ?? {}, { nextPollAt, intervalMs });
      },
    },
    service: {
      observe: async () => ({ activity: false, announced: false }),
      pollFailed: async () => {},
      expireQuiet: async () => {},
    },
    intercom: createIntercom({
      identities: { identifierFor: async (user) => `id-${user.userId}` as ScalekitIdentifier },
      gateway: {
        executeTool: async () => {
          const failure = options.fail?.();
          if (failure) throw failure;
          return { data: {}, executionId: 'x' };
        },
      },
      admins: createAdminDirectory({ now: () => at }),
      audit: { record: async () => {} },
      now: () => at,
    }),
    timer,
    now: () => at,
    random: () => options.random[r++ % options.random.length] as number,
    logger: createLogger({ level: 'error', write: () => {} }),
    options: { pollIntervalMs: 10_000, maxPollsPerMinute: 6000 },
  });
  const add = (id: string) =>
    watches.push({
      id,
      teamId: 'T',
      userId: `U${id}`,
      conversationId: id,
      channel: 'C',
      threadTs: '1.1',
      createdAt: at,
      lastActivityAt: at,
      lastPartId: null,
      partsSeen: 0,
      state: 'open',
      assignee: null,
      version: 0,
      nextPollAt: at,
      intervalMs: 10_000,
      status: 'active',
    });
  poller.start();
  return { watches, timer, add, advance: (ms: number) => (at += ms), now: () => at };
}

describe('the watch poller', () => {
  it('spreads the next polls of watches polled together by ±10%, so they do not bunch up', async () => {
    const { watches, timer, add, now } = setUp({ random: [0, 0.999, 0.5, 0.25, 0.75, 0.1] });
    for (const id of ['a', 'b', 'c']) add(id);
    await timer.fire();
    const next = watches.map((w) => w.nextPollAt - now());
    // Quiet: the interval doubled to 20 s, then each got its own share of jitter.
    expect(watches.map((w) => w.intervalMs)).toEqual([20_000, 20_000, 20_000]);
    expect(new Set(next).size).toBe(3);
    for (const delay of next) {
      expect(delay).toBeGreaterThanOrEqual(18_000);
      expect(delay).toBeLessThanOrEqual(22_000);
    }
  });

  it('waits longer after each 429 in a row, and from scratch once Intercom answers again', async () => {
    let failures = 2;
    const { timer, add, advance } = setUp({
      random: [0.5],
      fail: () =>
        failures-- > 0
          ? new ToolError({ kind: 'rate_limited', toolName: 'intercom_retrieve_conversation', message: '429' })
          : undefined,
    });
    add('a');
    await timer.fire();
    expect(timer.delayMs).toBe(60_000);
    advance(60_000);
    await timer.fire();
    expect(timer.delayMs).toBe(120_000);
    advance(120_000);
    await timer.fire();
    expect(timer.delayMs).toBeLessThanOrEqual(10_000);
  });
});
