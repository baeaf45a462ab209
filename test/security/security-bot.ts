import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

/** One bot for a file of security checks, at LOG_LEVEL=debug (the most it ever writes); registers the file's hooks. */
export function useSecurityBot() {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ streaming: false });
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.model.reset();
  });
  return {
    get t() {
      return t;
    },
    /** The bot's "Working on it" message in this thread. */
    working: (threadTs: string) => (c: SlackCall) =>
      c.params.thread_ts === threadTs && String(c.params.text).includes('Working on it'),
    eventsUrl: () => `${t.baseUrl}/slack/events`,
  };
}
