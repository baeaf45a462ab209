import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.ts';
import { createSqliteIdentityStore } from '../src/identity/identity-store.ts';
import { startOpenAIEmulator, toolResults } from '../src/standins/model/emulator.ts';
import { startScalekitEmulator } from '../src/standins/scalekit/emulator.ts';
import { type SlackCall, startSlackApiEmulator } from '../src/standins/slack/emulator.ts';
import { eventEnvelope, slackSignature } from '../src/standins/slack/signed-requests.ts';
import { emulatorEnv } from '../test/helpers/bot-env.ts';
import { freePort } from '../test/helpers/test-bot.ts';

// `npm run bench [-- --levels 1,20,100,200 --slack-ms 30 --scalekit-ms 40 --model-ms 300 --tool-ms 80
//                  --max-concurrent 20 --node-options '--max-old-space-size=256' --variants bot,baseline]`
// Runs the real bot (and the tutorial-style baseline) as child processes against the loopback emulators with
// emulated upstream latency, and reports what the bot itself adds.
const { values: args } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,20,100,200' },
    'max-concurrent': { type: 'string', default: '20' },
    'node-options': { type: 'string', default: '' },
    'slack-ms': { type: 'string', default: '30' },
    'scalekit-ms': { type: 'string', default: '40' },
    'model-ms': { type: 'string', default: '300' },
    'tool-ms': { type: 'string', default: '80' },
    variants: { type: 'string', default: 'bot,baseline' },
  },
});
const latency = {
  slack: Number(args['slack-ms']),
  scalekit: Number(args['scalekit-ms']),
  model: Number(args['model-ms']),
  tool: Number(args['tool-ms']),
};
const levels = String(args.levels).split(',').map(Number);
const variants = String(args.variants).split(',') as Array<'bot' | 'baseline'>;
const SIGNING_SECRET = 'bench-signing-secret';
const identifiers = new Map<string, string>();
const ROOT = resolve(import.meta.dirname, '..');

const slack = await startSlackApiEmulator({ latencyMs: latency.slack });
const scalekit = await startScalekitEmulator({ latencyMs: latency.scalekit, toolLatencyMs: latency.tool });
const model = await startOpenAIEmulator({ apiKey: 'sk-bench', latencyMs: latency.model });
// Every message: look John up, then answer. Two model steps and one Intercom tool call.
model.respond((req) =>
  toolResults(req).length === 0
    ? {
        toolCalls: [
          {
            name: 'intercom_search_contacts',
            args: { query: { field: 'email', operator: '=', value: 'john@acme.com' } },
          },
        ],
      }
    : { text: 'John Smith (john@acme.com) has 2 open conversations.' },
);

// Per channel (one per teammate): resolves when the bot posts its working message, then its answer.
const watchers = new Map<
  string,
  { working: (c: SlackCall) => void; answer: (c: SlackCall) => void; workingTs?: string }
>();
slack.onCall((call) => {
  const watcher = watchers.get(String(call.params.channel));
  if (!watcher) return;
  if (call.method === 'chat.postMessage' && !watcher.workingTs && call.response?.ts) {
    watcher.workingTs = String(call.response.ts);
    watcher.working(call);
  } else if (
    call.method === 'chat.update' &&
    call.params.ts === watcher.workingTs &&
    String(call.params.text).startsWith('John Smith')
  ) {
    watcher.answer(call);
  }
});

interface Sample {
  ackMs: number;
  feedbackMs: number;
  endToEndMs: number;
  upstreamMs: number;
  scalekitCalls: number;
}

const results: Record<string, unknown> = { latency, levels, at: new Date().toISOString(), variants: {} };

for (const variant of variants) {
  const dbPath = join(mkdtempSync(join(tmpdir(), `bench-${variant}-`)), 'bot.db');
  // Fresh teammates for every level, so each level's first messages are really first.
  const totalUsers = levels.reduce((a, b) => a + b, 0);
  const users = Array.from({ length: totalUsers }, (_, i) => `UB${variant.slice(0, 2).toUpperCase()}${i}`);
  seedIdentities(dbPath, users);
  const port = await freePort();
  const started = performance.now();
  const child = launch(variant, dbPath, port);
  await waitReady(port, child);
  const readyMs = performance.now() - started;

  const perLevel: Record<string, unknown> = {};
  let offset = 0;
  for (const level of levels) {
    const team = users.slice(offset, offset + level);
    offset += level;
    // A first message per teammate warms what the bot caches; later ones are what teammates see day to day.
    // Small levels repeat, so their percentiles rest on at least 20 messages.
    const cold = await round(port, team, `${variant} cold`);
    const warm: Sample[] = [];
    for (let r = 0; r < Math.ceil(20 / level); r++) warm.push(...(await round(port, team, `${variant} warm${r}`)));
    perLevel[level] = { cold: summarize(cold), warm: summarize(warm) };
    process.stderr.write(`${variant} @${level}: done\n`);
  }
  const peakRssMb = peakRss(child);
  child.kill('SIGTERM');
  await once(child, 'exit');
  (results.variants as Record<string, unknown>)[variant] = { readyMs, peakRssMb, levels: perLevel };
}

await Promise.all([slack.close(), scalekit.close(), model.close()]);
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', `${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
process.stdout.write(`${table(results)}\nRaw results: ${file}\n`);

// --- one round: every teammate sends one message at once ------------------------------------------------------

async function round(port: number, team: string[], tag: string): Promise<Sample[]> {
  const sends = team.map(async (user, i) => {
    const ts = slack.nextTs();
    const channel = `C${user}`;
    const text = `${tag} ${i}: summarize john@acme.com`;
    const identifier = identifierOf(user);
    const scalekitBefore = scalekit.calls.length;
    const body = JSON.stringify(eventEnvelope({ type: 'app_mention', user, text: `<@UBOT> ${text}`, ts, channel }));
    let onWorking: (c: SlackCall) => void = () => {};
    let onAnswer: (c: SlackCall) => void = () => {};
    const seen = Promise.all([
      new Promise<SlackCall>((r) => {
        onWorking = r;
      }),
      new Promise<SlackCall>((r) => {
        onAnswer = r;
      }),
    ]);
    watchers.set(channel, { working: onWorking, answer: onAnswer });
    const timestamp = Math.floor(Date.now() / 1000);
    const sent = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
      },
    });
    const ackMs = performance.now() - sent;
    await res.body?.cancel();
    const [working, answer] = await seen;
    watchers.delete(channel);
    const mine = scalekit.calls.slice(scalekitBefore).filter((c) => c.request.identifier === identifier);
    const control = mine.filter((c) => c.rpc !== 'ExecuteTool').length;
    const tools = mine.length - control;
    const modelSteps = model.requests.filter((r) =>
      r.messages.some((m) => m.role === 'user' && m.text === text),
    ).length;
    // Progress edits are fire-and-forget, and the clock stops when the answer reaches Slack (before Slack's own
    // emulated response time), so only the Slack calls the run waited on before that count.
    const slackCalls = slack.calls.filter(
      (c) => c.params.channel === channel && c.at >= sent && c.at < answer.at && c.method !== 'chat.update',
    ).length;
    return {
      ackMs,
      feedbackMs: working.at - sent,
      endToEndMs: answer.at - sent,
      // The emulated time this message waited on: its model steps, Scalekit and Intercom calls, Slack calls.
      upstreamMs:
        modelSteps * latency.model +
        control * latency.scalekit +
        tools * (latency.scalekit + latency.tool) +
        slackCalls * latency.slack,
      scalekitCalls: control,
    };
  });
  return Promise.all(sends);
}

// --- helpers -------------------------------------------------------------------------------------------------

function launch(variant: string, dbPath: string, port: number): ChildProcess {
  return spawn(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', join(ROOT, 'bench', 'bot-process.ts')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        MASTRA_TELEMETRY_DISABLED: '1',
        BENCH_VARIANT: variant,
        BENCH_MAX_CONCURRENT: String(args['max-concurrent']),
        NODE_OPTIONS: String(args['node-options']),
        ...emulatorEnv({ slack, scalekit, model, modelKey: 'sk-bench', signingSecret: SIGNING_SECRET, port, dbPath }),
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) throw new Error('the bot exited during startup');
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the bot did not become ready');
}

function seedIdentities(dbPath: string, users: string[]): void {
  const db = openDatabase(dbPath);
  const store = createSqliteIdentityStore(db, { newIdentifier: () => `u_bench_${crypto.randomUUID()}`, now: Date.now });
  for (const user of users) {
    const identifier = store.identifierFor({ teamId: slack.teamId, userId: user });
    identifiers.set(user, identifier);
    scalekit.connectAccount(identifier);
  }
  db.close();
}
function identifierOf(user: string): string {
  return identifiers.get(user) ?? '';
}

/** Peak resident set size of a process, from Linux's own accounting. */
function peakRss(child: ChildProcess): number | undefined {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function summarize(samples: Sample[]) {
  const pick = (key: keyof Sample) => samples.map((s) => s[key]);
  const overhead = samples.map((s) => s.endToEndMs - s.upstreamMs);
  return {
    n: samples.length,
    ackP50: percentile(pick('ackMs'), 50),
    ackP99: percentile(pick('ackMs'), 99),
    feedbackP50: percentile(pick('feedbackMs'), 50),
    feedbackP99: percentile(pick('feedbackMs'), 99),
    endToEndP50: percentile(pick('endToEndMs'), 50),
    endToEndP99: percentile(pick('endToEndMs'), 99),
    overheadP50: percentile(overhead, 50),
    overheadP99: percentile(overhead, 99),
    scalekitCallsPerMessage: pick('scalekitCalls').reduce((a, b) => a + b, 0) / samples.length,
  };
}

function table(all: typeof results): string {
  const v = all.variants as Record<
    string,
    {
      readyMs: number;
      peakRssMb?: number;
      levels: Record<string, { warm: ReturnType<typeof summarize>; cold: ReturnType<typeof summarize> }>;
    }
  >;
  const bot = v.bot;
  const base = v.baseline;
  const rows: string[] = [
    `latency: Slack ${latency.slack} ms, Scalekit ${latency.scalekit} ms/call, model ${latency.model} ms/step, Intercom tool ${latency.tool} ms`,
    '',
    '| teammates | figure (warm message) | bot | baseline | bot / baseline |',
    '|---|---|---|---|---|',
  ];
  const fmt = (n: number | undefined) =>
    n === undefined || Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : Math.round(n).toString();
  const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? '–' : (a / b).toFixed(2));
  for (const level of levels) {
    const a = bot?.levels[level];
    const b = base?.levels[level];
    const figures: Array<[string, (s: ReturnType<typeof summarize>) => number]> = [
      ['ack p50 / ms', (s) => s.ackP50],
      ['ack p99 / ms', (s) => s.ackP99],
      ['first feedback p50 / ms', (s) => s.feedbackP50],
      ['first feedback p99 / ms', (s) => s.feedbackP99],
      ['end to end p50 / ms', (s) => s.endToEndP50],
      ['end to end p99 / ms', (s) => s.endToEndP99],
      ['bot overhead p50 / ms', (s) => s.overheadP50],
      ['bot overhead p99 / ms', (s) => s.overheadP99],
      ['Scalekit calls / message (excl. tools)', (s) => s.scalekitCallsPerMessage],
    ];
    for (const [name, get] of figures) {
      const x = a ? get(a.warm) : undefined;
      const y = b ? get(b.warm) : undefined;
      rows.push(`| ${level} | ${name} | ${fmt(x)} | ${fmt(y)} | ${ratio(x, y)} |`);
    }
    const xc = a?.cold.scalekitCallsPerMessage;
    const yc = b?.cold.scalekitCallsPerMessage;
    rows.push(`| ${level} | Scalekit calls / first message | ${fmt(xc)} | ${fmt(yc)} | ${ratio(xc, yc)} |`);
  }
  rows.push(
    `| – | peak RSS / MB | ${fmt(bot?.peakRssMb)} | ${fmt(base?.peakRssMb)} | ${ratio(bot?.peakRssMb, base?.peakRssMb)} |`,
  );
  rows.push(
    `| – | cold start to ready / ms | ${fmt(bot?.readyMs)} | ${fmt(base?.readyMs)} | ${ratio(bot?.readyMs, base?.readyMs)} |`,
  );
  return rows.join('\n');
}
