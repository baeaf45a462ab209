import { monitorEventLoopDelay } from 'node:perf_hooks';
import { queryObjects } from 'node:v8';
import { Agent } from '@mastra/core/agent';
import { webApi } from '@slack/bolt';
import { createBot } from '../src/bot.ts';
import { parseConfig, readEnvironment, secretsOf } from '../src/config.ts';
import { createWorkQueue, type WorkQueue } from '../src/delivery/work-queue.ts';
import { createLogger } from '../src/logger.ts';
import { createBaselineGateway } from './baseline-gateway.ts';
import type { BotReport, BotRequest, QueueWait } from './protocol.ts';

// The bot as the benchmark runs it: the real composition, in its own process, so its CPU time, event loop and
// memory are its own. BENCH_VARIANT=baseline swaps in the tutorial flow (no caching, get-or-create and list tools
// per message). The benchmark asks over the IPC channel for what only the process itself can see.
const parsed = parseConfig(readEnvironment());
if (!parsed.ok) throw new Error(parsed.problems.join('; '));
const { config } = parsed;
const baseline = process.env.BENCH_VARIANT === 'baseline';
const epochMs = () => performance.timeOrigin + performance.now();

// Waits for a run slot, timed per teammate: queueing is reported apart from what a message costs.
let waits: QueueWait[] = [];
/** The most runs in flight at once since `begin`. */
let peakRunning = 0;
const queue = timedQueue(createWorkQueue({ maxConcurrent: config.maxConcurrentRuns }));
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
// process.threadCpuUsage arrived in Node 22.15 (engines allows 22.13): without it the main-thread figure is NaN.
const threadCpu = (previous?: NodeJS.CpuUsage) =>
  typeof process.threadCpuUsage === 'function'
    ? process.threadCpuUsage(previous)
    : { user: Number.NaN, system: Number.NaN };
let since = { process: process.cpuUsage(), thread: threadCpu() };

const bot = createBot({
  config,
  logger: createLogger({ level: config.logLevel, secrets: secretsOf(config) }),
  queue,
  ...(baseline && { scalekit: createBaselineGateway({ ...config.scalekit }), cacheScalekit: false }),
});
process.on('SIGTERM', () => {
  bot.stop().then(() => process.exit(0));
});
process.on('message', (request: BotRequest) => {
  answer(request).then(
    (report) => process.send?.(report),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
await bot.start();

async function answer(request: BotRequest): Promise<BotReport> {
  switch (request.type) {
    case 'begin':
      since = { process: process.cpuUsage(), thread: threadCpu() };
      loop.reset();
      waits = [];
      peakRunning = 0;
      return { id: request.id };
    case 'end': {
      // Everything the wave started (answers, their last Slack calls, bookkeeping) is finished first.
      await queue.drain(60_000);
      const cpu = process.cpuUsage(since.process);
      const thread = threadCpu(since.thread);
      const report: BotReport = {
        id: request.id,
        processCpuMs: (cpu.user + cpu.system) / 1000,
        threadCpuMs: (thread.user + thread.system) / 1000,
        loopDelay: {
          p50: loop.percentile(50) / 1e6,
          p99: loop.percentile(99) / 1e6,
          max: loop.max / 1e6,
        },
        waits,
        peakRunning,
      };
      return report;
    }
    case 'memory': {
      // Idle memory: what stays once the garbage of the waves is gone (the bench starts us with --expose-gc). The
      // last-resort flavour also empties V8's own caches (compiled scripts, old bytecode), which an ordinary full
      // collection keeps, and which would otherwise show up as memory freed by whatever runs next.
      collect();
      collect();
      const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
      return { id: request.id, heapUsed, heapTotal, external, rss, objects: liveObjects() };
    }
  }
}

/**
 * What each run makes and must let go of: Mastra agents, web streams (model responses), abort controllers (run
 * timeouts and Stop), Slack clients; and the process's active handles (timers, sockets) by kind.
 */
function liveObjects(): Record<string, number> {
  const kinds = { Agent, ReadableStream, AbortController, WebClient: webApi.WebClient };
  const counts: Record<string, number> = {};
  for (const [name, ctor] of Object.entries(kinds)) {
    counts[name] = queryObjects(ctor as unknown as new () => object, { format: 'count' });
  }
  for (const kind of process.getActiveResourcesInfo()) counts[`active ${kind}`] = (counts[`active ${kind}`] ?? 0) + 1;
  return counts;
}

/** node --expose-gc's gc() takes V8's options (not in @types/node). */
function collect(): void {
  (global.gc as unknown as ((options: object) => void) | undefined)?.({
    type: 'major',
    execution: 'sync',
    flavor: 'last-resort',
  });
}

function timedQueue(inner: WorkQueue): WorkQueue {
  return {
    ...inner,
    rateLimited: () => inner.rateLimited(),
    get running() {
      return inner.running;
    },
    get waiting() {
      return inner.waiting;
    },
    get limit() {
      return inner.limit;
    },
    get busyKeys() {
      return inner.busyKeys;
    },
    async acquire(run, onQueued) {
      const start = epochMs();
      let queued = false;
      const release = await inner.acquire(run, (wait) => {
        queued = true;
        onQueued?.(wait);
      });
      peakRunning = Math.max(peakRunning, inner.running);
      if (queued) waits.push({ key: run.key, start, end: epochMs() });
      return release;
    },
  };
}
