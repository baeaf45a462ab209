import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, createBot } from '../src/bot.ts';
import { parseConfig } from '../src/config.ts';
import { StartupError } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import { classifySlackFailure } from '../src/slack/startup-check.ts';
import { type SlackApiEmulator, startSlackApiEmulator } from '../src/standins/slack/emulator.ts';
import { freePort, listeningServer, startTestBot } from './helpers/test-bot.ts';

let slack: SlackApiEmulator;
/** The servers handed to the bots launched here; a bot leaves a server it was handed open. */
const servers: Server[] = [];
beforeAll(async () => {
  slack = await startSlackApiEmulator();
});
afterAll(async () => {
  await slack.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Launched {
  bot: Bot;
  healthz: () => Promise<{ status: number; body: unknown }>;
  baseUrl: string;
  logs: () => Array<Record<string, unknown>>;
  started: Promise<{ port: number }>;
}

/** The real bot, started but not awaited, with startup's retries shortened so a failing start ends in well under 1 s. */
async function launch(
  env: Record<string, string> = {},
  attemptTimeoutMs = 1000,
  socketModeTimeoutMs = 5000,
): Promise<Launched> {
  const { server, port } = await listeningServer();
  servers.push(server);
  const dir = mkdtempSync(join(tmpdir(), 'startup-'));
  const parsed = parseConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'startup-test-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    SCALEKIT_ENVIRONMENT_URL: 'http://127.0.0.1:9',
    SCALEKIT_CLIENT_ID: 'skc',
    SCALEKIT_CLIENT_SECRET: 'sks-startup-test',
    OPENAI_API_KEY: 'sk-startup-test',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    DATABASE_PATH: join(dir, 'bot.db'),
    LOG_LEVEL: 'debug',
    ...env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const lines: string[] = [];
  const bot = createBot({
    config: parsed.config,
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    slackClientOptions: { retryConfig: { retries: 0 } },
    startup: { retryDelaysMs: [20, 20], attemptTimeoutMs, socketModeTimeoutMs },
    listening: server,
  });
  const started = bot.start();
  started.catch(() => undefined);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    bot,
    baseUrl,
    started,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    async healthz() {
      const res = await fetch(`${baseUrl}/healthz`);
      return { status: res.status, body: await res.json() };
    },
  };
}

async function startupError(started: Promise<unknown>): Promise<StartupError> {
  const error = await started.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupError);
  return error as StartupError;
}

describe('startup when Slack cannot be reached', () => {
  it('fails within seconds saying it cannot reach Slack (connection refused), not that the token is wrong', async () => {
    const closedPort = await freePort();
    const began = performance.now();
    const b = await launch({ SLACK_API_URL: `http://127.0.0.1:${closedPort}/api/` });
    const error = await startupError(b.started);
    expect(performance.now() - began).toBeLessThan(5000);
    expect(error.message).toMatch(
      new RegExp(
        `^cannot reach Slack at 127\\.0\\.0\\.1:${closedPort} \\(connection refused\\); gave up after 3 attempts`,
      ),
    );
    expect(error.message).not.toContain('SLACK_BOT_TOKEN');
    // Every failed attempt is logged at warn or above, naming the service and host, never the token.
    const failures = b.logs().filter((r) => r.level !== 'debug' && r.upstream === 'Slack');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    for (const record of failures) expect(record.host).toBe(`127.0.0.1:${closedPort}`);
    expect(b.logs().filter((r) => r.msg === 'Slack did not answer at startup; retrying')).toHaveLength(2);
    expect(JSON.stringify(b.logs())).not.toContain(slack.botToken);
  });

  it('answers /healthz with 503 and the reason while it retries, and 200 once Slack answers', async () => {
    slack.failNext('auth.test', { status: 503 });
    const release = slack.hold('auth.test');
    const before = slack.callsOf('auth.test').length;
    const b = await launch();
    try {
      await slack.waitForCall('auth.test', (c) => slack.callsOf('auth.test').indexOf(c) === before + 1);
      expect(await b.healthz()).toEqual({
        status: 503,
        body: { status: 'starting', reason: 'checking the Slack token' },
      });
      // Nothing else is served yet, Slack's endpoint included.
      expect((await fetch(`${b.baseUrl}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(503);
      expect((await fetch(`${b.baseUrl}/connect/abc`)).status).toBe(503);
      const retry = b.logs().find((r) => r.msg === 'Slack did not answer at startup; retrying');
      expect(retry).toMatchObject({ level: 'warn', upstream: 'Slack', host: new URL(slack.apiUrl).host });
      expect(retry?.reason).toBe('HTTP 503');
    } finally {
      release();
    }
    await b.started;
    expect(await b.healthz()).toEqual({ status: 200, body: { status: 'ready' } });
    await b.bot.stop();
  });

  it('says it timed out when Slack accepts the connection but never answers', async () => {
    const release = slack.hold('auth.test');
    try {
      const b = await launch({}, 200);
      const error = await startupError(b.started);
      expect(error.message).toMatch(/^cannot reach Slack at 127\.0\.0\.1:\d+ \(timed out\); gave up after 3 attempts/);
    } finally {
      release();
    }
  });

  it('stops at once, without retrying, when Slack rejects the bot token', async () => {
    const before = slack.callsOf('auth.test').length;
    const b = await launch({ SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' });
    const error = await startupError(b.started);
    expect(error.message).toMatch(/^Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)\. Check the bot token/);
    expect(error.message).not.toContain('xoxb-not-the-right-one');
    expect(slack.callsOf('auth.test').length - before).toBe(1);

    slack.failNext('auth.test', { error: 'token_revoked' });
    const revoked = await startupError((await launch()).started);
    expect(revoked.message).toMatch(/^Slack rejected SLACK_BOT_TOKEN \(token_revoked\)/);
  });
});

describe('Socket Mode startup', () => {
  it('tells a rejected app token apart from an unavailable Slack', async () => {
    const rejected = await startupError((await launch({ SLACK_APP_TOKEN: 'xapp-not-the-right-one' })).started);
    expect(rejected.message).toMatch(/^Slack rejected SLACK_APP_TOKEN \(invalid_auth\)/);
    expect(rejected.message).not.toContain('xapp-not-the-right-one');

    for (let i = 0; i < 3; i++) slack.failNext('apps.connections.open', { status: 503 });
    const unavailable = await startupError((await launch({ SLACK_APP_TOKEN: 'xapp-test-app-token' })).started);
    expect(unavailable.message).toMatch(
      /^Slack at 127\.0\.0\.1:\d+ is not answering normally \(HTTP 503\); gave up after 3 attempts/,
    );
  });

  it('gives up when the WebSocket never completes its handshake', async () => {
    slack.socketHello = false;
    try {
      const b = await launch({ SLACK_APP_TOKEN: 'xapp-test-app-token' }, 1000, 1000);
      const error = await startupError(b.started);
      expect(error.message).toMatch(
        /^Socket Mode could not connect: no WebSocket to Slack at 127\.0\.0\.1:\d+ within 1 s/,
      );
    } finally {
      slack.socketHello = true;
    }
  });

  it('answers /healthz with 503 while connecting, then connects', async () => {
    const release = slack.hold('apps.connections.open');
    const before = slack.callsOf('apps.connections.open').length;
    const b = await launch({ SLACK_APP_TOKEN: 'xapp-test-app-token' });
    try {
      await slack.waitForCall(
        'apps.connections.open',
        (c) => slack.callsOf('apps.connections.open').indexOf(c) >= before,
      );
      expect(await b.healthz()).toEqual({
        status: 503,
        body: { status: 'starting', reason: 'connecting to Slack (Socket Mode)' },
      });
    } finally {
      release();
    }
    await b.started;
    expect((await b.healthz()).status).toBe(200);
    await b.bot.stop();
  });
});

describe('stopping', () => {
  it('answers /healthz with 503 and refuses new work while runs in flight finish', async () => {
    const t = await startTestBot({ slack });
    t.connectUser('USTOP');
    let finish = () => {};
    const answer = new Promise<void>((resolve) => {
      finish = resolve;
    });
    t.model.respond(async () => {
      await answer;
      return { text: 'done' };
    });
    const ts = slack.nextTs();
    await t.sendEvent({ type: 'app_mention', user: 'USTOP', text: '<@UBOT> hi', ts, channel: 'CSTOP' });
    await t.model.waitForRequests(1);
    const stopped = t.bot.stop();
    try {
      const health = await fetch(`${t.baseUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'stopping', reason: 'finishing work in flight' });
      const late = await t.sendEvent({
        type: 'app_mention',
        user: 'USTOP',
        text: '<@UBOT> late',
        ts: slack.nextTs(),
        channel: 'CSTOP',
      });
      expect(late.status).toBe(503);
    } finally {
      finish();
    }
    await stopped;
    expect(slack.messagesIn('CSTOP', ts).some((m) => m.user === slack.botUserId && m.text === 'done')).toBe(true);
    await t.stop();
  });
});

describe('classifySlackFailure', () => {
  const requestError = (cause: unknown) => new webApi.WebAPIRequestError(new TypeError('fetch failed', { cause }));
  it('names DNS, TLS and reset failures, which the emulator cannot produce', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND slack.example'), { code: 'ENOTFOUND' });
    expect(classifySlackFailure(requestError(dns))).toEqual({ kind: 'unreachable', why: 'DNS lookup failed' });
    const tls = Object.assign(new Error('unable to verify'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(classifySlackFailure(requestError(tls))).toEqual({
      kind: 'unreachable',
      why: 'TLS failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const refusedTwice = new AggregateError(
      [Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' })],
      'connect failed',
    );
    expect(classifySlackFailure(requestError(refusedTwice))).toEqual({
      kind: 'unreachable',
      why: 'connection refused',
    });
  });

  it('treats HTTP errors other than 5xx, 408 and 429 as final', () => {
    expect(classifySlackFailure(new webApi.WebAPIHTTPError(404, 'Not Found', {}, ''))).toEqual({
      kind: 'unexpected',
      why: 'HTTP 404',
    });
    expect(classifySlackFailure(new webApi.WebAPIHTTPError(502, 'Bad Gateway', {}, ''))).toEqual({
      kind: 'unavailable',
      why: 'HTTP 502',
    });
  });
});
