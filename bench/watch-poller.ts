import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAuditLog } from '../src/audit/audit-log.ts';
import { createBot } from '../src/bot.ts';
import { parseConfig } from '../src/config.ts';
import { openSqlite } from '../src/db/sqlite.ts';
import { createIdentityStore } from '../src/identity/identity-store.ts';
import { createLogger } from '../src/logger.ts';
import { emulatorEnv } from '../src/standins/bot-env.ts';
import { startOpenAIEmulator } from '../src/standins/model/emulator.ts';
import { startScalekitEmulator } from '../src/standins/scalekit/emulator.ts';
import { startSlackApiEmulator } from '../src/standins/slack/emulator.ts';
import type { PollTimer } from '../src/watches/poller.ts';
import { createWatchStore } from '../src/watches/watch-store.ts';

// `npm run bench:watch [-- --watches 1000 --minutes 10 --cap 60 --interval-ms 60000 --activity 0.005]`
// The real bot (in this process) holding many watches against the loopback emulators, its poller driven by a
// simulated clock one second at a time, so minutes of polling take seconds. It reports polls per minute (which
// the budget caps), how long a customer's answer waits for its announcement, and the CPU the process spent per
// simulated minute (bot and emulators together: an upper bound for the bot).
const { values: args } = parseArgs({
  options: {
    watches: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '10' },
    cap: { type: 'string', default: '60' },
    'interval-ms': { type: 'string', default: '60000' },
    // The share of watched conversations a customer answers in, each simulated minute.
    activity: { type: 'string', default: '0.005' },
  },
});
const WATCHES = Number(args.watches);
const MINUTES = Number(args.minutes);
const CAP = Number(args.cap);
const ROOT = resolve(import.meta.dirname, '..');

const clock = { at: Date.now() };
const now = () => clock.at;
let scheduled: (() => Promise<void>) | undefined;
const timer: PollTimer = {
  schedule: (_delayMs, pass) => {
    scheduled = pass;
  },
  cancel: () => {
    scheduled = undefined;
  },
};

const slack = await startSlackApiEmulator();
const scalekit = await startScalekitEmulator({ now });
const model = await startOpenAIEmulator({ apiKey: 'sk-bench' });
const dir = mkdtempSync(join(tmpdir(), 'bench-watch-'));
const dbPath = join(dir, 'bot.db');
// Nothing reaches the bot over HTTP here (the clock drives the poller): any port will do.
const port = 0;
const parsed = parseConfig({
  ...emulatorEnv({ slack, scalekit, model, modelKey: 'sk-bench', signingSecret: 'bench-secret', port, dbPath }),
  WATCH_POLL_INTERVAL_MS: String(args['interval-ms']),
  LOG_LEVEL: 'warn',
});
if (!parsed.ok) throw new Error(parsed.problems.join('; '));

// 1,000 watches: 20 teammates' worth each (the most one person may have), each on its own conversation.
const conversations: string[] = [];
{
  const db = openSqlite(dbPath);
  const identities = createIdentityStore(db, { newIdentifier: () => `u_${crypto.randomUUID()}`, now });
  const store = createWatchStore(db, createAuditLog(db));
  const seed = scalekit.intercom.findConversation('215470001');
  if (!seed) throw new Error('the emulator has no seeded conversation');
  for (let i = 0; i < WATCHES; i++) {
    const user = { teamId: slack.teamId, userId: `UBENCH${Math.floor(i / 20)}` };
    scalekit.connectAccount(await identities.identifierFor(user), parsed.config.scalekit.connectionName);
    const copy = structuredClone(seed);
    copy.id = scalekit.intercom.newId();
    scalekit.intercom.conversations.push(copy);
    conversations.push(copy.id);
    await store.create(
      {
        id: `bench-${i}`,
        ...user,
        conversationId: copy.id,
        channel: 'CBENCH',
        threadTs: `1700000000.${String(i).padStart(6, '0')}`,
        createdAt: now(),
        lastActivityAt: now(),
        lastPartId: copy.conversation_parts.conversation_parts.at(-1)?.id ?? null,
        partsSeen: copy.conversation_parts.total_count,
        state: copy.state,
        assignee: copy.admin_assignee_id,
        // Spread over the first interval, as watches started at different times would be.
        nextPollAt: now() + Math.floor((i / WATCHES) * Number(args['interval-ms'])),
        intervalMs: Number(args['interval-ms']),
      },
      20,
    );
  }
  await db.close();
}

const bot = createBot({
  config: parsed.config,
  logger: createLogger({ level: 'warn' }),
  now,
  slackClientOptions: { retryConfig: { retries: 0 } },
  watches: { timer, maxPollsPerMinute: CAP },
});
await bot.start();

// A customer answer waits from when it is written until its thread's announcement.
const answeredAt = new Map<string, number>();
const waits: number[] = [];
slack.onCall((call) => {
  if (call.method !== 'chat.postMessage') return;
  const index = Number(String(call.params.thread_ts).split('.')[1]);
  const conversation = conversations[index];
  const since = conversation === undefined ? undefined : answeredAt.get(conversation);
  if (since !== undefined) {
    waits.push(now() - since);
    answeredAt.delete(conversation as string);
  }
});

const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
const passMs: number[] = [];
for (let second = 0; second < MINUTES * 60; second++) {
  if (second % 60 === 0) {
    for (const id of conversations) {
      if (Math.random() < Number(args.activity) && !answeredAt.has(id)) {
        scalekit.intercom.customerReplies(id, 'Any update on this?');
        answeredAt.set(id, now());
      }
    }
  }
  clock.at += 1000;
  const pass = scheduled;
  if (!pass) throw new Error('the poller scheduled no pass');
  const started = performance.now();
  await pass();
  passMs.push(performance.now() - started);
}
const cpu = process.cpuUsage(cpuBefore);
const wallMs = performance.now() - wallBefore;
await bot.stop();

const polls = scalekit.callsOf('ExecuteTool').filter((c) => c.request.toolName === 'intercom_retrieve_conversation');
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
};
const results = {
  at: new Date().toISOString(),
  watches: WATCHES,
  simulatedMinutes: MINUTES,
  capPerMinute: CAP,
  baseIntervalMs: Number(args['interval-ms']),
  polls: polls.length,
  pollsPerMinuteMean: polls.length / MINUTES,
  pollsPerMinuteMax: scalekit.toolCallsPerMinute('intercom_retrieve_conversation'),
  minutesBetweenPollsOfAWatch: (WATCHES * MINUTES) / Math.max(1, polls.length),
  answers: waits.length + answeredAt.size,
  announced: waits.length,
  announcementWaitP50Min: pct(waits, 50) / 60_000,
  announcementWaitP99Min: pct(waits, 99) / 60_000,
  cpuMsPerSimulatedMinute: (cpu.user + cpu.system) / 1000 / MINUTES,
  passMsP50: pct(passMs, 50),
  passMsP99: pct(passMs, 99),
  wallMs,
};
await Promise.all([slack.close(), scalekit.close(), model.close()]);
rmSync(dir, { recursive: true, force: true });

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', `watch-poller-${results.at.replaceAll(':', '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
const rows: Array<[string, string]> = [
  ['watches', String(WATCHES)],
  ['simulated minutes', String(MINUTES)],
  ['polls / minute (mean, max; cap)', `${results.pollsPerMinuteMean.toFixed(1)}, ${results.pollsPerMinuteMax}; ${CAP}`],
  ['minutes between polls of one watch', results.minutesBetweenPollsOfAWatch.toFixed(1)],
  ['customer answers announced', `${results.announced} of ${results.answers}`],
  [
    'wait for the announcement p50 / p99, min',
    `${results.announcementWaitP50Min.toFixed(1)} / ${results.announcementWaitP99Min.toFixed(1)}`,
  ],
  ['CPU per simulated minute, ms (bot + emulators)', results.cpuMsPerSimulatedMinute.toFixed(0)],
  ['one pass p50 / p99, ms', `${results.passMsP50.toFixed(2)} / ${results.passMsP99.toFixed(2)}`],
];
process.stdout.write(
  `${['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n')}\nRaw results: ${file}\n`,
);
