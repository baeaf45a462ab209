import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { ConnectorStatus } from '../../src/standins/scalekit/emulator.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import type { ManualTimer } from '../helpers/manual-timer.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';
import {
  clickButton,
  newConversation,
  retrievesOf,
  startWatchBot,
  watchByAsking,
  watchRows,
} from '../watches/watch-helpers.ts';

let t: TestBot;
let scalekit: ScalekitEmulator;
let timer: ManualTimer;
let clock: { offsetMs: number };
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ t, scalekit, timer, clock, stop } = await startWatchBot(60));
});
afterAll(async () => {
  await stop();
});

const dmsTo = (user: string) => t.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === `D${user}`);
const pass = async () => {
  clock.offsetMs += 17 * 60_000;
  await timer.fire();
};
const logged = (msg: string, userId?: string) =>
  t.waitForLog((r) => r.msg === msg && (userId === undefined || r.userId === userId));

describe('POST /scalekit/webhooks', () => {
  it('refuses forged, unsigned and stale deliveries and does nothing with them', async () => {
    const user = 'UFORGED';
    const identifier = t.connectUser(user);
    const fiveMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const inTheFuture = Math.floor(Date.now() / 1000) + 6 * 60;
    for (const options of [
      { tamper: 'forged' as const },
      { tamper: 'unsigned' as const },
      { timestampSec: fiveMinutesAgo },
      { timestampSec: inTheFuture },
    ]) {
      const { status } = await scalekit.sendWebhook('connected_account.token_refresh_failed', identifier, options);
      expect(status).toBe(401);
    }
    // A body changed after signing is forged too.
    const altered = await scalekit.sendWebhook('connected_account.status_updated', identifier, { tamper: 'altered' });
    expect(altered.status).toBe(401);
    expect(t.logs.filter((l) => l.includes('without a valid signature'))).toHaveLength(5);
    // Then a genuine one goes through: the refused ones left no receipt and no DM behind.
    await scalekit.breakConnection(identifier);
    await t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === `D${user}`);
    expect(dmsTo(user)).toHaveLength(1);
  });

  it('a broken connection brings one reconnect DM, whatever is replayed or reported again', async () => {
    const user = 'UBROKEN';
    const identifier = t.connectUser(user);
    const { delivery, status } = await scalekit.sendWebhook('connected_account.token_refresh_failed', identifier);
    expect(status).toBe(200);
    await t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === `D${user}`);
    const dm = dmsTo(user)[0];
    expect(String(dm?.params.text)).toContain('expired or was revoked');
    expect(JSON.stringify(dm?.params.blocks)).toContain(`${t.baseUrl}/connect/`);

    // The same delivery again (Scalekit's retry, or a replay): answered, nothing done.
    expect(
      (await scalekit.sendWebhook('connected_account.token_refresh_failed', identifier, { again: delivery })).status,
    ).toBe(200);
    await t.waitForLog((r) => r.msg.includes('delivered again') && r.webhookId === delivery.id);
    // Another event about the same breakage: nothing more either.
    scalekit.setStatus(identifier, ConnectorStatus.EXPIRED);
    await scalekit.sendWebhook('connected_account.status_updated', identifier, { oldStatus: 'ACTIVE' });
    await logged('A breakage already reported', user);
    expect(dmsTo(user)).toHaveLength(1);

    // App Home says so, with a Reconnect button.
    await t.sendEvent({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1' });
    const home = await t.slack.waitForCall('views.publish', (c) => c.params.user_id === user);
    const view = JSON.stringify(home.params.view);
    expect(view).toContain('Reconnect Intercom');
    expect(view).toContain('connection broke');
  });

  it('pauses the teammate’s watches until they reconnect, then resumes them; a new breakage is news again', async () => {
    const user = 'UPAUSED';
    const conversation = newConversation(t);
    const { identifier } = await watchByAsking(t, user, conversation, 'CPAUSE');
    await scalekit.breakConnection(identifier);
    await t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === `D${user}`);
    expect(watchRows(t, 'user_id = ?', user).map((w) => w.status)).toEqual(['paused']);
    const polled = retrievesOf(t, conversation).length;
    await pass();
    expect(retrievesOf(t, conversation).length).toBe(polled);

    // They reconnect from the DM's link: the watch resumes and is polled again.
    const blocks = (dmsTo(user)[0]?.params.blocks ?? []) as Array<{ type: string; elements?: Array<{ url?: string }> }>;
    clock.offsetMs = 0;
    const link = blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url;
    expect((await openConnectLink(createBrowser(), String(link))).body).toContain('Intercom is connected');
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === `D${user}` && /connected/i.test(String(c.params.text)),
    );
    expect(watchRows(t, 'user_id = ?', user).map((w) => w.status)).toEqual(['active']);
    await pass();
    expect(retrievesOf(t, conversation).length).toBe(polled + 1);

    // Broken again later: a new breakage, a new DM.
    const before = dmsTo(user).length;
    await scalekit.breakConnection(identifier);
    await t.slack.waitForCall('chat.postMessage', () => dmsTo(user).length === before + 1);
    expect(watchRows(t, 'user_id = ?', user).map((w) => w.status)).toEqual(['paused']);
  });

  it('Scalekit saying ACTIVE again resumes the work without a DM', async () => {
    const user = 'UHEALED';
    const conversation = newConversation(t);
    const { identifier } = await watchByAsking(t, user, conversation, 'CHEAL');
    await scalekit.breakConnection(identifier);
    await t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === `D${user}`);
    scalekit.connectAccount(identifier);
    await scalekit.sendWebhook('connected_account.status_updated', identifier, { oldStatus: 'EXPIRED' });
    await logged('A teammate’s Intercom connection is active again', user);
    expect(watchRows(t, 'user_id = ?', user).map((w) => w.status)).toEqual(['active']);
    expect(dmsTo(user)).toHaveLength(1);
  });

  it('ignores accounts the bot never made', async () => {
    scalekit.connectAccount('someone-elses-app');
    await scalekit.sendWebhook('connected_account.token_refresh_failed', 'someone-elses-app');
    await logged('A Scalekit webhook named no teammate the bot knows');
  });
});

describe('a refused token found by polling', () => {
  it('is the same breakage: the watch and My queue polls that find it bring one DM, the webhook after none', async () => {
    // Two polls a pass: the watch and the queue find the refusal at the same time.
    const b = await startWatchBot(120);
    const dms = () => b.t.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === `D${user}`);
    const status = () =>
      [
        ...watchRows(b.t, 'user_id = ?', user).map((w) => w.status),
        ...b.t
          .rows<{ status: string }>('SELECT status FROM queue_followers WHERE user_id = ?', [user])
          .map((q) => q.status),
      ].join(' ');
    const user = 'UPOLLED';
    const reported = (how: string) =>
      b.t.waitForLog((r) => r.msg === 'A breakage already reported' && r.userId === user && r.how === how);
    try {
      const { identifier } = await watchByAsking(b.t, user, newConversation(b.t), 'CPOLL');
      await clickButton(b.t, user, 'queue_on', undefined, 'home');
      await b.t.slack.waitForCall('views.publish', (c) => c.params.user_id === user);
      expect(status()).toBe('active active');

      // Scalekit now refuses the token and has said nothing yet: the next pass's polls find out.
      b.scalekit.revokeIntercomToken(identifier);
      b.clock.offsetMs += 17 * 60_000;
      await b.timer.fire();
      expect(status()).toBe('paused paused');
      await reported('poll');
      expect(dms()).toHaveLength(1);
      expect(String(dms()[0]?.params.text)).toContain('expired or was revoked');

      // Scalekit's webhook about the same breakage comes after: nothing more.
      await b.scalekit.sendWebhook('connected_account.status_updated', identifier, { oldStatus: 'ACTIVE' });
      await reported('webhook');
      expect(dms()).toHaveLength(1);

      // App Home says reconnect.
      await b.t.sendEvent({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1' });
      const home = await b.t.slack.waitForCall(
        'views.publish',
        (c) => c.params.user_id === user && JSON.stringify(c.params.view).includes('connection broke'),
      );
      expect(JSON.stringify(home.params.view)).toContain('Reconnect Intercom');

      // Reconnecting from the DM's link resumes both.
      b.clock.offsetMs = 0;
      const blocks = (dms()[0]?.params.blocks ?? []) as Array<{ type: string; elements?: Array<{ url?: string }> }>;
      const link = blocks.find((x) => x.type === 'actions')?.elements?.[0]?.url;
      expect((await openConnectLink(createBrowser(), String(link))).body).toContain('Intercom is connected');
      await b.t.slack.waitForCall(
        'chat.postMessage',
        (c) => c.params.channel === `D${user}` && /connected/i.test(String(c.params.text)),
      );
      expect(status()).toBe('active active');
    } finally {
      await b.stop();
    }
  });
});

describe('without SCALEKIT_WEBHOOK_SECRET', () => {
  it('the endpoint does not exist', async () => {
    const bare = await startTestBot({ env: { SCALEKIT_WEBHOOK_SECRET: '' } });
    try {
      const identifier = bare.connectUser('UNOSECRET');
      const { status } = await bare.scalekit.sendWebhook('connected_account.token_refresh_failed', identifier);
      expect(status).toBe(404);
      expect(bare.slack.callsOf('chat.postMessage')).toHaveLength(0);
    } finally {
      await bare.stop();
    }
  });
});

function connectionAudit(user: string): string[] {
  return t
    .rows<{ outcome: string }>(`SELECT outcome FROM audit_log WHERE kind = 'connection' AND user_id = ? ORDER BY id`, [
      user,
    ])
    .map((row) => row.outcome);
}

function queueRows(user: string): number {
  return t.rows('SELECT * FROM queue_followers WHERE user_id = ?', [user]).length;
}

const userChange = (id: string, deleted: boolean) => ({
  type: 'user_change',
  user: { id, team_id: t.slack.teamId, name: id.toLowerCase(), deleted, profile: {} },
  event_ts: t.slack.nextTs(),
});

describe('a teammate deactivated in Slack', () => {
  it('loses their connected account and their watches, with an audit entry; a profile edit changes nothing', async () => {
    const user = 'ULEAVER';
    const conversation = newConversation(t);
    const { identifier } = await watchByAsking(t, user, conversation, 'CLEAVE');
    await clickButton(t, user, 'queue_on', undefined, 'home');
    await t.slack.waitForCall('views.publish', (c) => c.params.user_id === user);
    expect(queueRows(user)).toBe(1);

    expect((await t.sendEvent(userChange(user, false))).status).toBe(200);
    expect((await t.sendEvent(userChange('UNEVERMET', true))).status).toBe(200);
    expect(scalekit.account(identifier)?.statusName).toBe('ACTIVE');

    expect((await t.sendEvent(userChange(user, true))).status).toBe(200);
    await t.waitForLog((r) => r.msg === 'Offboarded a teammate deactivated in Slack' && r.userId === user);
    expect(scalekit.account(identifier)).toBeUndefined();
    expect(watchRows(t, 'user_id = ?', user).map((w) => [w.status, w.ended_reason])).toEqual([
      ['ended', 'disconnected'],
    ]);
    expect(connectionAudit(user)).toEqual(['offboarded: deactivated in Slack']);
    expect(queueRows(user)).toBe(0);
    const polled = retrievesOf(t, conversation).length;
    await pass();
    expect(retrievesOf(t, conversation).length).toBe(polled);
    // Someone the bot never met is not given an identity for it.
    expect(t.rows(`SELECT * FROM identities WHERE user_id = 'UNEVERMET'`)).toEqual([]);
  });
});

describe('the workspace gone', () => {
  it('tokens_revoked for the bot and app_uninstalled are acknowledged and end the workspace’s watches and queues', async () => {
    const one = newConversation(t);
    const two = newConversation(t);
    await watchByAsking(t, 'UWS1', one, 'CWS1');
    await watchByAsking(t, 'UWS2', two, 'CWS2');
    await clickButton(t, 'UWS1', 'queue_on', undefined, 'home');
    await t.slack.waitForCall('views.publish', (c) => c.params.user_id === 'UWS1');
    expect(queueRows('UWS1')).toBe(1);

    // Revoked user tokens (Sign in with Slack) leave the bot working.
    const userTokens = await t.sendEvent({ type: 'tokens_revoked', tokens: { oauth: ['UWS1'], bot: [] } });
    expect(userTokens.status).toBe(200);
    const revoked = await t.sendEvent({ type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT'] } });
    expect(revoked.status).toBe(200);
    await t.waitForLog((r) => r.why === 'tokens_revoked');
    expect(watchRows(t, "user_id IN ('UWS1', 'UWS2')").map((w) => w.ended_reason)).toEqual([
      'uninstalled',
      'uninstalled',
    ]);
    expect(t.logs.filter((l) => l.includes('"why":"tokens_revoked"'))).toHaveLength(1);
    expect(queueRows('UWS1')).toBe(0);

    const polled = retrievesOf(t, one).length + retrievesOf(t, two).length;
    await pass();
    expect(retrievesOf(t, one).length + retrievesOf(t, two).length).toBe(polled);

    expect((await t.sendEvent({ type: 'app_uninstalled' })).status).toBe(200);
    await t.waitForLog((r) => r.why === 'app_uninstalled');
  });
});
