import { flushCompileCache } from 'node:module';
import { createBot } from './bot.ts';
import { formatConfigProblems, parseConfig, readEnvironment, secretsOf } from './config.ts';
import { StartupError } from './errors.ts';
import { exitOnEscapedErrors } from './last-resort.ts';
import { createLogger } from './logger.ts';

const parsed = parseConfig(readEnvironment());
if (!parsed.ok) {
  process.stderr.write(formatConfigProblems(parsed.problems));
  process.exit(1);
}
const { config } = parsed;
const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
const bot = createBot({ config, logger });

exitOnEscapedErrors({ process, logger, activity: bot.activity });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('Stopping', { signal });
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('Stopping failed', error);
        process.exit(1);
      },
    );
  });
}

try {
  await bot.start();
} catch (error) {
  if (error instanceof StartupError) {
    process.stderr.write(`Cannot start: ${error.message}\n`);
  } else {
    logger.error('Startup failed', error);
  }
  process.exit(1);
}
// npm start turns on Node's compile cache (NODE_COMPILE_CACHE), which Node writes at exit; a bot that is killed
// never exits normally, so write it once the bot is up (a no-op when the cache is off or unchanged).
flushCompileCache();
