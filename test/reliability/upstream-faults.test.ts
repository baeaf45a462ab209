import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createScalekitGateway } from '../../src/scalekit/scalekit-gateway.ts';
import { WORKING_PREFIX } from '../../src/shared/mrkdwn.ts';
import { toolResults } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { Failure } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope } from '../../src/standins/slack/signed-requests.ts';
import { JOHN_ANSWER, lookUpJohn } from '../helpers/model-replies.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

// Faults on each connection the bot holds besides Scalekit's HTTP/2 one (test/reliability/scalekit-restarts and
// test/scalekit/connection-faults cover that): Slack's Web API, the model, Socket Mode, and a Scalekit call that
// never answers. Real SDKs against the loopback emulators, the Web API client with retries as in production (only
// shorter). Each time: the request gets its answer or a clear message in its thread, nothing is done twice, and the
// next request works.

const CHANNEL = 'CUPSTREAM';
const SLACK_RETRIES = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 };

let users = 0;

async function ask(t: TestBot, options: { socket?: boolean } = {}): Promise<string> {
  users += 1;
  const user = `UUP${users}`;
  t.connectUser(user);
  const ts = t.slack.nextTs();
  const event = { type: 'app_mention', user, text: '<@UBOT> who is john@acme.com?', ts, channel: CHANNEL };
  if (options.socket) await t.slack.sendEnvelope('events_api', eventEnvelope(event));
  else expect((await t.sendEvent(event)).status).toBe(200);
  return ts;
}

/**
 * The bot's one reply in the thread, an answer or a notice, once its work is done (no run in flight or waiting, so a
 * second reply would be there by now).
 */
async function onlyReply(t: TestBot, ts: string): Promise<string> {
  const replies = () =>
    t.slack
      .messagesIn(CHANNEL, ts)
      .filter((m) => m.bot_id !== undefined && (m.final || !m.text?.startsWith(WORKING_PREFIX)) && !m.streaming);
  await vi.waitFor(
    () => {
      expect(replies().length).toBeGreaterThan(0);
      expect(t.bot.activity()).toMatchObject({ runsInFlight: 0, runsWaiting: 0, conversations: [] });
    },
    { timeout: 10_000, interval: 20 },
  );
  expect(replies()).toHaveLength(1);
  return replies()[0]?.text ?? '';
}

const toolRuns = (t: TestBot) => t.scalekit.callsOf('ExecuteTool').filter((c) => !c.error).length;

describe('Slack Web API faults', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ streaming: false, botOptions: { slackClientOptions: { retryConfig: SLACK_RETRIES } } });
    t.model.respond(lookUpJohn);
  });
  afterAll(async () => {
    await t.stop();
  });

  const cases: Array<[string, string, Failure]> = [
    ['the connection reset', 'chat.postMessage', { reset: true }],
    ['a 503', 'chat.update', { status: 503 }],
    ['a 429 with Retry-After', 'chat.postMessage', { status: 429, retryAfter: 1 }],
  ];
  it.each(cases)('%s on %s: the answer arrives once, and the next request works', async (_name, method, failure) => {
    const before = toolRuns(t);
    t.slack.failNext(method, failure);
    const ts = await ask(t);
    expect(await onlyReply(t, ts)).toContain(JOHN_ANSWER);
    expect(t.slack.callsOf(method).some((c) => c.response?.reset === true || c.response?.ok === false)).toBe(true);
    expect(toolRuns(t)).toBe(before + 1);

    expect(await onlyReply(t, await ask(t))).toContain(JOHN_ANSWER);
  });
});

describe('model faults', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ streaming: false, botOptions: { agent: { modelRetries: 1 } } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a 500: the call is retried and the answer arrives once; the next request works', async () => {
    let failed = false;
    t.model.respond((req) => {
      if (toolResults(req).length > 0 && !failed) {
        failed = true;
        return { error: { status: 500, message: 'The server had an error while processing your request.' } };
      }
      return lookUpJohn(req);
    });
    const ts = await ask(t);
    expect(await onlyReply(t, ts)).toContain(JOHN_ANSWER);
    expect(failed).toBe(true);
    // The tool ran once: the retry repeats the model call, not the tool run that came before it.
    expect(toolRuns(t)).toBe(1);
    t.model.respond(lookUpJohn);
    expect(await onlyReply(t, await ask(t))).toContain(JOHN_ANSWER);
  });

  it('the connection reset mid-stream: a clear message in the thread; the next request works', async () => {
    const before = toolRuns(t);
    t.model.respond((req) =>
      toolResults(req).length > 0 ? { text: JOHN_ANSWER, resetAfterEvents: 2 } : lookUpJohn(req),
    );
    const ts = await ask(t);
    const reply = await onlyReply(t, ts);
    // A stream cut mid-way is not sent again (part of it is on screen already); the person is told plainly.
    expect(reply).toContain("couldn't get an answer from the AI model just now");
    expect(reply).not.toMatch(/ECONNRESET|socket|terminated/i);
    expect(toolRuns(t)).toBe(before + 1);
    t.model.respond(lookUpJohn);
    expect(await onlyReply(t, await ask(t))).toContain(JOHN_ANSWER);
  });
});

describe('a Scalekit call that never answers', () => {
  let t: TestBot;
  let scalekit: ScalekitEmulator;
  beforeAll(async () => {
    scalekit = await startScalekitEmulator();
    t = await startTestBot({
      streaming: false,
      scalekit,
      botOptions: {
        // The real gateway with a short timeout: production waits 10 s for the control plane.
        scalekit: createScalekitGateway({
          environmentUrl: scalekit.url,
          clientId: scalekit.clientId,
          clientSecret: scalekit.clientSecret,
          connectionName: 'intercom',
          timeoutMs: 500,
          toolTimeoutMs: 500,
        }),
      },
    });
    t.model.respond(lookUpJohn);
  });
  afterAll(async () => {
    await t.stop();
    await scalekit.close();
  });

  it('tells the person in the thread that Scalekit could not be reached; the next request works', async () => {
    scalekit.faults.hangNext('ListConnectedAccounts');
    const ts = await ask(t);
    expect(await onlyReply(t, ts)).toContain("couldn't reach the service that holds your Intercom connection");
    expect(toolRuns(t)).toBe(0);
    expect(await onlyReply(t, await ask(t))).toContain(JOHN_ANSWER);
  });
});

describe('Socket Mode faults', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ env: { SLACK_APP_TOKEN: 'xapp-test-app-token', SLACK_SIGNING_SECRET: '' } });
    t.model.respond(lookUpJohn);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('the WebSocket dropped: the bot reconnects, and requests over the new one are answered once', async () => {
    expect(await onlyReply(t, await ask(t, { socket: true }))).toContain(JOHN_ANSWER);
    t.slack.dropSocket();
    // The Socket Mode client waits its ping timeout (5 s) before it reconnects.
    await vi.waitFor(() => expect(t.slack.socketConnections).toBe(2), { timeout: 15_000, interval: 20 });
    expect(await onlyReply(t, await ask(t, { socket: true }))).toContain(JOHN_ANSWER);
    expect(toolRuns(t)).toBe(2);
  }, 30_000);
});
