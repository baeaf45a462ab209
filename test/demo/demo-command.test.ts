import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseDemoArgs } from '../../src/demo/args.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `npm run demo -- …` as package.json runs it, in a fresh folder, with a production-looking environment. */
function runDemo(args: string[], env: Record<string, string> = {}) {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { demo: string } };
  const [, script = ''] = /node (.*)$/.exec(scripts.demo) ?? [];
  const flags = script.split(' ').filter((part) => part.startsWith('--'));
  const cwd = mkdtempSync(join(tmpdir(), 'demo-cmd-'));
  dirs.push(cwd);
  const child = spawn(process.execPath, [...flags, join(ROOT, 'src/demo/main.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', MASTRA_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  return { child, cwd, out: () => stdout, err: () => stderr };
}

describe('npm run demo', () => {
  it('reads --port, --reset, --database-url and --help, and refuses anything else', () => {
    expect(parseDemoArgs([])).toEqual({ help: false, port: DEFAULT_PORT, reset: false });
    expect(parseDemoArgs(['--port', '0', '--reset'])).toEqual({ help: false, port: 0, reset: true });
    expect(parseDemoArgs(['--port=4100'])).toEqual({ help: false, port: 4100, reset: false });
    expect(parseDemoArgs(['--reset', '--help'])).toEqual({ help: true });
    expect(parseDemoArgs(['--port', 'x'])).toEqual({ error: '--port needs a port number (0–65535)' });
    expect(parseDemoArgs(['--verbose'])).toEqual({ error: 'unknown option --verbose' });
    expect(parseDemoArgs(['--database-url', 'postgres://demo@db/demo'])).toEqual({
      help: false,
      port: DEFAULT_PORT,
      reset: false,
      databaseUrl: 'postgres://demo@db/demo',
    });
    expect(parseDemoArgs(['--database-url=mysql://x'])).toEqual({ error: '--database-url needs a postgres:// URL' });
    expect(parseDemoArgs(['--max-runs', '1'])).toEqual({ help: false, port: DEFAULT_PORT, reset: false, maxRuns: 1 });
    expect(parseDemoArgs(['--max-runs=0'])).toEqual({ error: '--max-runs needs a whole number from 1 to 10000' });
  });

  it('prints its usage for --help and exits 0', async () => {
    const run = runDemo(['--help']);
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(0);
    expect(run.out()).toContain(
      'Usage: npm run demo -- [--port N] [--reset] [--database-url URL] [--max-runs N] [--help]',
    );
  });

  it('starts with no configuration, ignores a production environment, prints one URL, and stops cleanly on Ctrl-C', async () => {
    // A deployment's settings in the environment must not leak in: not its database, port, Slack or Scalekit.
    const run = runDemo(['--port', '0'], {
      DATABASE_PATH: '/nonexistent/prod.db',
      PORT: '1',
      SLACK_BOT_TOKEN: 'xoxb-production',
      SCALEKIT_ENVIRONMENT_URL: 'https://prod.scalekit.example',
    });
    const url = await new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${run.out()} ${run.err()}`)), 30_000);
      run.child.stdout.on('data', () => {
        const found = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.out())?.[1];
        if (found) {
          clearTimeout(timer);
          resolvePromise(found);
        }
      });
    });
    expect(run.out().match(/http:\/\/\S+/g)).toEqual([url]);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Demo playground');
    expect(run.out()).toContain('scripted demo model');

    run.child.kill('SIGINT');
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(0);
    expect(existsSync(join(run.cwd, 'data', 'demo.db'))).toBe(true);
    expect(existsSync(join(run.cwd, 'data', 'demo.db-wal'))).toBe(false);
    expect(readFileSync(join(run.cwd, 'data', 'demo.log'), 'utf8')).toContain('Bot ready');
  }, 40_000);
});
