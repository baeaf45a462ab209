import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBot } from '../../src/bot.ts';
import { parseConfig } from '../../src/config.ts';
import { StartupError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { emulatorEnv } from '../../src/standins/bot-env.ts';
import { startOpenAIEmulator } from '../../src/standins/model/emulator.ts';
import { startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { postgresMissing } from '../helpers/databases.ts';
import { type Cluster, startCluster } from '../helpers/postgres-cluster.ts';
import { freePort, SIGNING_SECRET, startTestBot, type TestBot } from '../helpers/test-bot.ts';

// PostgreSQL going away under a running bot, and never answering at start: a cluster of this file's own, since the
// shared one cannot be stopped.
describe.skipIf(postgresMissing())('when PostgreSQL goes away', () => {
  let cluster: Cluster;
  let t: TestBot;
  beforeAll(async () => {
    cluster = await startCluster();
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bot');
    await admin.end();
    const url = new URL(cluster.url);
    url.username = 'postgres';
    url.password = 'unused-but-secret';
    url.pathname = '/bot';
    t = await startTestBot({ streaming: false, env: { DATABASE_URL: url.toString() } });
  }, 60_000);
  afterAll(async () => {
    try {
      await t?.stop();
    } finally {
      cluster?.destroy();
    }
  });

  const mention = (ts: string, text: string) => ({
    type: 'app_mention',
    user: 'UFAULT',
    text: `<@UBOT> ${text}`,
    ts,
    channel: 'CFAULT',
  });
  const answersIn = (ts: string) =>
    t.slack
      .callsOf('chat.postMessage')
      .filter((c) => c.params.thread_ts === ts && /Working on it/.test(String(c.params.text)));

  it('says so on /healthz, refuses events so Slack retries them, and answers each once when it is back', async () => {
    const connected = new pg.Client({ connectionString: t.config.databaseUrl });
    await connected.connect();
    const identifier = (
      await connected.query(
        `INSERT INTO identities (team_id, user_id, identifier, created_at) VALUES ($1, 'UFAULT', 'u_fault', 0)
         RETURNING identifier`,
        [t.slack.teamId],
      )
    ).rows[0].identifier as string;
    await connected.end();
    t.scalekit.connectAccount(identifier, t.config.scalekit.connectionName);
    t.model.queue({ text: 'before' });
    const before = t.slack.nextTs();
    expect((await t.sendEvent(mention(before, 'before'), { eventId: 'EvF0' })).status).toBe(200);
    await t.slack.waitForCall('chat.update', (c) => c.params.text === 'before');

    cluster.stop();
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; reason: string };
    expect(body.status).toBe('degraded');
    expect(body.reason).toMatch(/^PostgreSQL postgres@127\.0\.0\.1:\d+\/bot is not answering/);
    expect(body.reason).not.toContain('unused-but-secret');

    const during = t.slack.nextTs();
    const refused = await t.sendEvent(mention(during, 'during'), { eventId: 'EvF1' });
    expect(refused.status).toBeGreaterThanOrEqual(500);

    cluster.start();
    await vi.waitFor(async () => expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200), {
      timeout: 15_000,
      interval: 100,
    });
    t.model.queue({ text: 'after' });
    // Slack's retry of the refused event, then a second one: answered once, without a restart.
    const retry = { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } };
    expect((await t.sendEvent(mention(during, 'during'), { eventId: 'EvF1', ...retry })).status).toBe(200);
    await t.slack.waitForCall('chat.update', (c) => c.params.text === 'after');
    expect((await t.sendEvent(mention(during, 'during'), { eventId: 'EvF1', ...retry })).status).toBe(200);
    await t.waitForLogs((line) => line.includes('Ignored a redelivered message') && line.includes(during));
    expect(answersIn(during)).toHaveLength(1);
    expect(answersIn(before)).toHaveLength(1);
    expect(t.logs.some((line) => line.includes('unused-but-secret'))).toBe(false);
  }, 60_000);
});

describe('when PostgreSQL never answers at start', () => {
  it('retries for a bounded time, then stops with one message naming the host, never the password', async () => {
    const [slack, scalekit, model] = await Promise.all([
      startSlackApiEmulator(),
      startScalekitEmulator(),
      startOpenAIEmulator({ apiKey: 'sk-db' }),
    ]);
    const dbPort = await freePort();
    const port = await freePort();
    const parsed = parseConfig({
      ...emulatorEnv({ slack, scalekit, model, modelKey: 'sk-db', signingSecret: SIGNING_SECRET, port, dbPath: '' }),
      DATABASE_URL: `postgres://bot:hunter2-secret@127.0.0.1:${dbPort}/bot`,
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const logs: string[] = [];
    const bot = createBot({
      config: parsed.config,
      logger: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
      databaseConnectForMs: 1500,
    });
    const starting = bot.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(logs.some((l) => l.includes('PostgreSQL is not answering yet'))).toBe(true));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'starting', reason: 'opening the database' });
    const error = await starting;
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Cannot reach PostgreSQL bot@127\\.0\\.0\\.1:${dbPort}/bot: .*ECONNREFUSED`),
    );
    expect(JSON.stringify(logs)).not.toContain('hunter2-secret');
    await Promise.all([slack.close(), scalekit.close(), model.close()]);
  });
});
