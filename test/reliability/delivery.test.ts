import { Code } from '@connectrpc/connect';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lastUserText, type ModelReply } from '../../src/standins/model/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope } from '../../src/standins/slack/signed-requests.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot({
    streaming: false,
    env: { MAX_CONCURRENT_RUNS: '2' },
    botOptions: { agent: { runTimeoutMs: 3000 } },
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
});

const working = (threadTs: string) => (c: SlackCall) =>
  c.params.thread_ts === threadTs && /Working on it|Queued/.test(String(c.params.text));
const mention = (user: string, ts: string, text = 'hello') => ({
  type: 'app_mention',
  user,
  text: `<@UBOT> ${text}`,
  ts,
  channel: 'CREL',
});
/** The bot logs each redelivery it turns away; that line is the sign it has finished with one. */
const ignored = (ts: string) => (line: string) =>
  line.includes('Ignored a redelivered message') && line.includes(`"ts":"${ts}"`);

/** A model reply that waits for the test to let it go. */
function gate(): { reply: () => Promise<ModelReply>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    reply: async () => {
      await opened;
      return { text: 'ok' };
    },
    open: () => open(),
  };
}

describe('exactly once per message', () => {
  it('answers a message once however often Slack delivers it', async () => {
    t.connectUser('UONCE');
    const ts = t.slack.nextTs();
    const event = mention('UONCE', ts, 'count me once');
    const first = await t.sendEvent(event, { eventId: 'EvONCE1' });
    // Slack's retries of the same event, and a redelivery under a new envelope (Socket Mode reconnects do that).
    const retries = await Promise.all([
      t.sendEvent(event, {
        eventId: 'EvONCE1',
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      }),
      t.sendEvent(event, {
        eventId: 'EvONCE1',
        headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' },
      }),
      t.sendEvent(event, { eventId: 'EvONCE2' }),
    ]);
    expect([first, ...retries].map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await t.slack.waitForCall('chat.update', (c) => c.params.text === 'ok');
    await t.waitForLogs(ignored(ts), 3);
    expect(t.slack.callsOf('chat.postMessage').filter(working(ts))).toHaveLength(1);
    expect(t.model.requests.filter((r) => r.messages.at(-1)?.text === 'count me once')).toHaveLength(1);
  });

  it('remembers what it answered across a restart', async () => {
    t.connectUser('UONCE2');
    const ts = t.slack.nextTs();
    await t.sendEvent(mention('UONCE2', ts, 'before restart'), { eventId: 'EvR1' });
    await t.slack.waitForCall('chat.update', (c) => c.params.text === 'ok');
    await t.restart();
    await t.sendEvent(mention('UONCE2', ts, 'before restart'), {
      eventId: 'EvR1',
      headers: { 'x-slack-retry-num': '3' },
    });
    await t.waitForLogs(ignored(ts));
    expect(t.slack.callsOf('chat.postMessage').filter(working(ts))).toHaveLength(1);
  });

  it('ignores its own messages, other bots, edits, joins and channel chatter', async () => {
    t.connectUser('UNOISE');
    const before = t.model.requests.length;
    const noise = [
      { type: 'message', channel_type: 'im', channel: 'DNOISE', user: 'UBOT', text: 'mine', ts: t.slack.nextTs() },
      {
        type: 'message',
        channel_type: 'im',
        channel: 'DNOISE',
        bot_id: 'BOTHER',
        user: 'UX',
        text: 'bot',
        ts: t.slack.nextTs(),
      },
      { type: 'message', subtype: 'message_changed', channel_type: 'im', channel: 'DNOISE', ts: t.slack.nextTs() },
      {
        type: 'message',
        subtype: 'channel_join',
        channel_type: 'channel',
        channel: 'CREL',
        user: 'UNOISE',
        ts: t.slack.nextTs(),
      },
      {
        type: 'message',
        channel_type: 'channel',
        channel: 'CREL',
        user: 'UNOISE',
        text: 'no mention',
        ts: t.slack.nextTs(),
      },
      { ...mention('UX', t.slack.nextTs()), bot_id: 'BOTHER' },
    ];
    for (const event of noise) expect((await t.sendEvent(event)).status).toBe(200);
    const real = t.slack.nextTs();
    await t.sendEvent({
      type: 'message',
      channel_type: 'im',
      channel: 'DNOISE',
      user: 'UNOISE',
      text: 'real',
      ts: real,
    });
    await t.slack.waitForCall('chat.postMessage', working(real));
    await t.slack.waitForCall('chat.update', (c) => c.params.channel === 'DNOISE' && c.params.text === 'ok');
    expect(t.model.requests.slice(before).map((r) => r.messages.at(-1)?.text)).toEqual(['real']);
  });
});

describe('under load', () => {
  it('queues a message behind the one still running in its conversation, says so, and gives it the first answer', async () => {
    t.connectUser('UQUEUE');
    t.connectUser('UQUEUE_OTHER');
    const g = gate();
    t.model.respond(async (req) => {
      const asked = lastUserText(req);
      if (asked === 'first') await g.reply();
      return { text: `${asked} done` };
    });
    const first = t.slack.nextTs();
    t.slack.seedMessage({ channel: 'CREL', ts: first, user: 'UQUEUE', text: '<@UBOT> first' });
    await t.sendEvent(mention('UQUEUE', first, 'first'));
    await t.slack.waitForCall('chat.postMessage', working(first));
    // A follow-up in the same thread while the first is still running (so after its working message).
    const [second, other] = [t.slack.nextTs(), t.slack.nextTs()];
    await t.sendEvent({ ...mention('UQUEUE', second, 'second'), thread_ts: first });
    // Its "working" message in the thread turns into where it stands.
    const queued = await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.channel === 'CREL' && String(c.params.text).includes('Queued'),
    );
    expect(String(queued.params.text)).toContain('earlier request in this conversation');
    await t.model.waitForRequests(1);
    // Someone else's message, sent after the second, is answered in full while the first is held: had the second
    // not been queued, it would have reached the model by now too.
    await t.sendEvent(mention('UQUEUE_OTHER', other, 'meanwhile'));
    await t.slack.waitForCall('chat.update', (c) => c.params.text === 'meanwhile done');
    expect(t.model.requests.map((r) => lastUserText(r))).toEqual(['first', 'meanwhile']);
    g.open();
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === queued.params.ts && c.params.text === 'second done',
    );
    expect(t.model.requests.map((r) => lastUserText(r))).toEqual(['first', 'meanwhile', 'second']);
    // The second ran after the first had answered, so the model saw that answer in the thread.
    const secondRequest = t.model.requests.at(-1);
    expect(secondRequest?.messages.map((m) => m.text)).toContain('first done');
  });

  it('runs at most the global cap at once, acknowledges everything at once, and answers everyone', async () => {
    const users = ['UCAP1', 'UCAP2', 'UCAP3', 'UCAP4', 'UCAP5'];
    for (const u of users) t.connectUser(u);
    let inFlight = 0;
    let peak = 0;
    // Every model answer is held until the cap is full and everyone else is queued, so the runs overlap for sure.
    const g = gate();
    t.model.respond(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const reply = await g.reply();
      inFlight--;
      return reply;
    });
    const threads = users.map(() => t.slack.nextTs());
    const acks = await Promise.all(users.map((u, i) => t.sendEvent(mention(u, threads[i] as string, `load ${u}`))));
    expect(acks.map((r) => r.status)).toEqual(users.map(() => 200));
    await t.model.waitForRequests(2);
    // The three who wait are told where they stand, each in their own thread's working message.
    const placeholders = () =>
      new Set(
        t.slack
          .callsOf('chat.postMessage')
          .filter((c) => threads.includes(String(c.params.thread_ts)))
          .map((c) => c.response?.ts),
      );
    const queued = () =>
      t.slack
        .callsOf('chat.update')
        .filter((c) => placeholders().has(String(c.params.ts)) && /Queued/.test(String(c.params.text)));
    await t.slack.waitForCall('chat.update', () => queued().length >= 3);
    expect(queued().map((c) => String(c.params.text).replace(/^.*busy right now and /, ''))).toEqual(
      expect.arrayContaining([
        "you're next. I'll start as soon as there's room.",
        "1 request is ahead of yours. I'll start as soon as there's room.",
        "2 requests are ahead of yours. I'll start as soon as there's room.",
      ]),
    );
    // App Home, asked for after the queued runs were told to wait, is published (through Scalekit and Slack)
    // while they wait: had they not waited, they would have reached the model by now too.
    await t.sendEvent({ type: 'app_home_opened', user: 'UCAP1', channel: 'DUCAP1', tab: 'home', event_ts: '1' });
    await t.slack.waitForCall('views.publish', (c) => c.params.user_id === 'UCAP1');
    expect(t.model.requests).toHaveLength(2);
    expect(inFlight).toBe(2);
    g.open();
    for (const ts of threads) {
      const placeholder = await t.slack.waitForCall('chat.postMessage', working(ts));
      await t.slack.waitForCall(
        'chat.update',
        (c) => c.params.ts === placeholder.response?.ts && c.params.text === 'ok',
      );
    }
    expect(peak).toBe(2);
  });

  it("retries Slack's 429 after exactly its Retry-After, not after a backoff on top", async () => {
    t.connectUser('UAFTER');
    const ts = t.slack.nextTs();
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await t.sendEvent(mention('UAFTER', ts));
    await t.slack.waitForCall('chat.postMessage', (c) => working(ts)(c) && c.response?.ok === true, 10_000);
    const attempts = t.slack.callsOf('chat.postMessage').filter(working(ts));
    expect(attempts.map((c) => c.response?.ok)).toEqual([false, false, true]);
    const gaps = attempts.slice(1).map((c, i) => c.at - (attempts[i] as SlackCall).at);
    // Never earlier than Slack asked (a little slack for two clocks' rounding)…
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(990);
    // …and not the client's own policy, which sleeps Retry-After and then backs off on top: 2 s, then 4.9 s.
    expect(gaps.reduce((a, b) => a + b, 0)).toBeLessThan(4000);
  });

  it("retries Slack's 429 under the Web API client's policy", async () => {
    const patient = await startTestBot({
      slack: t.slack,
      scalekit: t.scalekit,
      model: t.model,
      botOptions: { slackClientOptions: { retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } } },
    });
    try {
      patient.connectUser('URETRY');
      const ts = t.slack.nextTs();
      t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      await patient.sendEvent(mention('URETRY', ts));
      await t.slack.waitForCall('chat.postMessage', working(ts), 8000);
      expect(t.slack.callsOf('chat.postMessage').some((c) => c.response?.status === 429)).toBe(true);
    } finally {
      await patient.stop();
    }
  });
});

describe('when an upstream fails', () => {
  it('explains a Scalekit failure, stays up, and answers the next message', async () => {
    t.connectUser('UFAULT');
    t.scalekit.failNext('ListConnectedAccounts', Code.Internal);
    const ts = t.slack.nextTs();
    await t.sendEvent(mention('UFAULT', ts));
    const notice = await t.slack.waitForAnswer('CREL', ts);
    expect(notice.text).toContain('Scalekit');
    const next = t.slack.nextTs();
    await t.sendEvent(mention('UFAULT', next));
    await t.slack.waitForCall('chat.postMessage', working(next));
  });

  it('survives a Slack error while answering and answers the next message', async () => {
    t.connectUser('USLACKERR');
    t.slack.failNext('chat.postMessage', { error: 'internal_error' });
    t.slack.failNext('chat.postMessage', { error: 'internal_error' });
    const ts = t.slack.nextTs();
    const noticesLost = t.logs.filter((l) => l.includes('Could not post the error notice')).length;
    await t.sendEvent(mention('USLACKERR', ts, 'lost'));
    // Both posts failed and the bot has given up on this message.
    await t.waitForLogs((l) => l.includes('Could not post the error notice'), noticesLost + 1);
    const next = t.slack.nextTs();
    await t.sendEvent(mention('USLACKERR', next, 'found'));
    await t.slack.waitForCall('chat.postMessage', working(next));
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('shows the person it is on it before Scalekit answers, even when Scalekit hangs', async () => {
    t.connectUser('UHANG');
    const hold = t.scalekit.faults.hold('ListConnectedAccounts');
    const ts = t.slack.nextTs();
    try {
      await t.sendEvent(mention('UHANG', ts, 'are you there'));
      // Scalekit has not answered (it cannot until released), and the thread already shows the bot is on it.
      const status = await t.slack.waitForCall('chat.postMessage', working(ts));
      expect(status.params.text).toContain('Working on it');
      await hold.waitForHeld();
      expect(t.slack.messagesIn('CREL', ts).filter((m) => m.final)).toEqual([]);
    } finally {
      hold.release();
    }
    const answer = await t.slack.waitForAnswer('CREL', ts);
    expect(answer.text).not.toContain('Working on it');
    expect(t.model.requests.map((r) => lastUserText(r))).toContain('are you there');
  });

  it('explains when Scalekit cannot be reached at all', async () => {
    const cut = await startTestBot({
      slack: t.slack,
      model: t.model,
      env: { SCALEKIT_ENVIRONMENT_URL: 'http://127.0.0.1:9' },
    });
    try {
      const ts = t.slack.nextTs();
      await cut.sendEvent(mention('UNOSK', ts));
      const notice = await t.slack.waitForAnswer('CREL', ts, 1, 15_000);
      expect(notice.text).toContain('Scalekit');
      expect((await fetch(`${cut.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await cut.stop();
    }
  });

  it('apologises when the model endpoint is down', async () => {
    const noModel = await startTestBot({
      slack: t.slack,
      scalekit: t.scalekit,
      env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
    try {
      noModel.connectUser('UNOMODEL');
      const ts = t.slack.nextTs();
      await noModel.sendEvent(mention('UNOMODEL', ts));
      const placeholder = await t.slack.waitForCall('chat.postMessage', working(ts));
      const update = await t.slack.waitForCall('chat.update', (c) => c.params.ts === placeholder.response?.ts);
      expect(update.params.text).toContain('AI model');
    } finally {
      await noModel.stop();
    }
  });
});

describe('stopping', () => {
  it('lets a run in flight finish before closing', async () => {
    const s = await startTestBot({ slack: t.slack, scalekit: t.scalekit, model: t.model });
    s.connectUser('UDRAIN');
    const g = gate();
    t.model.respond(g.reply);
    const ts = t.slack.nextTs();
    await s.sendEvent(mention('UDRAIN', ts));
    const placeholder = await t.slack.waitForCall('chat.postMessage', working(ts));
    await t.model.waitForRequests(1);
    const stopped = s.stop();
    expect((await fetch(`${s.baseUrl}/healthz`).catch(() => undefined))?.status).not.toBe(200);
    g.open();
    await stopped;
    expect(
      t.slack.callsOf('chat.update').some((c) => c.params.ts === placeholder.response?.ts && c.params.text === 'ok'),
    ).toBe(true);
  });

  it('stops within its bound when a run hangs, and tells the user at the next start', async () => {
    const s = await startTestBot({
      slack: t.slack,
      scalekit: t.scalekit,
      model: t.model,
      botOptions: { drainTimeoutMs: 200 },
    });
    s.connectUser('UHANG');
    t.model.queue({ hang: true });
    const ts = t.slack.nextTs();
    await s.sendEvent(mention('UHANG', ts));
    await t.model.waitForRequests(1);
    await s.bot.stop();
    await s.restart().catch(() => undefined);
    const notice = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === ts && String(c.params.text).includes('restarted'),
      // On PostgreSQL, once the restarted process has heartbeaten for REPLICA_TIMEOUT_MS.
      15_000,
    );
    expect(notice.params.channel).toBe('CREL');
    await s.stop();
  });
});

describe('Socket Mode redelivery', () => {
  it('answers once when the same event arrives in two envelopes', async () => {
    const sock = await startTestBot({
      slack: t.slack,
      scalekit: t.scalekit,
      model: t.model,
      env: { SLACK_APP_TOKEN: 'xapp-test-app-token' },
    });
    try {
      sock.connectUser('USOCK');
      const ts = t.slack.nextTs();
      const payload = eventEnvelope({ ...mention('USOCK', ts), channel: 'CSOCK' }, t.slack.teamId, 'EvSOCK');
      await t.slack.sendEnvelope('events_api', payload);
      await t.slack.sendEnvelope('events_api', payload);
      await t.slack.waitForCall('chat.update', (c) => c.params.channel === 'CSOCK' && c.params.text === 'ok');
      await sock.waitForLogs(ignored(ts));
      expect(t.slack.callsOf('chat.postMessage').filter(working(ts))).toHaveLength(1);
    } finally {
      await sock.stop();
    }
  });
});
