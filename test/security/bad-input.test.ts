import { beforeEach, describe, expect, it } from 'vitest';
import { eventEnvelope, postSigned, slackSignature } from '../../src/standins/slack/signed-requests.ts';
import { SIGNING_SECRET, type TestBot } from '../helpers/test-bot.ts';
import { useSecurityBot } from './security-bot.ts';

const bot = useSecurityBot();
let t: TestBot;
beforeEach(() => {
  t = bot.t;
});
const { working, eventsUrl } = bot;

describe('bad input', () => {
  const signedRaw = (body: string, contentType: string) =>
    postSigned(eventsUrl(), body, contentType, { signingSecret: SIGNING_SECRET });

  it('answers malformed, oversized and odd requests with a 4xx or a clear reply, never a crash', async () => {
    expect((await signedRaw('{"type": "event_callback", ', 'application/json')).status).toBeLessThan(500);
    expect((await signedRaw('payload=%7Bnot-json', 'application/x-www-form-urlencoded')).status).toBeLessThan(500);
    expect((await signedRaw('hello', 'text/plain')).status).toBeLessThan(500);
    const huge = 'x'.repeat(2 * 1024 * 1024);
    expect((await signedRaw(huge, 'application/json')).status).toBe(413);
    const unknown = await signedRaw(
      JSON.stringify(eventEnvelope({ type: 'reaction_added', user: 'U1' })),
      'application/json',
    );
    expect(unknown.status).toBe(200);
    const missingEvent = await signedRaw(
      JSON.stringify({ type: 'event_callback', team_id: 'T0001' }),
      'application/json',
    );
    expect(missingEvent.status).toBeLessThan(500);
    expect((await fetch(`${t.baseUrl}/verify?auth_request_id[]=1&state=%00`)).status).toBe(400);
    expect((await fetch(`${t.baseUrl}/connect/%E0%A4%A`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('answers slash commands with odd text with help, ephemerally', async () => {
    for (const text of ['🤖'.repeat(500), '<@U999> `rm -rf`', 'disconnect now please', '\u0000\u0007']) {
      const res = await t.sendCommand({ command: '/connect-intercom', text, user_id: 'UODD' });
      expect(res.status).toBe(200);
    }
    await t.slack.waitForResponse((r) => String(r.body.text).includes("I don't know"));
    expect(t.slack.calls.filter((c) => c.params.channel === 'DUODD')).toEqual([]);
  });

  it('survives a few hundred generated malformed payloads and then answers a real message', async () => {
    const random = seeded(20261121);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const junk = (): unknown =>
      pick([
        () => null,
        () => random() * 1e9,
        () => 'x'.repeat(Math.floor(random() * 300)),
        () => [junk(), junk()],
        () => ({ [pick(['type', 'user', 'text', 'ts', 'channel', 'actions', 'view', 'event'])]: junk() }),
        () => true,
        () => '<@UBOT>',
      ])();
    const bodies: Array<[string, string, boolean]> = [];
    for (let i = 0; i < 300; i++) {
      const signed = random() < 0.8;
      switch (i % 6) {
        case 0:
          bodies.push([
            JSON.stringify(
              eventEnvelope({
                type: pick(['app_mention', 'message', 'app_home_opened', 'x']),
                user: junk(),
                text: junk(),
                ts: junk(),
                channel: junk(),
                channel_type: pick(['im', 'channel', undefined]),
              }),
            ),
            'application/json',
            signed,
          ]);
          break;
        case 1:
          bodies.push([
            new URLSearchParams({
              payload: JSON.stringify({
                type: pick(['block_actions', 'view_submission', 'shortcut', 'nope']),
                user: junk(),
                team: junk(),
                actions: [
                  {
                    action_id: pick([
                      'approval_send',
                      'approval_edit',
                      'approval_cancel',
                      'connect_intercom_link',
                      'x',
                    ]),
                    value: junk(),
                    type: 'button',
                  },
                ],
                view: junk(),
              }),
            }).toString(),
            'application/x-www-form-urlencoded',
            signed,
          ]);
          break;
        case 2:
          bodies.push([
            new URLSearchParams({
              command: pick(['/connect-intercom', '/other', '']),
              text: String(junk()),
              user_id: String(junk()),
              team_id: String(junk()),
            }).toString(),
            'application/x-www-form-urlencoded',
            signed,
          ]);
          break;
        case 3:
          bodies.push([
            JSON.stringify(junk()),
            pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']),
            signed,
          ]);
          break;
        case 4:
          bodies.push([
            Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256))).toString(
              'latin1',
            ),
            pick(['application/json', 'application/octet-stream']),
            signed,
          ]);
          break;
        default:
          bodies.push([
            `${JSON.stringify(eventEnvelope({ type: 'app_mention', user: 'UFUZZ', text: 'x', ts: '1', channel: 'C' }))}`.slice(
              0,
              Math.floor(random() * 120),
            ),
            'application/json',
            signed,
          ]);
      }
    }
    const statuses: number[] = [];
    for (const [body, contentType, signed] of bodies) {
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await fetch(eventsUrl(), {
        method: 'POST',
        body,
        headers: {
          'content-type': contentType,
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signed ? slackSignature(SIGNING_SECRET, timestamp, body) : 'v0=00',
        },
      });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    for (let i = 0; i < 40; i++) {
      const path = pick(['/verify', '/connect/abc', '/connect/', '/healthz', '/slack/events', '/x/../verify', '/%']);
      const query = `?${pick(['state', 'auth_request_id', 'x'])}=${encodeURIComponent(String(junk()))}`;
      const res = await fetch(`${t.baseUrl}${path}${query}`, { method: pick(['GET', 'POST', 'PUT', 'DELETE']) }).catch(
        () => undefined,
      );
      if (res) {
        statuses.push(res.status);
        await res.body?.cancel();
      }
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);

    t.connectUser('UAFTERFUZZ');
    const ts = t.slack.nextTs();
    await t.sendEvent({ type: 'app_mention', user: 'UAFTERFUZZ', text: '<@UBOT> still there?', ts, channel: 'CSEC' });
    const placeholder = await t.slack.waitForCall('chat.postMessage', working(ts));
    await t.slack.waitForCall('chat.update', (c) => c.params.ts === placeholder.response?.ts && c.params.text === 'ok');
  });
});

/** A small deterministic generator (mulberry32), so a failing fuzz run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
