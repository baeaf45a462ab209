import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConnectorStatus } from '../../src/standins/scalekit/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import { MINIMAL_ENV } from '../helpers/config-env.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

let t: TestBot;
let counter = 0;
let user: string;

beforeAll(async () => {
  t = await startTestBot({
    env: { SLACK_CLIENT_ID: 'slack-client-id', SLACK_CLIENT_SECRET: 'slack-client-secret-for-tests' },
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  user = `USIWS${++counter}`;
});

async function linkFor(userId: string): Promise<string> {
  await t.sendCommand({ command: '/connect-intercom', text: '', user_id: userId });
  const dm = await t.slack.waitForCall(
    'chat.postMessage',
    (c: SlackCall) => c.params.channel === `D${userId}` && Array.isArray(c.params.blocks),
  );
  const blocks = dm.params.blocks as Array<{ type: string; elements?: Array<{ url?: string }> }>;
  return String(blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url);
}

/** Presses Continue without a browser: the status of the answer. */
async function postLink(link: string): Promise<number> {
  return (await fetch(link, { method: 'POST', redirect: 'manual' })).status;
}

describe('Sign in with Slack at connect time (SLACK_CLIENT_ID/SECRET set)', () => {
  it('connects when the browser signs in as the Slack user the link was sent to', async () => {
    const link = await linkFor(user);
    t.slack.oidc.signedInUser = { teamId: t.slack.teamId, userId: user };
    const browser = createBrowser();
    const page = await openConnectLink(browser, link);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Intercom is connected');
    expect(browser.history.some((url) => url.includes('/openid/connect/authorize'))).toBe(true);
    expect(t.scalekit.account(t.identifierOf(user))?.status).toBe(ConnectorStatus.ACTIVE);
  });

  it('refuses, and cancels the link, when someone else signs in with a forwarded link', async () => {
    const link = await linkFor(user);
    t.slack.oidc.signedInUser = { teamId: t.slack.teamId, userId: 'UFORWARDEE' };
    const linksBefore = t.scalekit.callsOf('GetMagicLinkForConnectedAccount').length;
    const page = await openConnectLink(createBrowser(), link);
    expect(page.status).toBe(403);
    expect(page.body).toContain('another Slack user');
    expect(t.scalekit.callsOf('GetMagicLinkForConnectedAccount').length).toBe(linksBefore);
    // The owner cannot be tricked into finishing it later either: the link is used up.
    t.slack.oidc.signedInUser = { teamId: t.slack.teamId, userId: user };
    expect((await createBrowser().visit(link)).status).toBe(410);
    expect(await postLink(link)).toBe(410);
    expect(t.scalekit.account(t.identifierOf(user))?.status).not.toBe(ConnectorStatus.ACTIVE);
  });

  it('refuses a callback without this browser’s cookie, or with an unknown state', async () => {
    const link = await linkFor(user);
    t.slack.oidc.signedInUser = { teamId: t.slack.teamId, userId: user };
    const opened = await fetch(link, { method: 'POST', redirect: 'manual' });
    const authorize = await fetch(opened.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = authorize.headers.get('location') ?? '';
    expect(callback).toContain('/auth/slack/callback?code=');
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(403);
    const unknown = await fetch(`${t.baseUrl}/auth/slack/callback?code=x&state=${'s'.repeat(43)}`, {
      redirect: 'manual',
    });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${t.baseUrl}/auth/slack/callback`, { redirect: 'manual' })).status).toBe(400);
  });

  it('a stray callback with this flow’s state, from another browser, does not use up the sign-in step', async () => {
    const link = await linkFor(user);
    t.slack.oidc.signedInUser = { teamId: t.slack.teamId, userId: user };
    const browser = createBrowser();
    const held = await openConnectLink(browser, link, {
      stopBefore: (url) => url.pathname === '/auth/slack/callback',
    });
    const callback = held.location ?? '';
    expect(callback).toContain('/auth/slack/callback?code=');

    const stray = await createBrowser().visit(callback);
    expect(stray.status).toBe(403);
    expect(browser.cookies()).toHaveLength(1);

    const page = await browser.visit(callback);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Intercom is connected');
    // The sign-in step's cookie and the flow's both went once used.
    expect(browser.cookies()).toEqual([]);
    expect(t.scalekit.account(t.identifierOf(user))?.status).toBe(ConnectorStatus.ACTIVE);
  });

  it('needs both settings or neither', () => {
    const result = parseConfig({
      ...MINIMAL_ENV,
      SLACK_CLIENT_ID: 'only-the-id',
    });
    expect(result.ok ? [] : result.problems).toEqual([
      'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both to turn on Sign in with Slack, or neither',
    ]);
  });
});
