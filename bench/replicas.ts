import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { createIdentityStore } from '../src/identity/identity-store.ts';
import { emulatorEnv } from '../src/standins/bot-env.ts';
import { type BotProcess, launchBotProcess } from '../src/standins/bot-process.ts';
import { startRoundRobinProxy } from '../src/standins/load-balancer.ts';
import { startOpenAIEmulator } from '../src/standins/model/emulator.ts';
import { startScalekitEmulator } from '../src/standins/scalekit/emulator.ts';
import { startSlackApiEmulator } from '../src/standins/slack/emulator.ts';
import { eventEnvelope, postSigned } from '../src/standins/slack/signed-requests.ts';
import { percentile } from './stats.ts';

// npm run bench:replicas -- --database-url postgres://… [--burst 200 --model-ms 1000 --replicas 1,3]
// A burst of messages from different teammates through a round-robin proxy to N bot processes on one PostgreSQL:
// how fast they are all answered, and how long Slack waits for each acknowledgement. Each process runs at most
// MAX_CONCURRENT_RUNS agent runs at once; past that (or past one machine's CPU), more processes answer a burst sooner.
const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    burst: { type: 'string', default: '200' },
    'model-ms': { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '1,3' },
  },
});
const burst = Number(args.burst);
const counts = String(args.replicas).split(',').map(Number);
const MODEL_KEY = 'sk-bench-replicas';

// A role that may create databases: each round's processes share a fresh one.
const adminUrl: string = args['database-url'] ?? '';
if (!adminUrl)
  throw new Error('npm run bench:replicas -- --database-url postgres://… (a role that may create databases)');
const SIGNING_SECRET = 'bench-replicas-signing-secret';
const post = (base: string, body: unknown) =>
  postSigned(`${base}/slack/events`, JSON.stringify(body), 'application/json', { signingSecret: SIGNING_SECRET });

const mention = (channel: string, user: string, ts: string) =>
  eventEnvelope({ type: 'app_mention', user, text: '<@UBOT> find John', ts, channel });
const slack = await startSlackApiEmulator();
const scalekit = await startScalekitEmulator();
const model = await startOpenAIEmulator({ apiKey: MODEL_KEY, latencyMs: Number(args['model-ms']) });
model.respond(() => ({ text: 'John (john@acme.com) has 2 open conversations.' }));
const upstreams = { slack, scalekit, model, modelKey: MODEL_KEY, signingSecret: SIGNING_SECRET };
const scratch = mkdtempSync(join(tmpdir(), 'bench-replicas-'));

interface Round {
  replicas: number;
  seconds: number;
  perSecond: number;
  ackP50: number;
  ackP99: number;
  ackMax: number;
}
const rounds: Round[] = [];
try {
  for (const replicas of counts) rounds.push(await round(replicas));
} finally {
  await Promise.all([slack.close(), scalekit.close(), model.close()]);
  rmSync(scratch, { recursive: true, force: true });
}

const base = rounds[0];
process.stdout.write(
  `\n${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; burst of ${burst}, model ${args['model-ms']} ms per answer\n\n` +
    '| processes | all answered in | messages/s | vs first row | ack p50 | ack p99 | ack max |\n|---|---|---|---|---|---|---|\n' +
    rounds
      .map(
        (r) =>
          `| ${r.replicas} | ${r.seconds.toFixed(1)} s | ${r.perSecond.toFixed(1)} | ${(r.perSecond / (base?.perSecond ?? 1)).toFixed(2)}× | ${r.ackP50.toFixed(0)} ms | ${r.ackP99.toFixed(0)} ms | ${r.ackMax.toFixed(0)} ms |`,
      )
      .join('\n') +
    '\n',
);

async function round(replicas: number): Promise<Round> {
  const name = `bench_replicas_${replicas}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = { path: join(scratch, `${name}.db`), env: { DATABASE_URL: url.toString() } };
  const bots: BotProcess[] = [];
  try {
    // The schema, then every teammate connected.
    const db = await openDatabase({ path: database.path, url: url.toString() }, { logger: console });
    const identities = createIdentityStore(db, {
      newIdentifier: () => `u_bench_${crypto.randomUUID()}`,
      now: Date.now,
    });
    const channel = `CB${replicas}`;
    const users = Array.from({ length: burst }, (_, i) => `UB${replicas}N${i}`);
    for (const userId of users)
      scalekit.connectAccount(await identities.identifierFor({ teamId: slack.teamId, userId }));
    await db.close();

    const proxy = await startRoundRobinProxy(() => bots.map((b) => b.base));
    const env = {
      PATH: process.env.PATH ?? '',
      MASTRA_TELEMETRY_DISABLED: '1',
      // Port 0: each process takes a free port and logs it when ready.
      ...emulatorEnv({ ...upstreams, port: 0, dbPath: database.path }),
      ...database.env,
      PUBLIC_URL: proxy.url,
    };
    for (let i = 0; i < replicas; i++) bots.push(await launchBotProcess(env));
    try {
      // One message per process first, so no process is cold when the burst comes.
      const warm = bots.map(() => slack.nextTs());
      await Promise.all(warm.map((ts) => post(proxy.url, mention(channel, users[0] ?? '', ts))));
      await Promise.all(warm.map((ts) => slack.waitForAnswer(channel, ts, 1, 60_000)));

      const threads = users.map(() => slack.nextTs());
      const started = performance.now();
      const acks = await Promise.all(
        threads.map(async (ts, i) => {
          const sent = performance.now();
          const response = await post(proxy.url, mention(channel, users[i] ?? '', ts));
          if (response.status !== 200) throw new Error(`acknowledged with ${response.status}`);
          return performance.now() - sent;
        }),
      );
      await Promise.all(threads.map((ts) => slack.waitForAnswer(channel, ts, 1, 300_000)));
      const seconds = (performance.now() - started) / 1000;
      return {
        replicas,
        seconds,
        perSecond: burst / seconds,
        ackP50: percentile(acks, 50),
        ackP99: percentile(acks, 99),
        ackMax: Math.max(...acks),
      };
    } finally {
      await proxy.close();
    }
  } finally {
    for (const bot of bots) {
      bot.child.kill('SIGTERM');
      await once(bot.child, 'exit');
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
