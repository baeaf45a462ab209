import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export type SlackConfig = (
  | { mode: 'http'; botToken: string; signingSecret: string; apiUrl: string }
  | { mode: 'socket'; botToken: string; appToken: string; signingSecret?: string; apiUrl: string }
) & {
  /** Sign in with Slack at connect time, when both are set. */
  signIn?: { clientId: string; clientSecret: string };
};

export interface Config {
  slack: SlackConfig;
  scalekit: { environmentUrl: string; clientId: string; clientSecret: string; connectionName: string };
  openai: { apiKey: string; baseUrl?: string; model: string };
  http: { port: number; publicUrl: string };
  databasePath: string;
  /** postgres://…: all state in PostgreSQL (several processes can share it); no SQLite file is created. */
  databaseUrl?: string;
  logLevel: LogLevelName;
  /** Per-tool changes to the built-in policy: `read` runs directly, `write` needs approval, `off` is never offered. */
  toolOverrides: Record<string, 'read' | 'write' | 'off'>;
  /** Watched conversations: the base poll interval (quiet ones back off from it). */
  watches: { pollIntervalMs: number };
  /** Scalekit's signed webhooks (`POST /scalekit/webhooks`); without a secret the endpoint answers 404. */
  scalekitWebhookSecret?: string;
  /** My queue: remind a teammate once about a conversation waiting on them longer than this; off when unset. */
  queue: { nudgeAfterMs?: number };
  /** Agent runs at once, across all teammates (fewer while the model provider answers 429 or the heap is full). */
  maxConcurrentRuns: number;
  /**
   * With DATABASE_URL: how long a process may go without a heartbeat (one a second) before the others take it for
   * dead, report its work as interrupted and take over its background work.
   */
  replicaTimeoutMs: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const DEFAULT_OPENAI_MODEL = 'gpt-5-mini';

// What each variable is, so "missing" messages tell an operator what to put there.
const DESCRIPTIONS: Record<string, string> = {
  SLACK_BOT_TOKEN: 'the Slack bot token, xoxb-…',
  SLACK_SIGNING_SECRET: 'the Slack signing secret; HTTP mode, used when SLACK_APP_TOKEN is not set, needs it',
  SCALEKIT_ENVIRONMENT_URL: 'your Scalekit environment URL',
  SCALEKIT_CLIENT_ID: 'the Scalekit API client id',
  SCALEKIT_CLIENT_SECRET: 'the Scalekit API client secret',
  OPENAI_API_KEY: 'the model API key',
  DATABASE_URL: 'a PostgreSQL URL',
  PUBLIC_URL: "the bot's base URL as users' browsers reach it, e.g. https://bot.example.com",
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const nonEmpty = z.string();
/** Digits only, then a bound; anything else gets the same one message. */
const wholeNumber = (error: string, bound: (n: z.ZodNumber, error: string) => z.ZodNumber) =>
  z.string().regex(/^\d+$/, { error }).transform(Number).pipe(bound(z.number(), error));

const schema = z.object({
  SLACK_BOT_TOKEN: nonEmpty.startsWith('xoxb-', { error: 'must be a bot token starting with xoxb-' }),
  SLACK_SIGNING_SECRET: nonEmpty.optional(),
  SLACK_APP_TOKEN: nonEmpty.startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional(),
  SLACK_API_URL: httpUrl.default('https://slack.com/api/'),
  SLACK_CLIENT_ID: nonEmpty.optional(),
  SLACK_CLIENT_SECRET: nonEmpty.optional(),
  SCALEKIT_ENVIRONMENT_URL: httpUrl,
  SCALEKIT_CLIENT_ID: nonEmpty,
  SCALEKIT_CLIENT_SECRET: nonEmpty,
  INTERCOM_CONNECTION_NAME: nonEmpty.default('intercom'),
  OPENAI_API_KEY: nonEmpty,
  OPENAI_BASE_URL: httpUrl.optional(),
  OPENAI_MODEL: nonEmpty.default(DEFAULT_OPENAI_MODEL),
  PORT: wholeNumber('must be a port number (0–65535)', (n, error) => n.max(65535, { error })).default(3000),
  PUBLIC_URL: httpUrl,
  DATABASE_PATH: nonEmpty.default('./data/bot.db'),
  DATABASE_URL: nonEmpty
    .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
      error: 'must be a PostgreSQL URL, postgres://user:password@host:5432/database',
    })
    .optional(),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })
    .default('info'),
  INTERCOM_TOOL_OVERRIDES: z
    .string()
    .regex(/^\s*[\w.-]+\s*=\s*(read|write|off)\s*(,\s*[\w.-]+\s*=\s*(read|write|off)\s*)*$/, {
      error: 'must look like tool_name=read|write|off, separated by commas',
    })
    .transform(
      (value) =>
        Object.fromEntries(value.split(',').map((pair) => pair.split('=').map((part) => part.trim()))) as Record<
          string,
          'read' | 'write' | 'off'
        >,
    )
    .default({}),
  WATCH_POLL_INTERVAL_MS: wholeNumber('must be a whole number of milliseconds, at least 1000', (n, error) =>
    n.min(1000, { error }),
  ).default(60_000),
  SCALEKIT_WEBHOOK_SECRET: nonEmpty
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, { error: "must be the webhook's signing secret, whsec_ followed by base64" })
    .optional(),
  QUEUE_NUDGE_AFTER_MINUTES: wholeNumber('must be a whole number of minutes, at least 1', (n, error) =>
    n.min(1, { error }),
  ).optional(),
  MAX_CONCURRENT_RUNS: wholeNumber('must be a whole number from 1 to 10000', (n, error) =>
    n.min(1, { error }).max(10_000, { error }),
  ).default(200),
  REPLICA_TIMEOUT_MS: wholeNumber('must be a whole number of milliseconds, from 2000 to 25000', (n, error) =>
    n.min(2000, { error }).max(25_000, { error }),
  ).default(10_000),
});

/** Every variable the bot reads (`.env.example` lists them all; a test checks). */
export const CONFIG_KEYS: readonly string[] = Object.keys(schema.shape);

/** Validates the environment once; every problem is reported together, and no value is ever echoed back. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // `FOO=` in a .env file or a deployment template means "not set", not "set to nothing".
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? 'environment');
        return cleaned[key] === undefined ? missing(key) : `${key} ${issue.message}`;
      });
  // HTTP mode is the default, and Slack's requests cannot be verified without the signing secret.
  if (cleaned.SLACK_APP_TOKEN === undefined && cleaned.SLACK_SIGNING_SECRET === undefined) {
    problems.push(missing('SLACK_SIGNING_SECRET'));
  }
  if ((cleaned.SLACK_CLIENT_ID === undefined) !== (cleaned.SLACK_CLIENT_SECRET === undefined)) {
    problems.push(
      'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both to turn on Sign in with Slack, or neither',
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const e = parsed.data;
  const signIn =
    e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET
      ? { clientId: e.SLACK_CLIENT_ID, clientSecret: e.SLACK_CLIENT_SECRET }
      : undefined;
  const slack: SlackConfig =
    e.SLACK_APP_TOKEN !== undefined
      ? {
          mode: 'socket',
          botToken: e.SLACK_BOT_TOKEN,
          appToken: e.SLACK_APP_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          apiUrl: withTrailingSlash(e.SLACK_API_URL),
          signIn,
        }
      : {
          mode: 'http',
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET ?? '',
          apiUrl: withTrailingSlash(e.SLACK_API_URL),
          signIn,
        };
  return {
    ok: true,
    config: {
      slack,
      scalekit: {
        environmentUrl: e.SCALEKIT_ENVIRONMENT_URL,
        clientId: e.SCALEKIT_CLIENT_ID,
        clientSecret: e.SCALEKIT_CLIENT_SECRET,
        connectionName: e.INTERCOM_CONNECTION_NAME,
      },
      openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL },
      http: { port: e.PORT, publicUrl: e.PUBLIC_URL.replace(/\/+$/, '') },
      databasePath: e.DATABASE_PATH,
      databaseUrl: e.DATABASE_URL,
      logLevel: e.LOG_LEVEL,
      toolOverrides: e.INTERCOM_TOOL_OVERRIDES,
      watches: { pollIntervalMs: e.WATCH_POLL_INTERVAL_MS },
      scalekitWebhookSecret: e.SCALEKIT_WEBHOOK_SECRET,
      queue: {
        nudgeAfterMs: e.QUEUE_NUDGE_AFTER_MINUTES === undefined ? undefined : e.QUEUE_NUDGE_AFTER_MINUTES * 60_000,
      },
      maxConcurrentRuns: e.MAX_CONCURRENT_RUNS,
      replicaTimeoutMs: e.REPLICA_TIMEOUT_MS,
    },
  };
}

export function formatConfigProblems(problems: string[]): string {
  return `Cannot start: the configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee README.md, "Configuration".\n`;
}

/** Just the database location, for tools (the audit export) that need nothing else. */
export function databasePathFrom(env: Record<string, string | undefined>): string {
  const value = env.DATABASE_PATH?.trim();
  return value ? value : './data/bot.db';
}

/** DATABASE_URL when it is set (PostgreSQL), for the same tools. */
export function databaseUrlFrom(env: Record<string, string | undefined>): string | undefined {
  const value = env.DATABASE_URL?.trim();
  return value ? value : undefined;
}

export type ModelSettings = Config['openai'];

/**
 * Only the model settings (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL) from the process environment, for the demo:
 * it reads nothing else, not even `.env`, which holds a real deployment's settings. Undefined without a key.
 */
export function modelSettingsFrom(
  env: Record<string, string | undefined> = process.env,
): { ok: true; model?: ModelSettings } | { ok: false; problems: string[] } {
  const picked = schema.pick({ OPENAI_API_KEY: true, OPENAI_BASE_URL: true, OPENAI_MODEL: true }).partial();
  const cleaned = Object.fromEntries(
    ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL']
      .map((key) => [key, env[key]?.trim()])
      .filter(([, value]) => value),
  );
  const parsed = picked.safeParse(cleaned);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`) };
  }
  const { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: model } = parsed.data;
  if (!apiKey) return { ok: true };
  return { ok: true, model: { apiKey, baseUrl, model: model ?? DEFAULT_OPENAI_MODEL } };
}

/** Every secret in the config, so the logger can scrub them from anything it writes. */
export function secretsOf(config: Config): string[] {
  const { slack, scalekit, openai } = config;
  return [
    slack.botToken,
    slack.signingSecret,
    slack.mode === 'socket' ? slack.appToken : undefined,
    slack.signIn?.clientSecret,
    scalekit.clientSecret,
    config.scalekitWebhookSecret,
    openai.apiKey,
    config.databaseUrl ? passwordIn(config.databaseUrl) : undefined,
  ].filter((s): s is string => s !== undefined && s.length > 0);
}

/**
 * The process environment, with `.env` (in the working directory) underneath it: real environment variables win,
 * as operators expect. This is the only place that reads the environment.
 */
export function readEnvironment(dotenvPath = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseEnv(readFileSync(dotenvPath, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

function passwordIn(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function missing(key: string): string {
  return `${key} is missing (${DESCRIPTIONS[key] ?? 'required'})`;
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
