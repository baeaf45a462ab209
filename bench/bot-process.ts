import { createBot } from '../src/bot.ts';
import { parseConfig, readEnvironment, secretsOf } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createBaselineGateway } from './baseline-gateway.ts';

// The bot as the benchmark runs it: the real composition, in its own process so its memory can be measured.
// BENCH_VARIANT=baseline swaps in the tutorial flow (no caching, get-or-create and list tools per message).
const parsed = parseConfig(readEnvironment());
if (!parsed.ok) throw new Error(parsed.problems.join('; '));
const { config } = parsed;
const baseline = process.env.BENCH_VARIANT === 'baseline';
const bot = createBot({
  config,
  logger: createLogger({ level: config.logLevel, secrets: secretsOf(config) }),
  maxConcurrentRuns: Number(process.env.BENCH_MAX_CONCURRENT ?? 20),
  ...(baseline && { scalekit: createBaselineGateway({ ...config.scalekit }), cacheScalekit: false }),
});
process.on('SIGTERM', () => {
  bot.stop().then(() => process.exit(0));
});
await bot.start();
