import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { type Browser, createBrowser, openConnectLink } from '../helpers/browser.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

/** The connect link in a DM the bot sent (from the button, which must match the plain link). */
export function linkIn(call: SlackCall): string {
  const blocks = call.params.blocks as Array<{ type: string; elements?: Array<{ url?: string }> }>;
  const url = blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url;
  if (!url) throw new Error('no connect button in the DM');
  expect(String(call.params.text)).toContain(url);
  return url;
}

export interface ConnectHarness {
  readonly t: TestBot;
  /** A fresh browser per test. */
  readonly browser: Browser;
  /** A Slack user nobody has used yet in this file. */
  readonly user: string;
  /** Moves the bot's clock (and Slack's signatures) forward. */
  clock: { offsetMs: number };
  dmTo(userId: string): (c: SlackCall) => boolean;
  /** Asks for a link with /connect-intercom and returns the new one from the DM (not one sent earlier). */
  requestLink(userId: string): Promise<string>;
  isVerifyPage(url: URL): boolean;
  /** Opens a link in `b` and passes Scalekit's consent, holding back the redirect to the verify page: its URL. */
  consentIn(b: Browser, link: string): Promise<string>;
  verifyCalls(): ReturnType<TestBot['scalekit']['callsOf']>;
  /** Resolves once the bot holds no parked request of this user: resuming forgets each one after it has run. */
  waitUntilNothingParkedFor(userId: string): Promise<void>;
}

/** One bot for a test file about connecting Intercom, with what those tests share (registers the file's hooks). */
export function useConnectHarness(): ConnectHarness {
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  let userCounter = 0;
  let t: TestBot;
  let browser: Browser;
  let user: string;

  beforeAll(async () => {
    t = await startTestBot({ now, streaming: false });
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    clock.offsetMs = 0;
    browser = createBrowser();
    user = `UC${++userCounter}`;
  });

  const dmTo = (userId: string) => (c: SlackCall) =>
    c.params.channel === `D${userId}` && Array.isArray(c.params.blocks);
  const isVerifyPage = (url: URL) => url.pathname === '/verify';

  return {
    get t() {
      return t;
    },
    get browser() {
      return browser;
    },
    get user() {
      return user;
    },
    clock,
    dmTo,
    isVerifyPage,
    async requestLink(userId) {
      const earlier = new Set(t.slack.calls.filter(dmTo(userId)).map(linkIn));
      const res = await t.sendCommand({ command: '/connect-intercom', text: '', user_id: userId });
      expect(res.status).toBe(200);
      return linkIn(await t.slack.waitForCall('chat.postMessage', (c) => dmTo(userId)(c) && !earlier.has(linkIn(c))));
    },
    async consentIn(b, link) {
      const held = await openConnectLink(b, link, { stopBefore: isVerifyPage });
      expect(held.location).toMatch(/\/verify\?auth_request_id=.+&state=/);
      return held.location ?? '';
    },
    verifyCalls: () => t.scalekit.callsOf('VerifyConnectedAccountUser'),
    async waitUntilNothingParkedFor(userId) {
      const parked = () =>
        t.rows<{ n: number }>('SELECT count(*) AS n FROM parked_requests WHERE user_id = ?', [userId]);
      await vi.waitFor(() => expect(parked()[0]?.n).toBe(0), { timeout: 5000, interval: 50 });
    },
  };
}
