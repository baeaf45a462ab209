import type { Logger } from './logger.ts';

/** The part of `process` the last resort uses (tests pass a stand-in). */
export interface FatalEvents {
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  exit(code: number): void;
}

export interface LastResortOptions {
  process: FatalEvents;
  logger: Logger;
  /** What was running: counts and conversation ids only, never message text. */
  activity: () => object;
}

/**
 * The last line of defence. An error that escaped every handler leaves the process in a state nobody designed for,
 * so it is logged with what was running and the process exits non-zero at once, never carrying on half-broken.
 * A supervisor restarts the bot, and the next start tells each person whose request was cut off (the recovery
 * that runs after kill -9). Failures we expect are handled where they happen; this only catches what we missed.
 */
export function exitOnEscapedErrors(options: LastResortOptions): void {
  const { process, logger } = options;
  let exiting = false;
  const fatal = (message: string, escaped: unknown, context: Record<string, unknown>) => {
    if (exiting) return;
    exiting = true;
    try {
      logger.error(message, escaped instanceof Error ? escaped : { reason: String(escaped) }, {
        ...context,
        running: activityOf(options.activity),
      });
    } finally {
      process.exit(1);
    }
  };
  process.on('uncaughtException', (error, origin) =>
    fatal('Uncaught exception; exiting so the supervisor restarts the bot', error, { origin }),
  );
  process.on('unhandledRejection', (reason) =>
    fatal('Unhandled promise rejection; exiting so the supervisor restarts the bot', reason, {}),
  );
}

function activityOf(activity: () => object): object {
  try {
    return activity();
  } catch (error) {
    return { unknown: error instanceof Error ? error.message : String(error) };
  }
}
