import { Code } from '@connectrpc/connect';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorStatus } from '../../src/standins/scalekit/emulator.ts';
import { type Browser, createBrowser, openConnectLink } from '../helpers/browser.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import { useConnectHarness } from './connect-harness.ts';

describe('the verify page', () => {
  const h = useConnectHarness();
  let t: TestBot;
  let browser: Browser;
  let user: string;
  beforeEach(() => {
    ({ t, browser, user } = h);
  });
  const { clock, requestLink, consentIn, verifyCalls } = h;

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
