import { Code } from '@connectrpc/connect';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectorStatus } from '../../src/standins/scalekit/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { type Browser, createBrowser, openConnectLink } from '../helpers/browser.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const clock = { offsetMs: 0 };
const now = () => Date.now() + clock.offsetMs;
let userCounter = 0;

/** The connect link in a DM the bot sent (from the button, which must match the plain link). */
function linkIn(call: SlackCall): string {
  const blocks = call.params.blocks as Array<{ type: string; elements?: Array<{ url?: string }> }>;
  const url = blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url;
  if (!url) throw new Error('no connect button in the DM');
  expect(String(call.params.text)).toContain(url);
  return url;
}

describe('connecting Intercom', () => {
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

  /** Asks for a link with /connect-intercom and returns the new one from the DM (not one sent earlier). */
  async function requestLink(userId: string): Promise<string> {
    const earlier = new Set(t.slack.calls.filter(dmTo(userId)).map(linkIn));
    const res = await t.sendCommand({ command: '/connect-intercom', text: '', user_id: userId });
    expect(res.status).toBe(200);
    return linkIn(await t.slack.waitForCall('chat.postMessage', (c) => dmTo(userId)(c) && !earlier.has(linkIn(c))));
  }

  const isVerifyPage = (url: URL) => url.pathname === '/verify';

  /** Opens a link in `b` and passes Scalekit's consent, holding back the redirect to the verify page: its URL. */
  async function consentIn(b: Browser, link: string): Promise<string> {
    const held = await openConnectLink(b, link, { stopBefore: isVerifyPage });
    expect(held.location).toMatch(/\/verify\?auth_request_id=.+&state=/);
    return held.location ?? '';
  }

  const verifyCalls = () => t.scalekit.callsOf('VerifyConnectedAccountUser');

  /** Resolves once the bot holds no parked request of this user: resuming forgets each one after it has run. */
  async function waitUntilNothingParkedFor(userId: string): Promise<void> {
    const db = new Database(t.dbPath, { readonly: true });
    try {
      const parked = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM parked_requests WHERE user_id = ?');
      await vi.waitFor(() => expect(parked.get(userId)?.n).toBe(0), { timeout: 5000, interval: 10 });
    } finally {
      db.close();
    }
  }

  it('/connect-intercom → DM with a link → browser consent → ACTIVE after one verify → confirmation DM', async () => {
    const started = performance.now();
    const res = await t.sendCommand({ command: '/connect-intercom', text: '', user_id: user });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);
    const ephemeral = await t.slack.waitForResponse((r) => String(r.body.text).includes('DM'));
    expect(ephemeral.body).toMatchObject({ response_type: 'ephemeral' });

    const dm = await t.slack.waitForCall('chat.postMessage', dmTo(user));
    // No preview: Slack's link expansion would fetch the single-use link.
    expect(dm.params).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
    const link = linkIn(dm);
    expect(link.startsWith(`${t.config.http.publicUrl}/connect/`)).toBe(true);
    const verifiesBefore = verifyCalls().length;

    const page = await openConnectLink(browser, link);
    expect(page.status).toBe(200);
    expect(page.url.startsWith(`${t.config.http.publicUrl}/verify?`)).toBe(true);
    expect(page.body).toContain('Intercom is connected');

    const identifier = t.identifierOf(user);
    expect(t.scalekit.account(identifier)?.status).toBe(ConnectorStatus.ACTIVE);
    expect(
      verifyCalls()
        .slice(verifiesBefore)
        .map((c) => c.request.identifier),
    ).toEqual([identifier]);
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === `D${user}` && /connected/i.test(String(c.params.text)),
    );

    // The identifier is the key to the user's Intercom: no URL the browser loaded may carry it.
    expect(browser.history.length).toBeGreaterThanOrEqual(4);
    for (const url of browser.history) expect(url).not.toContain(identifier);
    // The flow cookie is cleared once used.
    expect(browser.cookies()).toEqual([]);
  });

  it('says "already connected" to a connected user and sends no DM', async () => {
    t.connectUser(user);
    await t.sendCommand({ command: '/connect-intercom', text: '', user_id: user });
    const reply = await t.slack.waitForResponse((r) => String(r.body.text).includes('already connected'));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(t.slack.calls.filter(dmTo(user))).toEqual([]);
  });

  it('answers help and unknown subcommands with a short help text', async () => {
    await t.sendCommand({ command: '/connect-intercom', text: 'help', user_id: user });
    await t.slack.waitForResponse((r) => String(r.body.text).startsWith('*/connect-intercom*'));
    await t.sendCommand({ command: '/connect-intercom', text: 'frobnicate `now`', user_id: user });
    const reply = await t.slack.waitForResponse((r) => String(r.body.text).includes("I don't know"));
    expect(reply.body.text).toContain("frobnicate 'now'");
    expect(reply.body.text).toContain('/connect-intercom help');
    expect(t.slack.calls.filter(dmTo(user))).toEqual([]);
  });

  it('parks a mention from an unconnected user, DMs a link, and runs it once after they connect', async () => {
    await t.sendEvent({
      type: 'app_mention',
      user,
      text: '<@UBOT> summarize john@acme.com',
      ts: '1700001000.000001',
      channel: 'CPUB',
    });
    // The thread shows the bot is on it at once; that message then says why it cannot go on yet.
    const notice = await t.slack.waitForAnswer('CPUB', '1700001000.000001');
    expect(notice.text).toMatch(/DM/);
    expect(notice.text).not.toContain('/connect/');
    const dm = await t.slack.waitForCall('chat.postMessage', dmTo(user));
    expect(dm.params).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
    const link = linkIn(dm);

    const modelCallsBefore = t.model.requests.length;
    expect(t.model.requests.map((r) => r.messages.at(-1)?.text)).not.toContain('summarize john@acme.com');
    await openConnectLink(browser, link);
    const answer = await t.slack.waitForAnswer('CPUB', '1700001000.000001', 2);
    expect(answer.text).toBe('ok');
    // Resuming forgets each request once it has run: after that, nothing more can come of this one.
    await waitUntilNothingParkedFor(user);
    const inThread = t.slack.callsOf('chat.postMessage').filter((c) => c.params.thread_ts === '1700001000.000001');
    expect(inThread).toHaveLength(2); // the "connect first" notice, then the one answer
    const ran = t.model.requests
      .slice(modelCallsBefore)
      .filter((r) => r.messages.at(-1)?.text === 'summarize john@acme.com');
    expect(ran).toHaveLength(1);
  });

  it('drops a parked request older than 30 minutes with a note instead of running it', async () => {
    await t.sendEvent({
      type: 'message',
      channel_type: 'im',
      channel: `D${user}`,
      user,
      text: 'old ask',
      ts: '1700002000.000001',
    });
    const link = linkIn(await t.slack.waitForCall('chat.postMessage', dmTo(user)));
    clock.offsetMs = 31 * 60 * 1000;
    await t.sendCommand({ command: '/connect-intercom', text: '', user_id: user });
    const freshLink = linkIn(await t.slack.waitForCall('chat.postMessage', (c) => dmTo(user)(c) && linkIn(c) !== link));
    const modelCallsBefore = t.model.requests.length;
    await openConnectLink(browser, freshLink);
    const note = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === '1700002000.000001' && String(c.params.text).includes('30 minutes'),
    );
    expect(note.params.channel).toBe(`D${user}`);
    await waitUntilNothingParkedFor(user);
    // Had it run, the thread would show the agent's "Working on it…" message and the model would have been asked.
    const inThread = t.slack.messagesIn(`D${user}`, '1700002000.000001').filter((m) => m.user === t.slack.botUserId);
    expect(inThread.map((m) => m.text)).toEqual([expect.stringContaining('I need access'), note.params.text]);
    expect(t.model.requests.slice(modelCallsBefore)).toEqual([]);
  });

  describe('the verify page refuses, without calling Scalekit,', () => {
    /** Opens the link and passes Scalekit's consent, stopping before the verify page: its URL and the cookie. */
    async function startFlow(userId: string): Promise<{ verifyUrl: string; cookie: string }> {
      const link = await requestLink(userId);
      const opened = await fetch(link, { method: 'POST', redirect: 'manual' });
      expect(opened.status).toBe(303);
      const setCookie = opened.headers.getSetCookie()[0] ?? '';
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const consent = await fetch(opened.headers.get('location') ?? '', { redirect: 'manual' });
      const verifyUrl = consent.headers.get('location') ?? '';
      expect(verifyUrl).toMatch(/\/verify\?auth_request_id=.+&state=/);
      return { verifyUrl, cookie: setCookie.split(';')[0] ?? '' };
    }

    it('a random state', async () => {
      const before = verifyCalls().length;
      const page = await browser.visit(`${t.baseUrl}/verify?auth_request_id=abc&state=${'x'.repeat(43)}`);
      expect(page.status).toBe(400);
      expect(page.body).toContain('/connect-intercom');
      expect(verifyCalls().length).toBe(before);
    });

    it('missing or junk parameters', async () => {
      const before = verifyCalls().length;
      for (const query of [
        '',
        '?state=only',
        '?auth_request_id=%ZZ&state=<script>',
        `?auth_request_id=${'a'.repeat(5000)}&state=s`,
      ]) {
        const page = await browser.visit(`${t.baseUrl}/verify${query}`);
        expect(page.status).toBe(400);
        expect(page.body).not.toContain('<script>');
      }
      expect(verifyCalls().length).toBe(before);
    });

    it('a state without this browser’s cookie', async () => {
      const { verifyUrl, cookie } = await startFlow(user);
      const before = verifyCalls().length;
      const page = await browser.visit(verifyUrl); // a different browser: no cookie
      expect(page.status).toBe(403);
      expect(page.body).toContain('same browser');
      const forged = await fetch(verifyUrl, { headers: { cookie: `${cookie.split('=')[0]}=forged-value` } });
      expect(forged.status).toBe(403);
      expect(verifyCalls().length).toBe(before);
      expect(t.scalekit.account(t.identifierOf(user))?.status).not.toBe(ConnectorStatus.ACTIVE);
      // The refusals did not burn the flow: the right browser still finishes.
      expect((await fetch(verifyUrl, { headers: { cookie } })).status).toBe(200);
    });

    it('an expired state', async () => {
      const { verifyUrl, cookie } = await startFlow(user);
      clock.offsetMs = 31 * 60 * 1000;
      const before = verifyCalls().length;
      const page = await fetch(verifyUrl, { headers: { cookie } });
      expect(page.status).toBe(410);
      expect(verifyCalls().length).toBe(before);
    });

    it('a replayed state', async () => {
      const { verifyUrl, cookie } = await startFlow(user);
      const before = verifyCalls().length;
      expect((await fetch(verifyUrl, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(verifyUrl, { headers: { cookie } })).status).toBe(409);
      expect(verifyCalls().length).toBe(before + 1);
    });
  });

  describe('opening a connect link uses nothing up until Continue is pressed', () => {
    const magicLinks = () => t.scalekit.callsOf('GetMagicLinkForConnectedAccount').length;

    it('GET and HEAD (scanners, unfurlers, prefetchers) only show the Continue page; the click then connects', async () => {
      const link = await requestLink(user);
      const before = magicLinks();
      for (let i = 0; i < 2; i++) {
        const get = await fetch(link, { redirect: 'manual' });
        expect(get.status).toBe(200);
        expect(get.headers.getSetCookie()).toEqual([]);
        const html = await get.text();
        expect(html).toContain('Connect your Intercom account');
        expect(html).toMatch(/<form method="post"><button type="submit">Continue<\/button><\/form>/);
        expect(html).not.toMatch(/<script/i);
        // Still script-free and not frameable; no form-action, which Chromium would apply to the redirect to Scalekit.
        const csp = get.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('form-action');
        // Under no-referrer a browser would send `Origin: null` with the form, and the POST would be refused.
        expect(get.headers.get('referrer-policy')).toBe('same-origin');

        const head = await fetch(link, { method: 'HEAD', redirect: 'manual' });
        expect(head.status).toBe(200);
        expect(head.headers.getSetCookie()).toEqual([]);
        expect(await head.text()).toBe('');
      }
      expect(magicLinks()).toBe(before);

      const page = await openConnectLink(browser, link);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Intercom is connected');
      expect(t.scalekit.account(t.identifierOf(user))?.status).toBe(ConnectorStatus.ACTIVE);
      // The link is used up by the click: opening it again says so, and offers no button.
      const again = await browser.visit(link);
      expect(again.status).toBe(410);
      expect(again.body).toContain('already used');
      expect(again.body).not.toContain('<form');
    });

    it('refuses a Continue POST that another site made this browser send, and changes nothing', async () => {
      const link = await requestLink(user);
      const before = magicLinks();
      const foreign: Array<Record<string, string>> = [
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: t.baseUrl, 'sec-fetch-site': 'same-site' },
      ];
      for (const headers of foreign) {
        const res = await fetch(link, { method: 'POST', redirect: 'manual', headers });
        expect(res.status).toBe(403);
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(await res.text()).toContain('your link still works');
      }
      expect(magicLinks()).toBe(before);
      expect((await openConnectLink(browser, link)).body).toContain('Intercom is connected');
    });
  });

  describe('a stray request to the verify page leaves a connection in progress alone', () => {
    it('no parameters, a random state, or another browser’s flow: the real verify then finishes', async () => {
      const verifyUrl = await consentIn(browser, await requestLink(user));
      const other = createBrowser();
      const othersVerifyUrl = await consentIn(other, await requestLink(`${user}other`));
      expect(browser.cookies()).toHaveLength(1);

      // What any page could make this browser load with an <img src>, or a mistyped reload.
      for (const stray of [
        `${t.baseUrl}/verify`,
        `${t.baseUrl}/verify?auth_request_id=abc&state=${'x'.repeat(43)}`,
        othersVerifyUrl,
      ]) {
        const page = await browser.visit(stray);
        expect(page.status).toBeGreaterThanOrEqual(400);
        expect(page.body).toContain('that connection is still waiting');
        expect(page.body).toContain('/connect-intercom');
      }
      expect(browser.cookies()).toHaveLength(1);

      const before = verifyCalls().length;
      const done = await browser.visit(verifyUrl);
      expect(done.status).toBe(200);
      expect(done.body).toContain('Intercom is connected');
      expect(
        verifyCalls()
          .slice(before)
          .map((c) => c.request.identifier),
      ).toEqual([t.identifierOf(user)]);
      expect(browser.cookies()).toEqual([]);
      // The other browser's flow, whose state was used as a stray, was not used up either.
      expect((await other.visit(othersVerifyUrl)).body).toContain('Intercom is connected');
      expect(t.scalekit.account(t.identifierOf(`${user}other`))?.status).toBe(ConnectorStatus.ACTIVE);
    });

    it('two links opened in one browser both finish, in either order, and a reload in between changes nothing', async () => {
      const first = await consentIn(browser, await requestLink(user));
      const second = await consentIn(browser, await requestLink(user));
      expect(browser.cookies()).toHaveLength(2);
      const before = verifyCalls().length;

      expect((await browser.visit(second)).body).toContain('Intercom is connected');
      const reload = await browser.visit(second);
      expect(reload.status).toBe(409);
      expect(reload.body).toContain('that connection is still waiting');
      expect((await browser.visit(first)).body).toContain('Intercom is connected');

      expect(verifyCalls().length).toBe(before + 2);
      expect(browser.cookies()).toEqual([]);
      expect(t.scalekit.account(t.identifierOf(user))?.status).toBe(ConnectorStatus.ACTIVE);
    });

    it('a refusal in a browser with nothing in progress does not claim something is waiting', async () => {
      const page = await browser.visit(`${t.baseUrl}/verify`);
      expect(page.status).toBe(400);
      expect(page.body).not.toContain('still waiting');
      expect(page.body).toContain('/connect-intercom');
    });
  });

  it('refuses a connect link that is unknown, reused or expired', async () => {
    expect((await browser.visit(`${t.baseUrl}/connect/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await browser.visit(`${t.baseUrl}/connect/short`)).status).toBe(404);
    const link = await requestLink(user);
    expect((await fetch(link, { method: 'POST', redirect: 'manual' })).status).toBe(303);
    const linksMade = t.scalekit.callsOf('GetMagicLinkForConnectedAccount').length;
    const reused = await browser.visit(link);
    expect(reused.status).toBe(410);
    expect(t.scalekit.callsOf('GetMagicLinkForConnectedAccount').length).toBe(linksMade);
    expect(reused.body).toContain('already used');

    const second = await requestLink(`${user}x`);
    clock.offsetMs = 11 * 60 * 1000;
    const expired = await browser.visit(second);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('expired');
  });

  it('keeps the link usable when Scalekit is down while opening it', async () => {
    const link = await requestLink(user);
    t.scalekit.failNext('GetMagicLinkForConnectedAccount', Code.Internal);
    const down = await openConnectLink(browser, link);
    expect(down.status).toBe(503);
    expect(down.body).toContain('Your link still works');
    const retry = await openConnectLink(browser, link);
    expect(retry.status).toBe(200);
    expect(t.scalekit.account(t.identifierOf(user))?.status).toBe(ConnectorStatus.ACTIVE);
  });

  it("shows Scalekit's refusals (identifier mismatch, already consumed) as clear pages", async () => {
    const link = await requestLink(user);
    t.scalekit.failNext('VerifyConnectedAccountUser', Code.PermissionDenied);
    const mismatch = await openConnectLink(browser, link);
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toContain('someone else');

    const again = await requestLink(user);
    t.scalekit.failNext('VerifyConnectedAccountUser', Code.NotFound);
    const consumed = await openConnectLink(browser, again);
    expect(consumed.status).toBe(410);
    expect(consumed.body).toContain('/connect-intercom');
    expect(t.scalekit.account(t.identifierOf(user))?.status).not.toBe(ConnectorStatus.ACTIVE);
  });
});
