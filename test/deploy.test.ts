import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../src/config.ts';

// Images cannot be built here (no registry), so the deploy files are checked against what they must agree with:
// `npm start`'s command, the stop bound, the settings the bot reads, and the files the install needs.
const read = (path: string) => readFileSync(resolve(import.meta.dirname, '..', path), 'utf8');
const startScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start ?? '';
/** The node flags and entry point of `npm start`, as the deploy files must repeat them. */
const nodeCommand = startScript.slice(startScript.indexOf('node ') + 'node '.length).split(' ');
/** stop() waits up to 25 s for runs in flight (src/bot.ts); a supervisor must give it longer than that. */
const DRAIN_SECONDS = 25;

interface Compose {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      environment?: Record<string, string>;
      stop_grace_period?: string;
      healthcheck?: unknown;
    }
  >;
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('installs only production dependencies, with the postinstall patch, and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM node:22-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).not.toMatch(/--ignore-scripts/);
    // patch-package needs patches/ before npm ci runs.
    expect(dockerfile.indexOf('COPY patches')).toBeLessThan(dockerfile.indexOf('npm ci'));
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(read('.dockerignore')).toMatch(/^!patches\/$/m);
  });

  it('runs what npm start runs and checks /healthz', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...nodeCommand]);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as Compose;
  const bots = Object.entries(compose.services).filter(([, s]) => s.build === '.');

  it('runs PostgreSQL, two bot processes on it and a reverse proxy', () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services.postgres?.healthcheck).toBeDefined();
    expect(bots).toHaveLength(2);
    expect(compose.services.caddy?.image).toMatch(/^caddy:/);
    const caddyfile = read('deploy/Caddyfile');
    for (const [name] of bots) expect(caddyfile).toContain(`${name}:3000`);
    expect(caddyfile).toContain('health_uri /healthz');
  });

  it('gives each bot process DATABASE_URL, only settings the bot knows, and time to finish its runs', () => {
    for (const [, bot] of bots) {
      expect(bot.environment?.DATABASE_URL).toMatch(/^postgres:\/\/bot:\$\{POSTGRES_PASSWORD.*\}@postgres:5432\/bot$/);
      for (const key of Object.keys(bot.environment ?? {})) expect(CONFIG_KEYS).toContain(key);
      expect(Number.parseInt(bot.stop_grace_period ?? '10', 10)).toBeGreaterThan(DRAIN_SECONDS);
    }
  });
});

describe('deploy/intercom-bot.service', () => {
  const unit = read('deploy/intercom-bot.service');

  it('runs what npm start runs, restarts it, and waits for its runs when stopping', () => {
    expect(/^ExecStart=\/usr\/bin\/node (.*)$/m.exec(unit)?.[1]?.split(' ')).toEqual(nodeCommand);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBeGreaterThan(DRAIN_SECONDS);
    expect(unit).toMatch(/^User=intercom-bot$/m);
  });
});
