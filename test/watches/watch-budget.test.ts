import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { DEFAULT_MAX_POLLS_PER_MINUTE } from '../../src/watches/poller.ts';
import { createWatchStore } from '../../src/watches/watch-store.ts';
import type { ManualTimer } from '../helpers/manual-timer.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import { newConversation, retrievesOf, startWatchBot } from './watch-helpers.ts';

const CAP = 10;
let w: Awaited<ReturnType<typeof startWatchBot>>;
let t: TestBot;
let scalekit: ScalekitEmulator;
let clock: { offsetMs: number };
let timer: ManualTimer;
const now = () => Date.now() + clock.offsetMs;

beforeAll(async () => {
  w = await startWatchBot(CAP);
  ({ t, scalekit, clock, timer } = w);
});
afterAll(async () => {
  await w.stop();
});

describe('the polling budget', () => {
  it('is 60 polls a minute unless configured otherwise', () => {
    expect(DEFAULT_MAX_POLLS_PER_MINUTE).toBe(60);
  });

  it('holds for all watches together, however many are due, and reaches each of them in turn', async () => {
    // 30 watches of three teammates, all due at once and every second after (1 s interval).
    const db = await t.openDb();
    const store = createWatchStore(db, createAuditLog(db));
    const conversations: string[] = [];
    for (let i = 0; i < 30; i++) {
      const user = `UCAP${i % 3}`;
      t.connectUser(user);
      const conversationId = newConversation(t);
      conversations.push(conversationId);
      await store.create(
        {
          id: `cap-${i}`,
          teamId: t.slack.teamId,
          userId: user,
          conversationId,
          channel: 'CCAP',
          threadTs: t.slack.nextTs(),
          createdAt: now(),
          lastActivityAt: now(),
          lastPartId: null,
          partsSeen: 2,
          state: 'open',
          assignee: null,
          nextPollAt: now(),
          intervalMs: 1000,
        },
        20,
      );
    }
    await db.close();

    for (let second = 0; second < 150; second++) {
      clock.offsetMs += 1000;
      await timer.fire();
      if (second === CAP - 1) {
        // The minute's budget is spent: the poller sleeps until it frees up, not a pass at a time.
        expect(timer.delayMs).toBeGreaterThan(45_000);
      }
    }
    const polls = conversations.map((id) => retrievesOf(t, id).length);
    expect(scalekit.toolCallsPerMinute('intercom_retrieve_conversation')).toBeLessThanOrEqual(CAP);
    expect(polls.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2 * CAP);
    // The longest-waiting first: after three minutes' budget, every watch has had its turn.
    expect(polls.every((n) => n >= 1)).toBe(true);
  });
});
