import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { createIdentityStore } from '../src/identity/identity-store.ts';
import { lineChart } from './chart.ts';
import type {
  BotReport,
  BotRequest,
  Delivered,
  Latency,
  MessageKind,
  Outgoing,
  UpstreamsReply,
  UpstreamsRequest,
} from './protocol.ts';
import { percentile, type Spread, slope, spread, unionLength } from './stats.ts';

// `npm run bench [-- --quick | --slow] [--rounds 3 --levels 1,20,100,200 --min-warm 8 --warmup 20
//                  --idle-teammates 60 --slack-ms 30 --scalekit-ms 40 --model-ms 300 --tool-ms 80 --max-concurrent 200
//                  --history 6 --soak 20000 --soak-teammates 2000 --soak-concurrency 200 --variants bot,baseline
//                  --node-options='--trace-gc' --database-url postgres://…]` (node flags for bot and baseline, added
// to npm start's own; BENCH_VERBOSE=1 shows their stdout on stderr). With --database-url (a role that may create
// databases) each round's bot and baseline run on a fresh PostgreSQL database there instead of a SQLite file; the
// table is the same.
//
// --slow is the burst question: the model takes 2 s per step, 20, 100 and 200 teammates ask at once (one round),
// then the soak: 20,000 messages from 2,000 teammates, the heap after GC sampled every 1,000. It writes its figures
// and an SVG chart to docs/bench/ (README embeds the chart) as well as the raw waves to bench/results/.
//
// Three kinds of process: the upstreams (Slack, Scalekit + Intercom, the model; Slack also sends the teammates'
// messages), the bot, and the baseline (the tutorial flow). This one only orchestrates. Each round starts fresh
// processes; within a round, bot and baseline take turns level by level (the order alternates), so both see the
// machine in the same state. Every figure is reported as the median of the rounds and its range.
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    slow: { type: 'boolean', default: false },
    soak: { type: 'string' },
    'soak-teammates': { type: 'string', default: '2000' },
    'soak-concurrency': { type: 'string', default: '200' },
    rounds: { type: 'string' },
    levels: { type: 'string' },
    'min-warm': { type: 'string' },
    'idle-teammates': { type: 'string' },
    warmup: { type: 'string' },
    history: { type: 'string', default: '6' },
    'max-concurrent': { type: 'string', default: '200' },
    'node-options': { type: 'string', default: '' },
    'slack-ms': { type: 'string', default: '30' },
    'scalekit-ms': { type: 'string', default: '40' },
    'model-ms': { type: 'string' },
    'tool-ms': { type: 'string', default: '80' },
    variants: { type: 'string', default: 'bot,baseline' },
    'database-url': { type: 'string' },
  },
});
const postgresUrl = args['database-url'];
const quick = args.quick === true;
const slow = args.slow === true;
const rounds = Number(args.rounds ?? (slow ? 1 : 3));
const levels = String(args.levels ?? (quick ? '1,20' : slow ? '20,100,200' : '1,20,100,200'))
  .split(',')
  .map(Number);
/** Warm messages per level and round at least (small levels repeat their wave). */
const minWarm = Number(args['min-warm'] ?? (quick ? 5 : slow ? 1 : 8));
const historyTurns = Number(args.history);
/** Teammates added (one message each, at the run cap) to measure what each costs once idle. */
const idleTeammates = Number(args['idle-teammates'] ?? (quick ? 40 : slow ? 0 : 100));
/** The soak (bot only, after the levels of the last round): messages, from how many teammates, how many at once. */
const soak = {
  messages: Number(args.soak ?? (slow ? 20_000 : 0)),
  teammates: Number(args['soak-teammates']),
  concurrency: Number(args['soak-concurrency']),
};
const SOAK_SAMPLE_EVERY = 1000;
/** Unmeasured messages first, from ten teammates of their own: a bot that has run for a while has compiled its hot code. */
const warmup = Number(args.warmup ?? 20);
const WARMUP_TEAMMATES = 10;
const latency: Latency = {
  slack: Number(args['slack-ms']),
  scalekit: Number(args['scalekit-ms']),
  model: Number(args['model-ms'] ?? (slow ? 2000 : 300)),
  tool: Number(args['tool-ms']),
};
const variants = String(args.variants).split(',') as Variant[];
type Variant = 'bot' | 'baseline';
const ROOT = resolve(import.meta.dirname, '..');
const KINDS: MessageKind[] = ['mention', 'thread', 'dm'];
const startedAt = new Date();
const loadBefore = loadavg();

/** A line on stderr with the time since the start: the benchmark takes minutes, and says where it is. */
function progress(text: string): void {
  const s = Math.round((Date.now() - startedAt.getTime()) / 1000);
  process.stderr.write(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${text}\n`);
}

// --- processes ---------------------------------------------------------------------------------------------------

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Request/response over a child's IPC channel. */
function rpc<Req extends { type: string }, Rep extends { id: number }>(child: ChildProcess) {
  let next = 1;
  const pending = new Map<number, { resolve: (r: Rep) => void; reject: (e: Error) => void }>();
  child.on('message', (reply: Rep) => {
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
  });
  child.on('exit', (code) => {
    for (const { reject } of pending.values()) reject(new Error(`a benchmark process exited (${code})`));
  });
  return (request: Req) =>
    new Promise<Rep>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
}

/** Every process started, so that a crash here does not leave them running. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function tsProcess(file: string, nodeArgs: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bench', file)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    // BENCH_VERBOSE=1 shows the processes' own output (with --node-options=--trace-gc, say) on stderr.
    stdio: ['ignore', process.env.BENCH_VERBOSE ? process.stderr : 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The node flags and environment defaults of `npm start`, so the bot is measured as it is run. */
function startCommand(): { flags: string[]; env: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [envPart = '', nodePart = ''] = pkg.scripts.start.split(/(?:^|\s)node\s/);
  const env = Object.fromEntries([...envPart.matchAll(/(\w+)=\$\{\w+:-([^}]*)\}/g)].map((m) => [m[1], m[2]]));
  return { flags: nodePart.split(/\s+/).filter((t) => t.startsWith('--')), env };
}

const upstreamsChild = tsProcess('upstreams.ts', startCommand().flags, { BENCH_LATENCY: JSON.stringify(latency) });
const upstreams = rpc<WithoutId<UpstreamsRequest>, UpstreamsReply>(upstreamsChild);
await once(upstreamsChild, 'message');

interface BotProcess {
  variant: Variant;
  child: ChildProcess;
  port: number;
  ask: (request: WithoutId<BotRequest>) => Promise<BotReport>;
  readyMs: number;
}

/** Where a round's bot keeps its state: a SQLite file, or a fresh database on the PostgreSQL server given. */
interface BenchDatabase {
  path: string;
  url?: string;
}

async function freshDatabase(name: string): Promise<BenchDatabase> {
  const path = join(scratch, `${name}.db`);
  if (!postgresUrl) return { path };
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS bench_${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE bench_${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/bench_${name}`;
  return { path, url: url.toString() };
}

async function launch(variant: Variant, env: Record<string, string>, database: BenchDatabase): Promise<BotProcess> {
  const port = await freePort();
  const start = startCommand();
  const started = performance.now();
  const extra = String(args['node-options']).split(/\s+/).filter(Boolean);
  const child = tsProcess('bot-process.ts', [...start.flags, '--expose-gc', ...extra], {
    ...start.env,
    ...env,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_PATH: database.path,
    ...(database.url && { DATABASE_URL: database.url }),
    LOG_LEVEL: 'error',
    BENCH_VARIANT: variant,
    MAX_CONCURRENT_RUNS: String(args['max-concurrent']),
  });
  const ask = rpc<WithoutId<BotRequest>, BotReport>(child);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${variant} exited during startup`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 60_000) throw new Error(`the ${variant} did not become ready`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { variant, child, port, ask, readyMs: performance.now() - started };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Linux's high-water mark of a process's resident memory, which can be reset to measure one level alone. */
function peakRssMb(pid: number | undefined, reset = false): number {
  try {
    if (reset) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

// --- waves -------------------------------------------------------------------------------------------------------

interface WaveResult {
  round: number;
  variant: Variant;
  level: number;
  warm: boolean;
  n: number;
  /** From sending the first message to the bot's work queue having drained. */
  wallMs: number;
  failures: string[];
  processCpuMs: number;
  threadCpuMs: number;
  loopDelayP99: number;
  loopDelayMax: number;
  samples: Record<SampleName, number[]>;
  /** Measured service time per upstream call kind (ms): how far it overshoots the nominal latency. */
  service: Record<string, { n: number; meanMs: number }>;
  /** The most agent runs in flight at once during the wave. */
  peakRunning: number;
}

type SampleName =
  | 'ackMs'
  | 'feedbackMs'
  | 'endToEndMs'
  | 'upstreamMs'
  | 'queuedMs'
  | 'ownMs'
  | 'scalekitCalls'
  | 'modelSteps'
  | 'modelMs'
  | 'modelRequestBytes';

let tagCounter = 0;

async function wave(
  bot: BotProcess,
  team: Team,
  round: number,
  warm: boolean,
  index: number,
  label = `round ${round} ${bot.variant} @${team.users.length}${warm ? ' warm' : ''}`,
): Promise<WaveResult> {
  const messages: Outgoing[] = team.users.map((user, i) => ({
    user,
    identifier: team.identifiers[i] as string,
    kind: KINDS[(i + index) % KINDS.length] as MessageKind,
    tag: `m${++tagCounter}`,
    historyTurns,
  }));
  const started = performance.now();
  await bot.ask({ type: 'begin' });
  const reply = await upstreams({ type: 'wave', port: bot.port, messages, timeoutMs: 180_000 });
  if (reply.type !== 'wave') throw new Error(`upstreams: ${'error' in reply ? reply.error : reply.type}`);
  const report = await bot.ask({ type: 'end' });
  const wallMs = performance.now() - started;
  const answered = reply.delivered.filter((d) => d.answerAt !== undefined && !d.failure);
  progress(
    `${label}: ${answered.length}/${messages.length} answered in ${(wallMs / 1000).toFixed(1)} s, ` +
      `answer p99 ${(
        percentile(
          answered.map((d) => (d.answerAt as number) - d.sentAt),
          99,
        ) / 1000
      ).toFixed(2)} s, ` +
      `first sign of life p99 ${Math.round(
        percentile(
          answered.map((d) => (d.feedbackAt ?? (d.answerAt as number)) - d.sentAt),
          99,
        ),
      )} ms, ` +
      `peak runs ${report.peakRunning ?? '?'}`,
  );
  const waits = new Map((report.waits ?? []).map((w) => [teammateOfQueueKey(w.key), w]));
  const samples = Object.fromEntries(
    [
      'ackMs',
      'feedbackMs',
      'endToEndMs',
      'upstreamMs',
      'queuedMs',
      'ownMs',
      'scalekitCalls',
      'modelSteps',
      'modelMs',
    ].map((k) => [k, [] as number[]]),
  ) as Record<SampleName, number[]>;
  samples.modelRequestBytes = [];
  const service: Record<string, { n: number; totalMs: number }> = {};
  const failures: string[] = [];
  for (const d of reply.delivered) {
    for (const s of d.served) {
      const entry = service[s.kind] ?? { n: 0, totalMs: 0 };
      service[s.kind] = entry;
      entry.n++;
      entry.totalMs += s.end - s.start;
      if (s.kind === 'model' && s.bytes) samples.modelRequestBytes.push(s.bytes);
    }
    if (d.failure || d.answerAt === undefined || d.ackStatus !== 200) {
      failures.push(d.failure ?? `ack ${d.ackStatus}`);
      continue;
    }
    decompose(d, waits.get(d.user), samples);
  }
  return {
    round,
    variant: bot.variant,
    level: team.users.length,
    warm,
    n: messages.length,
    wallMs: round3(wallMs),
    failures,
    processCpuMs: report.processCpuMs ?? Number.NaN,
    threadCpuMs: report.threadCpuMs ?? Number.NaN,
    loopDelayP99: report.loopDelay?.p99 ?? Number.NaN,
    loopDelayMax: report.loopDelay?.max ?? Number.NaN,
    peakRunning: report.peakRunning ?? Number.NaN,
    samples,
    service: Object.fromEntries(
      Object.entries(service).map(([k, v]) => [k, { n: v.n, meanMs: round3(v.totalMs / v.n) }]),
    ),
  };
}

/**
 * End to end splits into: time with a call upstream in flight for this message (measured at the emulators), time
 * waiting for a run slot (measured in the bot) that is not also upstream time, and the rest: the bot working on
 * the message, or waiting for the CPU while it works on others.
 */
function decompose(
  d: Delivered,
  wait: { start: number; end: number } | undefined,
  samples: Record<SampleName, number[]>,
) {
  const answerAt = d.answerAt as number;
  const upstream = d.served.map((s) => [s.start, s.end] as const);
  const upstreamMs = unionLength(upstream, d.sentAt, answerAt);
  const waitingMs = unionLength(wait ? [...upstream, [wait.start, wait.end] as const] : upstream, d.sentAt, answerAt);
  const endToEndMs = answerAt - d.sentAt;
  samples.ackMs.push(d.ackMs);
  samples.feedbackMs.push((d.feedbackAt ?? answerAt) - d.sentAt);
  samples.endToEndMs.push(endToEndMs);
  samples.upstreamMs.push(upstreamMs);
  samples.queuedMs.push(waitingMs - upstreamMs);
  samples.ownMs.push(endToEndMs - waitingMs);
  samples.scalekitCalls.push(d.served.filter((s) => s.kind === 'scalekit').length);
  samples.modelSteps.push(d.served.filter((s) => s.kind === 'model').length);
  // The model's own time for this message: its steps, as the model emulator served them.
  samples.modelMs.push(
    unionLength(
      d.served.filter((s) => s.kind === 'model').map((s) => [s.start, s.end] as const),
      d.sentAt,
      answerAt,
    ),
  );
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

// --- the run -----------------------------------------------------------------------------------------------------

interface Team {
  users: string[];
  identifiers: string[];
}

interface LevelMemory {
  round: number;
  variant: Variant;
  level: number;
  /** Teammates who have sent messages so far in this round (all idle now). */
  teammates: number;
  peakRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  rssMb: number;
}

/** Heap after a full GC, before and after `teammates` more teammates each sent a message and went quiet. */
interface IdleGrowth {
  round: number;
  variant: Variant;
  teammates: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  kbPerTeammate: number;
}

const waves: WaveResult[] = [];
let soakResult: SoakResult | undefined;
const memory: LevelMemory[] = [];
const growth: IdleGrowth[] = [];
const ready: Array<{ round: number; variant: Variant; readyMs: number }> = [];
const scratch = mkdtempSync(join(tmpdir(), 'bench-'));

for (let round = 1; round <= rounds; round++) {
  const reset = await upstreams({ type: 'reset' });
  if (reset.type !== 'reset') throw new Error('upstreams did not reset');
  const bots = new Map<Variant, BotProcess>();
  const teams = new Map<Variant, Team[]>();
  let soakTeam: Team | undefined;
  for (const variant of variants) {
    const database = await freshDatabase(`${variant}_${round}`);
    const prefix = `U${variant === 'bot' ? 'B' : 'T'}${round}`;
    teams.set(variant, await seedTeams(database, reset.teamId, prefix));
    const soaking = variant === 'bot' && round === rounds && soak.messages > 0;
    if (soaking) soakTeam = await seedTeam(database, reset.teamId, `${prefix}S`, soak.teammates);
    const identifiers = [...(teams.get(variant) ?? []), ...(soaking && soakTeam ? [soakTeam] : [])].flatMap(
      (t) => t.identifiers,
    );
    await upstreams({ type: 'connect', identifiers });
    progress(`round ${round}: starting the ${variant}`);
    const bot = await launch(variant, reset.env, database);
    bots.set(variant, bot);
    ready.push({ round, variant, readyMs: bot.readyMs });
  }
  for (const variant of variants) {
    const warmers = teams.get(variant)?.at(-1) as Team;
    for (let sent = 0; sent < warmup; sent += warmers.users.length) {
      await wave(bots.get(variant) as BotProcess, warmers, round, false, sent);
    }
  }
  // Before the levels, whose thousand-odd messages leave garbage and two-minute timers that would blur it.
  for (const variant of idleTeammates > 0 ? (round % 2 === 0 ? [...variants] : [...variants].reverse()) : []) {
    const bot = bots.get(variant) as BotProcess;
    const newcomers = teams.get(variant)?.at(-2) as Team;
    const before = await bot.ask({ type: 'memory' });
    const cap = Number(args['max-concurrent']);
    for (let i = 0; i < newcomers.users.length; i += cap) {
      const chunk = { users: newcomers.users.slice(i, i + cap), identifiers: newcomers.identifiers.slice(i, i + cap) };
      const result = await wave(bot, chunk, round, false, i);
      if (result.failures.length) process.stderr.write(`idle teammates: ${result.failures.length} failed\n`);
    }
    const after = await bot.ask({ type: 'memory' });
    const mb = (bytes?: number) => (bytes ?? Number.NaN) / 2 ** 20;
    growth.push({
      round,
      variant,
      teammates: newcomers.users.length,
      heapBeforeMb: mb(before.heapUsed),
      heapAfterMb: mb(after.heapUsed),
      kbPerTeammate: ((after.heapUsed ?? Number.NaN) - (before.heapUsed ?? Number.NaN)) / 1024 / newcomers.users.length,
    });
  }
  for (const [li, level] of levels.entries()) {
    // Whoever went first last time goes second now.
    const order = (round + li) % 2 === 0 ? [...variants] : [...variants].reverse();
    for (const variant of order) {
      const bot = bots.get(variant) as BotProcess;
      const team = teams.get(variant)?.[li] as Team;
      peakRssMb(bot.child.pid, true);
      // First messages fill the bot's caches; the warm ones after them are what teammates see day to day.
      waves.push(await wave(bot, team, round, false, 0));
      const warmWaves = Math.max(1, Math.ceil(minWarm / level));
      for (let w = 1; w <= warmWaves; w++) waves.push(await wave(bot, team, round, true, w));
      const idle = await bot.ask({ type: 'memory' });
      memory.push({
        round,
        variant,
        level,
        teammates: levels.slice(0, li + 1).reduce((a, b) => a + b, 0),
        peakRssMb: peakRssMb(bot.child.pid),
        heapUsedMb: (idle.heapUsed ?? Number.NaN) / 2 ** 20,
        heapTotalMb: (idle.heapTotal ?? Number.NaN) / 2 ** 20,
        externalMb: (idle.external ?? Number.NaN) / 2 ** 20,
        rssMb: (idle.rss ?? Number.NaN) / 2 ** 20,
      });
      const failed = waves.filter((w) => w.round === round && w.variant === variant && w.level === level);
      const failures = failed.flatMap((w) => w.failures);
      process.stderr.write(
        `round ${round} ${variant} @${level}: ${failed.length} waves${failures.length ? `, ${failures.length} failed: ${failures[0]}` : ''}\n`,
      );
    }
  }
  const soaker = bots.get('bot');
  if (soakTeam && soaker) await runSoak(soaker, soakTeam, round);
  for (const bot of bots.values()) {
    bot.child.kill('SIGTERM');
    await once(bot.child, 'exit');
  }
}
upstreamsChild.disconnect();
rmSync(scratch, { recursive: true, force: true });

async function seedTeam(database: BenchDatabase, teamId: string, prefix: string, size: number): Promise<Team> {
  const db = await openDatabase(database, { logger: { warn: () => {}, error: () => {} } });
  const store = createIdentityStore(db, { newIdentifier: () => `u_bench_${crypto.randomUUID()}`, now: Date.now });
  const users = Array.from({ length: size }, (_, i) => `${prefix}N${i}`);
  const identifiers: string[] = [];
  for (const userId of users) identifiers.push(await store.identifierFor({ teamId, userId }));
  await db.close();
  return { users, identifiers };
}

// --- the soak ----------------------------------------------------------------------------------------------------

interface SoakSample {
  messages: number;
  heapUsedMb: number;
  rssMb: number;
}

interface SoakResult {
  messages: number;
  teammates: number;
  concurrency: number;
  failures: number;
  wallS: number;
  samples: SoakSample[];
  /** Heap after GC, KB per 1,000 messages: over the whole soak, and once every teammate has sent once. */
  heapSlopeKbPer1000: number;
  heapSlopeKbPer1000Warm: number;
  /** Live objects of the kinds each run makes, and the process's active handles, before and after. */
  objectsBefore: Record<string, number>;
  objectsAfter: Record<string, number>;
  answerP99Ms: number;
  peakRssMb: number;
}

/**
 * Many messages from many teammates, at `concurrency` at a time: the heap after a full GC is sampled every
 * SOAK_SAMPLE_EVERY messages and should stay flat; what each run creates (agents, streams, abort controllers,
 * timers, sockets) should be gone afterwards.
 */
async function runSoak(bot: BotProcess, team: Team, round: number): Promise<void> {
  progress(`soak: ${soak.messages} messages from ${team.users.length} teammates, ${soak.concurrency} at a time`);
  const started = performance.now();
  peakRssMb(bot.child.pid, true);
  const sample = async (messages: number): Promise<SoakSample> => {
    const m = await bot.ask({ type: 'memory' });
    return { messages, heapUsedMb: (m.heapUsed ?? Number.NaN) / 2 ** 20, rssMb: (m.rss ?? Number.NaN) / 2 ** 20 };
  };
  const objectsBefore = (await bot.ask({ type: 'memory' })).objects ?? {};
  const samples = [await sample(0)];
  let sent = 0;
  let failures = 0;
  const answers: number[] = [];
  for (let w = 0; sent < soak.messages; w++) {
    const size = Math.min(soak.concurrency, soak.messages - sent);
    const from = sent % team.users.length;
    const pick = Array.from({ length: size }, (_, i) => (from + i) % team.users.length);
    const chunk = {
      users: pick.map((i) => team.users[i] as string),
      identifiers: pick.map((i) => team.identifiers[i] as string),
    };
    const result = await wave(bot, chunk, round, true, w, `soak wave ${w + 1}`);
    failures += result.failures.length;
    answers.push(...result.samples.endToEndMs);
    sent += size;
    if (sent % SOAK_SAMPLE_EVERY === 0 || sent === soak.messages) {
      const s = await sample(sent);
      samples.push(s);
      progress(
        `soak: ${sent}/${soak.messages} messages, heap after GC ${s.heapUsedMb.toFixed(1)} MB, RSS ${s.rssMb.toFixed(0)} MB`,
      );
    }
  }
  const objectsAfter = (await bot.ask({ type: 'memory' })).objects ?? {};
  const kbPer1000 = (points: SoakSample[]) =>
    slope(points.map((p) => [p.messages / 1000, p.heapUsedMb * 1024] as const));
  soakResult = {
    messages: sent,
    teammates: team.users.length,
    concurrency: soak.concurrency,
    failures,
    wallS: Math.round((performance.now() - started) / 1000),
    samples,
    heapSlopeKbPer1000: round3(kbPer1000(samples)),
    heapSlopeKbPer1000Warm: round3(kbPer1000(samples.filter((p) => p.messages >= team.users.length))),
    objectsBefore,
    objectsAfter,
    answerP99Ms: percentile(answers, 99),
    peakRssMb: peakRssMb(bot.child.pid),
  };
  progress(
    `soak done: heap slope ${soakResult.heapSlopeKbPer1000.toFixed(1)} KB per 1,000 messages (${soakResult.heapSlopeKbPer1000Warm.toFixed(1)} once every teammate has sent once), ${failures} failed`,
  );
}

async function seedTeams(database: BenchDatabase, teamId: string, prefix: string): Promise<Team[]> {
  const db = await openDatabase(database, { logger: { warn: () => {}, error: () => {} } });
  const store = createIdentityStore(db, { newIdentifier: () => `u_bench_${crypto.randomUUID()}`, now: Date.now });
  const result: Team[] = [];
  for (const [li, level] of [...levels, idleTeammates, WARMUP_TEAMMATES].entries()) {
    const users = Array.from({ length: level }, (_, i) => `${prefix}L${li}N${i}`);
    const identifiers: string[] = [];
    for (const userId of users) identifiers.push(await store.identifierFor({ teamId, userId }));
    result.push({ users, identifiers });
  }
  await db.close();
  return result;
}

// --- summary -----------------------------------------------------------------------------------------------------

const perRound = (variant: Variant, level: number, warm: boolean) =>
  Array.from({ length: rounds }, (_, r) =>
    waves.filter((w) => w.round === r + 1 && w.variant === variant && w.level === level && w.warm === warm),
  ).filter((ws) => ws.length > 0);

const pooled = (ws: WaveResult[], name: SampleName) => ws.flatMap((w) => w.samples[name]);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Each figure computed per round (from that round's waves), then its median and range over the rounds. */
const FIGURES: Record<string, (ws: WaveResult[]) => number> = {
  cpuMainMsPerMessage: (ws) => sum(ws.map((w) => w.threadCpuMs)) / sum(ws.map((w) => w.n)),
  cpuProcessMsPerMessage: (ws) => sum(ws.map((w) => w.processCpuMs)) / sum(ws.map((w) => w.n)),
  loopDelayP99Ms: (ws) => Math.max(...ws.map((w) => w.loopDelayP99)),
  ackP50Ms: (ws) => percentile(pooled(ws, 'ackMs'), 50),
  ackP99Ms: (ws) => percentile(pooled(ws, 'ackMs'), 99),
  feedbackP50Ms: (ws) => percentile(pooled(ws, 'feedbackMs'), 50),
  feedbackP99Ms: (ws) => percentile(pooled(ws, 'feedbackMs'), 99),
  endToEndP50Ms: (ws) => percentile(pooled(ws, 'endToEndMs'), 50),
  endToEndP99Ms: (ws) => percentile(pooled(ws, 'endToEndMs'), 99),
  upstreamP50Ms: (ws) => percentile(pooled(ws, 'upstreamMs'), 50),
  queuedP50Ms: (ws) => percentile(pooled(ws, 'queuedMs'), 50),
  queuedP99Ms: (ws) => percentile(pooled(ws, 'queuedMs'), 99),
  ownP50Ms: (ws) => percentile(pooled(ws, 'ownMs'), 50),
  ownP99Ms: (ws) => percentile(pooled(ws, 'ownMs'), 99),
  scalekitCallsPerMessage: (ws) => sum(pooled(ws, 'scalekitCalls')) / pooled(ws, 'scalekitCalls').length,
  modelStepsPerMessage: (ws) => sum(pooled(ws, 'modelSteps')) / pooled(ws, 'modelSteps').length,
  modelRequestKb: (ws) => sum(pooled(ws, 'modelRequestBytes')) / pooled(ws, 'modelRequestBytes').length / 1024,
  modelOwnP50Ms: (ws) => percentile(pooled(ws, 'modelMs'), 50),
  /** Time to answer p99 against the model's own time for a message (its steps, median): the burst's overhead. */
  answerP99OverModel: (ws) => percentile(pooled(ws, 'endToEndMs'), 99) / percentile(pooled(ws, 'modelMs'), 50),
  peakRunning: (ws) => Math.max(...ws.map((w) => w.peakRunning)),
  failures: (ws) => sum(ws.map((w) => w.failures.length)),
};

interface LevelSummary {
  warm: Record<string, Spread>;
  first: Record<string, Spread>;
  memory: { peakRssMb: Spread };
}

function summarize(variant: Variant) {
  const byLevel: Record<string, LevelSummary> = {};
  for (const level of levels) {
    const phase = (warm: boolean) =>
      Object.fromEntries(
        Object.entries(FIGURES).map(([name, f]) => [name, roundSpread(spread(perRound(variant, level, warm).map(f)))]),
      );
    const mem = memory.filter((m) => m.variant === variant && m.level === level);
    byLevel[level] = {
      warm: phase(true),
      first: phase(false),
      memory: { peakRssMb: roundSpread(spread(mem.map((m) => m.peakRssMb))) },
    };
  }
  return {
    readyMs: roundSpread(spread(ready.filter((r) => r.variant === variant).map((r) => r.readyMs))),
    idleGrowthKbPerTeammate: roundSpread(
      spread(growth.filter((g) => g.variant === variant).map((g) => g.kbPerTeammate)),
    ),
    peakRssMb: roundSpread(spread(rangeOfRounds(variant).map((ms) => Math.max(...ms.map((m) => m.peakRssMb))))),
    levels: byLevel,
  };
}

function rangeOfRounds(variant: Variant) {
  return Array.from({ length: rounds }, (_, r) => memory.filter((m) => m.variant === variant && m.round === r + 1));
}

function roundSpread(s: Spread): Spread {
  const r = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : n);
  return { median: r(s.median), min: r(s.min), max: r(s.max) };
}

const service: Record<string, { n: number; meanMs: number }> = {};
for (const w of waves) {
  for (const [kind, s] of Object.entries(w.service)) {
    const entry = service[kind] ?? { n: 0, meanMs: 0 };
    service[kind] = entry;
    entry.meanMs = (entry.meanMs * entry.n + s.meanMs * s.n) / (entry.n + s.n);
    entry.n += s.n;
  }
}

const results = {
  at: startedAt.toISOString(),
  durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: { cpus: cpus().length, node: process.version, loadBefore, loadAfter: loadavg() },
  settings: {
    rounds,
    levels,
    minWarm,
    warmup,
    idleTeammates,
    historyTurns,
    latency,
    maxConcurrent: Number(args['max-concurrent']),
    database: postgresUrl ? 'postgres' : 'sqlite',
    nodeOptions: String(args['node-options']),
    startFlags: startCommand().flags,
  },
  /** Mean measured service time per upstream call, against the nominal latency above. */
  service,
  summary: Object.fromEntries(variants.map((v) => [v, summarize(v)])),
  soak: soakResult,
  ready,
  memory,
  growth,
  waves,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', `${startedAt.toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 1));
const published = slow ? publish() : undefined;
process.stdout.write(`${table()}\nRaw results: ${file}\n${published ? `Figures and chart: ${published}\n` : ''}`);

/**
 * The slow-model figures README quotes, as JSON, and the chart it embeds (time to answer and first sign of life
 * against teammates at once, the bot beside the seed flow), in docs/bench/.
 */
function publish(): string {
  const summary = results.summary as Record<Variant, ReturnType<typeof summarize>>;
  const pick = (variant: Variant, level: number, key: string) => summary[variant]?.levels[level]?.warm[key]?.median;
  const dir = join(ROOT, 'docs', 'bench');
  mkdirSync(dir, { recursive: true });
  const figures = {
    at: results.at,
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: results.machine,
    settings: results.settings,
    levels: Object.fromEntries(
      levels.map((level) => [
        level,
        Object.fromEntries(
          variants.map((v) => [
            v,
            {
              answerP50Ms: pick(v, level, 'endToEndP50Ms'),
              answerP99Ms: pick(v, level, 'endToEndP99Ms'),
              firstSignOfLifeP50Ms: pick(v, level, 'feedbackP50Ms'),
              firstSignOfLifeP99Ms: pick(v, level, 'feedbackP99Ms'),
              modelOwnP50Ms: pick(v, level, 'modelOwnP50Ms'),
              answerP99OverModel: pick(v, level, 'answerP99OverModel'),
              queuedP99Ms: pick(v, level, 'queuedP99Ms'),
              peakRunsInFlight: pick(v, level, 'peakRunning'),
              peakRssMb: summary[v]?.levels[level]?.memory.peakRssMb.median,
              failures: pick(v, level, 'failures'),
            },
          ]),
        ),
      ]),
    ),
    soak: soakResult && { ...soakResult, samples: soakResult.samples },
  };
  writeFileSync(join(dir, 'slow-model.json'), `${JSON.stringify(figures, null, 1)}\n`);
  const series = (v: Variant, key: string, scale: number) =>
    levels.map((level) => [level, (pick(v, level, key) ?? Number.NaN) / scale] as [number, number]);
  const style: Record<Variant, { name: string; color: string; dashed?: boolean }> = {
    bot: { name: 'the bot', color: '#1264a3' },
    baseline: { name: 'seed flow', color: '#e01e5a', dashed: true },
  };
  const modelS = (pick('bot', levels.at(-1) as number, 'modelOwnP50Ms') ?? Number.NaN) / 1000;
  const svg = lineChart({
    title: `Bursts with a slow model (${latency.model / 1000} s per step): p99 per message`,
    subtitle: `${results.at.slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} CPUs, MAX_CONCURRENT_RUNS=${args['max-concurrent']}; warm messages, two model steps and one Intercom call each`,
    xLabel: 'teammates asking at once',
    panels: [
      {
        title: 'Time to answer',
        unit: 'seconds',
        series: variants.map((v) => ({ ...style[v], points: series(v, 'endToEndP99Ms', 1000) })),
        marks: Number.isFinite(modelS)
          ? [
              { label: `the model's own time ${modelS.toFixed(1)} s`, value: modelS },
              { label: 'target 1.3×', value: modelS * 1.3 },
            ]
          : [],
      },
      {
        title: 'First sign of life',
        unit: 'milliseconds',
        series: variants.map((v) => ({ ...style[v], points: series(v, 'feedbackP99Ms', 1) })),
        marks: [{ label: 'target 300 ms', value: 300 }],
      },
    ],
  });
  writeFileSync(join(dir, 'slow-model.svg'), `${svg}\n`);
  return dir;
}

function table(): string {
  const summary = results.summary as Record<Variant, ReturnType<typeof summarize>>;
  const fmt = (s?: Spread) => {
    if (!s || !Number.isFinite(s.median)) return '–';
    const n = (x: number) => (Math.abs(x) < 10 ? x.toFixed(1) : Math.round(x).toString());
    return s.min === s.max ? n(s.median) : `${n(s.median)} (${n(s.min)}–${n(s.max)})`;
  };
  const ratio = (a?: Spread, b?: Spread) =>
    a && b && Number.isFinite(a.median) && b.median ? (a.median / b.median).toFixed(2) : '–';
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const rows = [
    `${rounds} rounds on ${postgresUrl ? 'PostgreSQL' : 'SQLite'}; median (min–max) of the per-round figures. Load average before ${load(loadBefore)}, after ${load(loadavg())} (${cpus().length} CPUs).`,
    `Nominal latency: Slack ${latency.slack} ms, Scalekit ${latency.scalekit} ms, model ${latency.model} ms/step, Intercom tool ${latency.tool} ms. Measured mean service: ${Object.entries(
      service,
    )
      .map(([k, s]) => `${k} ${s.meanMs.toFixed(1)} ms`)
      .join(', ')}.`,
    '',
    '| teammates | figure (warm messages) | bot | baseline | bot / baseline |',
    '|---|---|---|---|---|',
  ];
  const bot = summary.bot;
  const base = summary.baseline;
  const row = (level: string, name: string, a?: Spread, b?: Spread) =>
    rows.push(`| ${level} | ${name} | ${fmt(a)} | ${fmt(b)} | ${ratio(a, b)} |`);
  const warmRows: Array<[string, string]> = [
    ['main-thread CPU / message (ms)', 'cpuMainMsPerMessage'],
    ['process CPU / message (ms)', 'cpuProcessMsPerMessage'],
    ['event-loop delay p99 (ms)', 'loopDelayP99Ms'],
    ['ack p99 (ms)', 'ackP99Ms'],
    ['first feedback p99 (ms)', 'feedbackP99Ms'],
    ['end to end p50 (ms)', 'endToEndP50Ms'],
    ['of which upstream p50 (ms)', 'upstreamP50Ms'],
    ['of which queued p50 / p99 (ms)', 'queuedP50Ms'],
    ['of which the bot p50 (ms)', 'ownP50Ms'],
    ['of which the bot p99 (ms)', 'ownP99Ms'],
    ['Scalekit calls / message (excl. tools)', 'scalekitCallsPerMessage'],
  ];
  for (const level of levels) {
    for (const [name, key] of warmRows) {
      if (key === 'queuedP50Ms') {
        const pair = (s?: ReturnType<typeof summarize>) =>
          s ? `${fmt(s.levels[level]?.warm.queuedP50Ms)} / ${fmt(s.levels[level]?.warm.queuedP99Ms)}` : '–';
        rows.push(`| ${level} | ${name} | ${pair(bot)} | ${pair(base)} | |`);
        continue;
      }
      row(String(level), name, bot?.levels[level]?.warm[key], base?.levels[level]?.warm[key]);
    }
    row(
      String(level),
      'main-thread CPU / first message (ms)',
      bot?.levels[level]?.first.cpuMainMsPerMessage,
      base?.levels[level]?.first.cpuMainMsPerMessage,
    );
    row(
      String(level),
      'peak RSS at this level (MB)',
      bot?.levels[level]?.memory.peakRssMb,
      base?.levels[level]?.memory.peakRssMb,
    );
  }
  row(
    '–',
    'model request size (KB)',
    bot?.levels[levels[0] as number]?.warm.modelRequestKb,
    base?.levels[levels[0] as number]?.warm.modelRequestKb,
  );
  row('–', 'heap growth / idle teammate (KB)', bot?.idleGrowthKbPerTeammate, base?.idleGrowthKbPerTeammate);
  row('–', 'start to ready (ms)', bot?.readyMs, base?.readyMs);
  const failures = waves.flatMap((w) => w.failures);
  if (failures.length) rows.push('', `${failures.length} messages failed, e.g. ${failures[0]}`);
  return rows.join('\n');
}

/**
 * Whose message waited, from the work queue's key: a top-level DM's `dm:<team>:<user>`, or a thread's
 * `<channel>:<ts>`, where the bench names channels `C<user>W<wave>` (or `D…` for DMs).
 */
function teammateOfQueueKey(key: string): string | undefined {
  return key.startsWith('dm:') ? key.split(':')[2] : /^[CD](.+)W\d+:/.exec(key)?.[1];
}
