import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/sqlite.ts';
import { createInbox } from '../../src/delivery/inbox.ts';
import { startInboxPruning } from '../../src/delivery/inbox-pruner.ts';
import { createLogger } from '../../src/logger.ts';
import { rawSqlite } from '../helpers/databases.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 20);

// The pruner's own logic (batches, turns, stopping); the inbox's statements run on both drivers elsewhere.
function setup() {
  const path = join(mkdtempSync(join(tmpdir(), 'inbox-pruner-')), 'bot.db');
  const raw = rawSqlite(path);
  const db = openSqlite(path);
  const inbox = createInbox(db);
  let n = 0;
  const add = (count: number, receivedAt: number, status: 'done' | 'running' | 'interrupted' = 'done') => {
    const insert = raw.prepare(
      `INSERT INTO inbox (channel, ts, thread_ts, team_id, user_id, received_at, status)
       VALUES ('C1', ?, ?, 'T1', 'U1', ?, ?)`,
    );
    raw.transaction(() => {
      for (let i = 0; i < count; i++, n++) insert.run(`${n}.0`, `${n}.0`, receivedAt, status);
    })();
  };
  const count = (where = '1') =>
    (raw.prepare(`SELECT COUNT(*) AS n FROM inbox WHERE ${where}`).get() as { n: number }).n;
  const lines: string[] = [];
  let wake = () => {};
  const logger = createLogger({
    level: 'info',
    write: (line) => {
      lines.push(line);
      wake();
    },
  });
  /** Resolves once `count` prune passes have logged what they deleted. */
  const passes = async (count: number) => {
    const done = () => lines.filter((l) => l.includes('Pruned handled messages')).length >= count;
    while (!done()) await new Promise<void>((resolve) => (wake = resolve));
    return lines.filter((l) => l.includes('Pruned handled messages')).map((l) => JSON.parse(l).deleted as number);
  };
  return { db, inbox, add, count, logger, lines, passes };
}

describe('pruning the inbox', () => {
  it('deletes old handled messages in batches, giving the event loop a turn between batches', async () => {
    const { inbox, add, count, logger, passes } = setup();
    add(25, NOW - 8 * DAY);
    add(2, NOW - 8 * DAY, 'interrupted');
    add(1, NOW - 8 * DAY, 'running');
    add(5, NOW - DAY);

    // Queued before pruning starts, so it runs at the first turn pruning gives back.
    let seenBetweenBatches: number | undefined;
    setImmediate(() => {
      seenBetweenBatches = count();
    });
    const pruner = startInboxPruning({ inbox, logger, now: () => NOW, batchSize: 10 });
    expect(await passes(1)).toEqual([27]);
    await pruner.stop();

    // One batch of 10 had gone, not the whole backlog at once.
    expect(seenBetweenBatches).toBe(33 - 10);
    // What is left: the recent messages, and the one still running (its answer may still be on its way).
    expect(count()).toBe(6);
    expect(count(`status = 'running'`)).toBe(1);
    expect(count(`received_at = ${NOW - DAY}`)).toBe(5);
  });

  it('runs again periodically', async () => {
    const { inbox, add, logger, passes } = setup();
    let now = NOW;
    add(3, NOW - 8 * DAY);
    const pruner = startInboxPruning({ inbox, logger, now: () => now, intervalMs: 5 });
    expect(await passes(1)).toEqual([3]);
    add(4, NOW - 2 * DAY);
    now = NOW + 6 * DAY;
    expect(await passes(2)).toEqual([3, 4]);
    await pruner.stop();
  });

  it('stops between batches and leaves nothing running after stop()', async () => {
    const { db, inbox, add, logger } = setup();
    add(50, NOW - 8 * DAY);
    let batches = 0;
    const counting = {
      pruneBatch: (olderThan: number, limit: number) => {
        batches++;
        return inbox.pruneBatch(olderThan, limit);
      },
    };
    const pruner = startInboxPruning({ inbox: counting, logger, now: () => NOW, batchSize: 10 });
    // The first batch runs at once; stopping now ends the pass at its next turn.
    expect(batches).toBe(1);
    await pruner.stop();
    await db.close();
    const after = batches;
    // A pass still going would call pruneBatch on the closed database at its next turn.
    await nextTurn();
    await nextTurn();
    expect(batches).toBe(after);
    expect(after).toBeLessThan(5);
    await expect(db.run('DELETE FROM inbox')).rejects.toThrow(/not open/);
  });
});
