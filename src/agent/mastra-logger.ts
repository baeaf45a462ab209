import type { Agent } from '@mastra/core/agent';
import type { IMastraLogger } from '@mastra/core/logger';
import { describeError, type Logger } from '../logger.ts';

/**
 * Routes an agent's own logs through ours. Mastra's only non-deprecated way to hand a lone Agent a logger is
 * `__setLogger` (registering it with a `Mastra` instance wraps the logger in a deprecated adapter that warns on every
 * start), so @mastra/core is pinned exactly and test/agent/mastra-logger.test.ts fails if an upgrade breaks this.
 */
export function attachLogger(agent: Agent, logger: Logger): void {
  agent.__setLogger(toMastraLogger(logger));
}

/**
 * Mastra's internal logs go through our logger. Only messages and error descriptions pass: Mastra attaches
 * objects such as provider request bodies (the prompt, customer data) that do not belong in logs.
 */
function toMastraLogger(logger: Logger): IMastraLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...args: unknown[]) => {
      const errors = args.filter((a): a is Error => a instanceof Error).map(describeError);
      logger[level](`mastra: ${message}`, errors.length > 0 ? { errors } : {});
    };
  const noLogs = async () => ({ logs: [], total: 0, page: 1, perPage: 0, hasMore: false });
  return {
    trackException: () => {},
    getTransports: () => new Map(),
    listLogs: noLogs,
    listLogsByRunId: noLogs,
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}
