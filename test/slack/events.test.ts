import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const mention = (overrides: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  user: 'U111',
  text: '<@UBOT> hello there',
  ts: `${Date.now() / 1000}`,
  channel: 'C0001',
  event_ts: `${Date.now() / 1000}`,
  ...overrides,
});

describe('Slack events over HTTP', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ streaming: false });
    t.connectUser('U111');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers /healthz with 200 once ready', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('acknowledges a signed app_mention within 3 s and replies in its thread', async () => {
    const event = mention({ ts: '1700000100.000100' });
    const started = performance.now();
    const res = await t.sendEvent(event);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);
    const call = await t.slack.waitForCall('chat.postMessage', (c) => c.params.thread_ts === '1700000100.000100');
    expect(call.params.channel).toBe('C0001');
    expect(call.token).toBe(t.slack.botToken);
  });

  it('replies inside the existing thread when mentioned in one', async () => {
    await t.sendEvent(mention({ ts: '1700000200.000200', thread_ts: '1700000199.000001' }));
    const call = await t.slack.waitForCall('chat.postMessage', (c) => c.params.thread_ts === '1700000199.000001');
    expect(call.params.channel).toBe('C0001');
  });

  it('answers a direct message in its thread', async () => {
    await t.sendEvent({
      type: 'message',
      channel_type: 'im',
      channel: 'D111',
      user: 'U111',
      text: 'hi bot',
      ts: '1700000300.000300',
      event_ts: '1700000300.000300',
    });
    const call = await t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === 'D111');
    expect(call.params.thread_ts).toBe('1700000300.000300');
  });

  it('ignores other bots, edits and channel chatter, then still answers a person', async () => {
    const before = t.slack.callsOf('chat.postMessage').length;
    const ignored = [
      mention({ ts: '1700000400.000001', bot_id: 'BOTHER', user: 'UOTHERBOT' }),
      { type: 'message', subtype: 'message_changed', channel_type: 'im', channel: 'D111', ts: '1700000400.000002' },
      { type: 'message', channel_type: 'channel', channel: 'C0001', user: 'U111', text: 'x', ts: '1700000400.000003' },
    ];
    for (const [i, event] of ignored.entries()) {
      const eventId = `EvIgnored${i}`;
      expect((await t.sendEvent(event, { eventId })).status).toBe(200);
      // Bolt has run every listener for it (and they all returned) once this line is written.
      await t.waitForLog((r) => r.msg === 'Slack request handled' && r.eventId === eventId);
    }
    await t.sendEvent(mention({ ts: '1700000400.000004' }));
    await t.slack.waitForCall('chat.postMessage', (c) => c.params.thread_ts === '1700000400.000004');
    const posts = t.slack.callsOf('chat.postMessage').slice(before);
    expect(posts.map((c) => c.params.thread_ts)).toEqual(['1700000400.000004']);
    expect(t.model.requests.map((r) => r.messages.at(-1)?.text)).not.toContain('x');
  });

  it('rejects a forged signature with 401 and calls nothing', async () => {
    const forged = await t.sendEvent(mention({ ts: '1700000500.000001', text: '<@UBOT> forged one' }), {
      signature: 'v0=deadbeef',
    });
    expect(forged.status).toBe(401);
    const wrongSecret = await t.sendEvent(mention({ ts: '1700000500.000002', text: '<@UBOT> forged two' }), {
      signingSecret: 'not-the-secret',
    });
    expect(wrongSecret.status).toBe(401);
    await t.sendEvent(mention({ ts: '1700000500.000003', text: '<@UBOT> genuine' }));
    await t.slack.waitForCall('chat.update', (c) => String(c.params.text) === 'ok');
    const touched = t.slack.calls.filter((c) => String(c.params.thread_ts).startsWith('1700000500.00000'));
    expect(new Set(touched.map((c) => c.params.thread_ts))).toEqual(new Set(['1700000500.000003']));
    expect(t.model.requests.map((r) => r.messages.at(-1)?.text)).not.toContain('forged one');
    expect(t.model.requests.map((r) => r.messages.at(-1)?.text)).not.toContain('forged two');
  });

  it('rejects a correctly signed request older than 5 minutes with 401', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await t.sendEvent(mention({ ts: '1700000600.000001', text: '<@UBOT> stale' }), {
      timestamp: sixMinutesAgo,
      eventId: 'EvStale',
    });
    expect(res.status).toBe(401);
    // Refused before its body was looked at: this line is the whole of its handling.
    await t.waitForLog(
      (r) => r.msg === 'Refused a Slack request without a valid signature' && r.reason === 'stale timestamp',
    );
    expect(t.logs.filter((line) => line.includes('EvStale'))).toEqual([]);
    expect(t.slack.calls.filter((c) => c.params.thread_ts === '1700000600.000001')).toEqual([]);
    expect(t.model.requests.map((r) => r.messages.at(-1)?.text)).not.toContain('stale');
  });

  it("answers Slack's url_verification challenge", async () => {
    const { postSigned } = await import('../../src/standins/slack/signed-requests.ts');
    const { SIGNING_SECRET } = await import('../helpers/test-bot.ts');
    const res = await postSigned(
      `${t.baseUrl}/slack/events`,
      JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }),
      'application/json',
      { signingSecret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'abc123' });
  });

  it('answers every signed Slack request it has no use for with 200 at once, so Slack does not retry it', async () => {
    const { postSigned } = await import('../../src/standins/slack/signed-requests.ts');
    const { SIGNING_SECRET } = await import('../helpers/test-bot.ts');
    const post = (body: unknown) =>
      postSigned(`${t.baseUrl}/slack/events`, JSON.stringify(body), 'application/json', {
        signingSecret: SIGNING_SECRET,
      });
    const envelope = (event: Record<string, unknown>) => ({
      type: 'event_callback',
      team_id: t.slack.teamId,
      api_app_id: 'A0001',
      event_id: `Ev${Math.random().toString(36).slice(2)}`,
      event_time: 1700000700,
      event,
    });
    const bodies = [
      // Event types the bot does not subscribe to, some with fields shaped unlike a message's.
      envelope({ type: 'emoji_changed', subtype: 'add', name: 'party', event_ts: '1700000700.000001' }),
      envelope({ type: 'user_change', user: { id: 'U1', deleted: true }, event_ts: '1700000700.000002' }),
      envelope({ type: 'channel_created', channel: { id: 'C9', name: 'new' }, event_ts: '1700000700.000003' }),
      envelope({ type: 'team_join', user: { id: 'U2' }, event_ts: '1700000700.000004' }),
      // Slack's notice that it is dropping events for a while: no event at all.
      { type: 'app_rate_limited', team_id: t.slack.teamId, minute_rate_limited: 1700000700, api_app_id: 'A0001' },
    ];
    const statuses = await Promise.all(bodies.map(async (body) => (await post(body)).status));
    expect(statuses).toEqual(bodies.map(() => 200));
    expect(t.slack.calls.filter((c) => JSON.stringify(c.params).includes('1700000700'))).toEqual([]);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${t.baseUrl}/nope`)).status).toBe(404);
    const res = await fetch(`${t.baseUrl}/healthz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
