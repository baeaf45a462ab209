import type { IMastraLogger } from '@mastra/core/logger';
import { describeError, type Logger } from '../logger.ts';

/**
 * Mastra's internal logs go through our logger. Only messages and error descriptions pass: Mastra attaches
 * objects such as provider request bodies (the prompt, customer data) that do not belong in logs.
 */
export function toMastraLogger(logger: Logger): IMastraLogger {
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
