import { setTimeout as sleep } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import { StartupError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface StartupCheckOptions {
  /** SLACK_API_URL: its host is named in every failure. */
  apiUrl: string;
  logger: Logger;
  /** The waits between attempts while Slack cannot be reached; there is one attempt more than waits. */
  retryDelaysMs?: readonly number[];
  /** How long one attempt may take. */
  attemptTimeoutMs?: number;
}

/**
 * About 7.5 s of waiting over five attempts, at most ~33 s if every attempt times out: long enough for a network
 * blip or a sidecar proxy that starts after us, short enough that a real outage is reported while someone watches.
 */
const STARTUP_RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000, 4000];
const ATTEMPT_TIMEOUT_MS = 5000;

/** Why a call to Slack failed, in the terms an operator acts on. */
export type SlackFailure =
  /** Slack answered and refused the token: retrying cannot help. */
  | { kind: 'rejected'; code: string }
  /** No answer at all: refused, DNS, timeout, TLS. */
  | { kind: 'unreachable'; why: string }
  /** An answer, but not a usable one: 5xx, rate limits, Slack's own internal errors. */
  | { kind: 'unavailable'; why: string }
  /** An answer that retrying will not change, such as a 404 from a wrong SLACK_API_URL. */
  | { kind: 'unexpected'; why: string };

export interface BotIdentity {
  userId: string;
  botId: string;
  url?: string;
}

/** auth.test with SLACK_BOT_TOKEN, retried briefly while Slack cannot be reached. Throws StartupError. */
export async function checkBotToken(token: string, options: StartupCheckOptions): Promise<BotIdentity> {
  const auth = await callSlack(token, options, {
    tokenName: 'SLACK_BOT_TOKEN',
    method: 'auth.test',
    call: (client) => client.auth.test(),
  });
  if (!auth.user_id || !auth.bot_id) {
    throw new StartupError('SLACK_BOT_TOKEN is not a bot token: auth.test named no bot user. Use the xoxb- token.');
  }
  return { userId: auth.user_id, botId: auth.bot_id, url: auth.url };
}

/**
 * apps.connections.open with SLACK_APP_TOKEN, as Socket Mode will call it: Bolt's Socket Mode client gives up on a
 * bad token with a bare error and retries an unreachable Slack for minutes, so we ask first. The URL it hands out
 * is left unused (Slack lets it expire).
 */
export async function checkAppToken(appToken: string, options: StartupCheckOptions): Promise<void> {
  await callSlack(appToken, options, {
    tokenName: 'SLACK_APP_TOKEN',
    method: 'apps.connections.open',
    call: (client) => client.apps.connections.open(),
  });
}

async function callSlack<T>(
  token: string,
  options: StartupCheckOptions,
  request: { tokenName: string; method: string; call: (client: webApi.WebClient) => Promise<T> },
): Promise<T> {
  const { tokenName, method } = request;
  const host = slackHost(options.apiUrl);
  const logger = options.logger.child({ upstream: 'Slack', host });
  const delays = options.retryDelaysMs ?? STARTUP_RETRY_DELAYS_MS;
  const client = new webApi.WebClient(token, {
    slackApiUrl: options.apiUrl,
    timeout: options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS,
    // Our loop below is the only retry: the client's own policy would wait up to five minutes, silently.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await request.call(client);
    } catch (error) {
      const failure = classifySlackFailure(error);
      if (failure.kind === 'rejected') {
        throw new StartupError(`Slack rejected ${tokenName} (${failure.code}). ${TOKEN_HINTS[tokenName] ?? ''}`, {
          cause: error,
        });
      }
      const problem = describeFailure(host, method, failure);
      const wait = delays[attempt - 1];
      if (failure.kind === 'unexpected' || wait === undefined) {
        const tries = attempt > 1 ? `; gave up after ${attempt} attempts` : '';
        throw new StartupError(`${problem}${tries}. Check SLACK_API_URL and the network.`, { cause: error });
      }
      logger.warn('Slack did not answer at startup; retrying', { method, reason: failure.why, attempt, waitMs: wait });
      await sleep(wait);
    }
  }
}

const TOKEN_HINTS: Record<string, string> = {
  SLACK_BOT_TOKEN: 'Check the bot token (xoxb-…) and that the app is still installed in the workspace.',
  SLACK_APP_TOKEN: 'Check the app-level token (xapp-…, with connections:write) and that Socket Mode is on.',
};

/** "cannot reach Slack at slack.com (connection refused)" and its kin; never the token. */
export function describeFailure(host: string, method: string, failure: SlackFailure): string {
  switch (failure.kind) {
    case 'rejected':
      return `Slack at ${host} rejected the token (${failure.code})`;
    case 'unreachable':
      return `cannot reach Slack at ${host} (${failure.why})`;
    case 'unavailable':
      return `Slack at ${host} is not answering normally (${failure.why})`;
    case 'unexpected':
      return `Slack at ${host} answered ${method} with ${failure.why}`;
  }
}

/** Platform errors that say "try later" rather than "this token is wrong". */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

export function classifySlackFailure(error: unknown): SlackFailure {
  const e = error as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; original?: unknown };
  switch (e.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      return TRANSIENT_PLATFORM_ERRORS.has(code) ? { kind: 'unavailable', why: code } : { kind: 'rejected', code };
    }
    case webApi.ErrorCode.RateLimitedError:
      return { kind: 'unavailable', why: 'rate limited' };
    case webApi.ErrorCode.HTTPError: {
      const status = Number(e.statusCode);
      return status >= 500 || status === 408 || status === 429
        ? { kind: 'unavailable', why: `HTTP ${status}` }
        : { kind: 'unexpected', why: `HTTP ${status}` };
    }
    case webApi.ErrorCode.RequestError:
      return { kind: 'unreachable', why: networkReason(e.original ?? error) };
    default:
      return { kind: 'unavailable', why: error instanceof Error ? error.message : String(error) };
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  EHOSTUNREACH: 'network unreachable',
  ENETUNREACH: 'network unreachable',
};

/** fetch reports "fetch failed"; the reason is a code somewhere down its cause chain. */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const code = findCode(error);
  if (code && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  if (code && /CERT|TLS|SSL|UNABLE_TO_VERIFY/.test(code)) return `TLS failed: ${code}`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function findCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || error === null || typeof error !== 'object') return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = findCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return findCode(cause, depth + 1);
}

/** `slack.com`, or `127.0.0.1:4567` for an emulator. */
export function slackHost(apiUrl: string): string {
  try {
    return new URL(apiUrl).host;
  } catch {
    return apiUrl;
  }
}
