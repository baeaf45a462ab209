import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(import.meta.dirname, 'fixtures/goaway-race.ts');

/** The directory of the @connectrpc/connect-node copy that @scalekit-sdk/node loads (not merely the top-level one). */
function connectNodeOfTheSdk(): string {
  const sdk = createRequire(join(ROOT, 'package.json')).resolve('@scalekit-sdk/node');
  const entry = createRequire(sdk).resolve('@connectrpc/connect-node');
  return entry.slice(0, entry.lastIndexOf('/dist/'));
}

async function race(
  rounds: number,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', FIXTURE, String(rounds)],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => {
    output += String(d);
  });
  child.stderr.on('data', (d) => {
    output += String(d);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('connect-node patch (connectrpc/connect-es#1768)', () => {
  it('is applied to the copy the Scalekit SDK loads', () => {
    const manager = readFileSync(join(connectNodeOfTheSdk(), 'dist/cjs/http2-session-manager.js'), 'utf8');
    expect(manager).toContain('connect-es#1768');
  });

  it('keeps the process up when a request follows a GOAWAY on an idle connection at once, round after round', async () => {
    const { code, output } = await race(20);
    expect(output).toContain('answered 20 rounds');
    expect(code).toBe(0);
  }, 30_000);

  it('is what prevents the crash: without it, the first such round ends the process', async () => {
    // The installed package with the patch's added lines taken out again, inside node_modules so that its own
    // imports (@connectrpc/connect) resolve as the real one's do.
    mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
    const copy = join(
      mkdtempSync(join(ROOT, 'node_modules/.cache/unpatched-')),
      'node_modules/@connectrpc/connect-node',
    );
    copies.push(dirname(dirname(dirname(copy))));
    cpSync(connectNodeOfTheSdk(), copy, { recursive: true });
    const patches = readdirSync(join(ROOT, 'patches')).filter((name) => name.startsWith('@connectrpc+connect-node+'));
    expect(patches).toHaveLength(1);
    const added = readFileSync(join(ROOT, 'patches', patches[0] as string), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
      .map((line) => `${line.slice(1)}\n`);
    for (const flavour of ['cjs', 'esm']) {
      const file = join(copy, `dist/${flavour}/http2-session-manager.js`);
      let source = readFileSync(file, 'utf8');
      for (const line of added) source = source.replace(line, '');
      expect(source).not.toContain('connect-es#1768');
      writeFileSync(file, source);
    }

    const { code, output } = await race(20, { UNPATCHED_CONNECT_NODE: copy });
    expect(code).not.toBe(0);
    expect(output).toContain('received GOAWAY without any open streams');
    expect(output).not.toContain('answered 20 rounds');
  }, 30_000);
});
