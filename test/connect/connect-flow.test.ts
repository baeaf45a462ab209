import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorStatus } from '../../src/standins/scalekit/emulator.ts';
import { type Browser, openConnectLink } from '../helpers/browser.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import { linkIn, useConnectHarness } from './connect-harness.ts';

describe('connecting Intercom', () => {
  const h = useConnectHarness();
  let t: TestBot;
  let browser: Browser;
  let user: string;
  beforeEach(() => {
    ({ t, browser, user } = h);
  });
  const { clock, dmTo, requestLink, verifyCalls, waitUntilNothingParkedFor } = h;

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
});
