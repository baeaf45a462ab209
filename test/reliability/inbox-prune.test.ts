import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rawSqlite } from '../helpers/databases.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const DAY = 24 * 60 * 60 * 1000;
const dir = mkdtempSync(join(tmpdir(), 'inbox-prune-'));
let t: TestBot | undefined;
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a large inbox at startup', () => {
  it('is pruned after the bot is ready, in the background, keeping recent messages', async () => {
    const dbPath = join(dir, 'bot.db');
    const db = rawSqlite(dbPath);
    const insert = db.prepare(
      `INSERT INTO inbox (channel, ts, thread_ts, team_id, user_id, received_at, status)
       VALUES ('CPRUNE', ?, ?, 'T1', 'U1', ?, 'done')`,
    );
    db.transaction(() => {
      // More than one batch of old messages, and a few from today.
      for (let i = 0; i < 2500; i++) insert.run(`${i}.0`, `${i}.0`, Date.now() - 8 * DAY);
      for (let i = 2500; i < 2510; i++) insert.run(`${i}.0`, `${i}.0`, Date.now());
    })();
    db.close();

    t = await startTestBot({ dbPath });
    const bot = t;
    const pruned = await vi.waitFor(
      () => {
        const index = bot.logs.findIndex((line) => line.includes('Pruned handled messages from the inbox'));
        if (index < 0) throw new Error('not pruned yet');
        return index;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(JSON.parse(bot.logs[pruned] as string).deleted).toBe(2500);
    // Ready came first: the backlog did not hold up startup.
    expect(bot.logs.findIndex((line) => line.includes('"Bot ready"'))).toBeLessThan(pruned);

    const check = rawSqlite(dbPath);
    try {
      expect(check.prepare(`SELECT COUNT(*) AS n FROM inbox WHERE channel = 'CPRUNE'`).get()).toEqual({ n: 10 });
    } finally {
      check.close();
    }
  });
});
