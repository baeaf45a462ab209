import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, modelSettingsFrom, parseConfig, readEnvironment, secretsOf } from '../src/config.ts';
import { MINIMAL_ENV } from './helpers/config-env.ts';

const valid = MINIMAL_ENV;

describe('parseConfig', () => {
  it('names every missing variable at once', () => {
    const result = parseConfig({});
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    for (const key of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SCALEKIT_ENVIRONMENT_URL',
      'SCALEKIT_CLIENT_ID',
      'SCALEKIT_CLIENT_SECRET',
      'OPENAI_API_KEY',
      'PUBLIC_URL',
    ]) {
      expect(text).toContain(`${key} is missing`);
    }
  });

  it('treats empty and blank strings as missing', () => {
    const result = parseConfig({ ...valid, SCALEKIT_CLIENT_ID: '', OPENAI_API_KEY: '   ' });
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.stringContaining('SCALEKIT_CLIENT_ID is missing'),
        expect.stringContaining('OPENAI_API_KEY is missing'),
      ],
    });
  });

  it('explains malformed values without echoing them', () => {
    const result = parseConfig({
      ...valid,
      SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
      PORT: 'eighty',
      PUBLIC_URL: 'bot.example.com',
      LOG_LEVEL: 'loud',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).not.toContain('xoxp-user-token-secret');
    expect(problems).toContain('SLACK_BOT_TOKEN must be a bot token starting with xoxb-');
    expect(problems).toContain('PORT must be a port number (0–65535)');
    expect(problems).toContain('PUBLIC_URL must be an http(s) URL');
  });

  it('applies the documented defaults and uses HTTP mode without an app token', () => {
    const result = parseConfig(valid);
    if (!result.ok) throw new Error(result.problems.join());
    const { config } = result;
    expect(config.slack).toEqual({
      mode: 'http',
      botToken: 'xoxb-1',
      signingSecret: 'signing',
      apiUrl: 'https://slack.com/api/',
    });
    expect(config.scalekit.connectionName).toBe('intercom');
    expect(config.http).toEqual({ port: 3000, publicUrl: 'https://bot.example.com' });
    expect(config.databasePath).toBe('./data/bot.db');
    expect(config.logLevel).toBe('info');
    expect(config.openai.baseUrl).toBeUndefined();
  });

  it('polls watched conversations every minute by default, and never more often than every second', () => {
    const defaults = parseConfig(valid);
    expect(defaults.ok && defaults.config.watches).toEqual({ pollIntervalMs: 60_000 });
    const set = parseConfig({ ...valid, WATCH_POLL_INTERVAL_MS: '1000' });
    expect(set.ok && set.config.watches).toEqual({ pollIntervalMs: 1000 });
    for (const value of ['999', '0', '1.5', 'often']) {
      expect(parseConfig({ ...valid, WATCH_POLL_INTERVAL_MS: value })).toEqual({
        ok: false,
        problems: ['WATCH_POLL_INTERVAL_MS must be a whole number of milliseconds, at least 1000'],
      });
    }
  });

  it('takes a Scalekit webhook secret and a queue nudge only in their own formats; both are off by default', () => {
    const defaults = parseConfig(valid);
    expect(defaults.ok && [defaults.config.scalekitWebhookSecret, defaults.config.queue]).toEqual([undefined, {}]);
    const set = parseConfig({ ...valid, SCALEKIT_WEBHOOK_SECRET: 'whsec_c2VjcmV0', QUEUE_NUDGE_AFTER_MINUTES: '45' });
    expect(set.ok && [set.config.scalekitWebhookSecret, set.config.queue]).toEqual([
      'whsec_c2VjcmV0',
      { nudgeAfterMs: 45 * 60_000 },
    ]);
    expect(set.ok && secretsOf(set.config)).toContain('whsec_c2VjcmV0');
    expect(parseConfig({ ...valid, SCALEKIT_WEBHOOK_SECRET: 'c2VjcmV0', QUEUE_NUDGE_AFTER_MINUTES: '0' })).toEqual({
      ok: false,
      problems: [
        "SCALEKIT_WEBHOOK_SECRET must be the webhook's signing secret, whsec_ followed by base64",
        'QUEUE_NUDGE_AFTER_MINUTES must be a whole number of minutes, at least 1',
      ],
    });
  });

  it('runs up to 200 agent runs at once by default, and takes a whole number from 1 to 10000', () => {
    const defaults = parseConfig(valid);
    expect(defaults.ok && defaults.config.maxConcurrentRuns).toBe(200);
    const set = parseConfig({ ...valid, MAX_CONCURRENT_RUNS: '20' });
    expect(set.ok && set.config.maxConcurrentRuns).toBe(20);
    for (const value of ['0', '10001', '2.5', 'many']) {
      expect(parseConfig({ ...valid, MAX_CONCURRENT_RUNS: value })).toEqual({
        ok: false,
        problems: ['MAX_CONCURRENT_RUNS must be a whole number from 1 to 10000'],
      });
    }
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set, and then needs no signing secret', () => {
    const result = parseConfig({
      ...valid,
      SLACK_SIGNING_SECRET: '',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:1/api',
    });
    if (!result.ok) throw new Error(result.problems.join());
    expect(result.config.slack).toMatchObject({
      mode: 'socket',
      appToken: 'xapp-1',
      apiUrl: 'http://127.0.0.1:1/api/',
    });
  });

  it('rejects an app token of the wrong kind', () => {
    const result = parseConfig({ ...valid, SLACK_APP_TOKEN: 'xoxb-not-an-app-token' });
    expect(result).toEqual({ ok: false, problems: ['SLACK_APP_TOKEN must be an app-level token starting with xapp-'] });
  });

  it('lists every secret for the log scrubber', () => {
    const result = parseConfig({ ...valid, SLACK_APP_TOKEN: 'xapp-1' });
    if (!result.ok) throw new Error(result.problems.join());
    expect(secretsOf(result.config).sort()).toEqual(['secret', 'signing', 'sk-1', 'xapp-1', 'xoxb-1']);
  });
});

describe('readEnvironment', () => {
  it('takes DATABASE_URL for PostgreSQL, scrubs its password from logs, and refuses other URLs without echoing them', () => {
    const result = parseConfig({
      ...valid,
      DATABASE_URL: 'postgres://bot:pa%2Fss@db.internal:5432/bot?sslmode=require',
    });
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.config.databaseUrl).toBe('postgres://bot:pa%2Fss@db.internal:5432/bot?sslmode=require');
    expect(secretsOf(result.config)).toContain('pa/ss');
    expect(parseConfig(valid).ok && parseConfig(valid)).toMatchObject({ config: { databaseUrl: undefined } });
    const bad = parseConfig({ ...valid, DATABASE_URL: 'mysql://root:hunter2@db/bot' });
    expect(bad).toEqual({ ok: false, problems: [expect.stringMatching(/^DATABASE_URL must be a PostgreSQL URL/)] });
    expect(JSON.stringify(bad)).not.toContain('hunter2');
  });

  it('reads .env underneath the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'ONLY_IN_FILE=from-file\nPATH=from-file\n');
    const env = readEnvironment(file);
    expect(env.ONLY_IN_FILE).toBe('from-file');
    expect(env.PATH).toBe(process.env.PATH);
  });
});

describe('modelSettingsFrom (the demo: a real model when OPENAI_API_KEY is set)', () => {
  it('takes only the model settings, with the default model', () => {
    expect(modelSettingsFrom({ ...MINIMAL_ENV, OPENAI_API_KEY: ' sk-real ', OPENAI_MODEL: '' })).toEqual({
      ok: true,
      model: { apiKey: 'sk-real', baseUrl: undefined, model: 'gpt-5-mini' },
    });
    expect(
      modelSettingsFrom({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_MODEL: 'llama' }),
    ).toEqual({ ok: true, model: { apiKey: 'k', baseUrl: 'http://localhost:11434/v1', model: 'llama' } });
  });

  it('has no model without a key, and names a bad base URL without echoing it', () => {
    expect(modelSettingsFrom({ OPENAI_BASE_URL: 'http://x.example', SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({ ok: true });
    const bad = modelSettingsFrom({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'ftp://secret-host' });
    expect(bad).toEqual({ ok: false, problems: ['OPENAI_BASE_URL must be an http(s) URL'] });
  });
});

describe('.env.example', () => {
  const example = readFileSync(resolve(import.meta.dirname, '../.env.example'), 'utf8');

  it('lists every setting the bot reads, and nothing else', () => {
    expect(Object.keys(parseEnv(example)).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('is not a working configuration by accident: it names what is missing', () => {
    const result = parseConfig(parseEnv(example));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems.join('\n')).toContain('SCALEKIT_CLIENT_ID is missing');
  });
});
