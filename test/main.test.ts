import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SlackApiEmulator, startSlackApiEmulator } from '../src/standins/slack/emulator.ts';

const MAIN = resolve(import.meta.dirname, '../src/main.ts');

function runMain(env: Record<string, string>, cwd: string): ChildProcess {
  // The same command as `npm start`, with nothing inherited but PATH: the bot must not depend on stray variables.
  return spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', MASTRA_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function collect(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('npm start (src/main.ts)', () => {
  let slack: SlackApiEmulator;
  beforeAll(async () => {
    slack = await startSlackApiEmulator();
  });
  afterAll(async () => {
    await slack.close();
  });

  it('exits non-zero with one message naming every missing variable when the environment is empty', async () => {
    const { code, stderr } = await collect(runMain({}, mkdtempSync(join(tmpdir(), 'empty-'))));
    expect(code).toBe(1);
    for (const key of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SCALEKIT_ENVIRONMENT_URL',
      'OPENAI_API_KEY',
      'PUBLIC_URL',
    ]) {
      expect(stderr).toContain(key);
    }
    expect(stderr.match(/Cannot start/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  const validEnv = (dir: string): Record<string, string> => ({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'signing-secret-for-main-test',
    SLACK_API_URL: slack.apiUrl,
    SCALEKIT_ENVIRONMENT_URL: 'http://127.0.0.1:9',
    SCALEKIT_CLIENT_ID: 'skc',
    SCALEKIT_CLIENT_SECRET: 'sks-main-test',
    OPENAI_API_KEY: 'sk-main-test',
    PUBLIC_URL: 'http://127.0.0.1',
    PORT: '0',
    DATABASE_PATH: join(dir, 'db', 'bot.db'),
  });

  it('stops with a clear message when Slack rejects the bot token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'badtoken-'));
    const { code, stderr } = await collect(runMain({ ...validEnv(dir), SLACK_BOT_TOKEN: 'xoxb-revoked' }, dir));
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot start: Slack rejected SLACK_BOT_TOKEN (invalid_auth).');
    expect(stderr).not.toContain('xoxb-revoked');
  });

  it('reads .env from the working directory, serves /healthz, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'start-'));
    const env = validEnv(dir);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, '.env'), `OPENAI_API_KEY=${env.OPENAI_API_KEY}\n`);
    delete env.OPENAI_API_KEY;
    const child = runMain(env, dir);
    const exited = collect(child);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`bot did not become ready: ${stderr}`)), 15_000);
      child.stderr?.on('data', () => {
        const match = stderr.match(/"msg":"Bot ready".*?"port":(\d+)|"port":(\d+).*?"msg":"Bot ready"/);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1] ?? match[2]));
        }
      });
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code).toBe(0);
    // better-sqlite3 removes the WAL file only when the last connection closes cleanly.
    expect(existsSync(join(dir, 'db', 'bot.db'))).toBe(true);
    expect(existsSync(join(dir, 'db', 'bot.db-wal'))).toBe(false);
  });

  it("writes Node's compile cache once ready, so even a bot that is killed starts faster the next time", async () => {
    const { scripts } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    expect(scripts.start).toMatch(/NODE_COMPILE_CACHE=\$\{NODE_COMPILE_CACHE:-[^}]+\}/);

    const dir = mkdtempSync(join(tmpdir(), 'compile-cache-'));
    const cache = join(dir, 'cache');
    const child = runMain({ ...validEnv(dir), NODE_COMPILE_CACHE: cache }, dir);
    const exited = once(child, 'exit');
    const cached = () => (existsSync(cache) ? readdirSync(cache, { recursive: true }).length : 0);
    // Hundreds of modules (Bolt, Mastra, the Scalekit SDK and our own) are written without waiting for an exit.
    await vi.waitFor(() => expect(cached()).toBeGreaterThan(100), { timeout: 15_000, interval: 50 });
    child.kill('SIGKILL');
    await exited;
  });

  it('caps the heap: V8 would otherwise let it grow to several times the live data under a burst', () => {
    const { scripts } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    // 256 MB held 200 teammates at once at about 280 MB peak RSS in `npm run bench` (README, Performance).
    expect(scripts.start).toMatch(/ node --max-old-space-size=256 /);
  });
});
