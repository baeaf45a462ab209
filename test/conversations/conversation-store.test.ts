import { describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../src/conversations/conversation-store.ts';
import { openDatabase } from '../../src/db/database.ts';

const HOUR = 60 * 60 * 1000;
const alice = { teamId: 'T1', userId: 'UALICE' };
const bob = { teamId: 'T1', userId: 'UBOB' };
const thread = { channel: 'C1', threadTs: '100.000001' };

function store() {
  return createSqliteConversationStore(openDatabase(':memory:'), {
    followIdleMs: 24 * HOUR,
    dmWindowMs: 8 * HOUR,
    dmMaxTurns: 4,
    dmMaxChars: 100,
  });
}

describe('followed threads', () => {
  it('answers only the people who asked the bot something there', () => {
    const s = store();
    s.follow(thread, alice, 0);
    expect(s.isFollowing(thread, alice, HOUR)).toBe(true);
    expect(s.isFollowing(thread, bob, HOUR)).toBe(false);
    expect(s.isFollowing({ ...thread, threadTs: '200.000001' }, alice, HOUR)).toBe(false);
    s.follow(thread, bob, 2 * HOUR);
    expect(s.isFollowing(thread, bob, 2 * HOUR)).toBe(true);
  });

  it('stops after 24 hours without a message to the bot, and every new message extends it', () => {
    const s = store();
    s.follow(thread, alice, 0);
    s.follow(thread, alice, 20 * HOUR);
    expect(s.isFollowing(thread, alice, 43 * HOUR)).toBe(true);
    expect(s.isFollowing(thread, alice, 44 * HOUR + 1)).toBe(false);
  });

  it('stops when asked, until someone asks the bot there again', () => {
    const s = store();
    s.follow(thread, alice, 0);
    expect(s.unfollow(thread, 1)).toBe(true);
    expect(s.unfollow(thread, 2)).toBe(false);
    expect(s.isFollowing(thread, alice, 3)).toBe(false);
    s.follow(thread, alice, 4);
    expect(s.isFollowing(thread, alice, 5)).toBe(true);
  });

  it('forgets stale threads when pruned', () => {
    const s = store();
    s.follow(thread, alice, 0);
    s.prune(25 * HOUR);
    s.follow({ ...thread, threadTs: '300.000001' }, bob, 25 * HOUR);
    expect(s.isFollowing(thread, alice, 25 * HOUR)).toBe(false);
  });
});

describe('DM turns', () => {
  it('returns the recent exchange oldest first, per teammate', () => {
    const s = store();
    s.rememberDm(
      alice,
      [
        { role: 'user', content: 'find jane' },
        { role: 'assistant', content: 'Jane is …' },
      ],
      0,
    );
    s.rememberDm(bob, [{ role: 'user', content: 'bob asks' }], 0);
    expect(s.dmTurns(alice, HOUR)).toEqual([
      { role: 'user', content: 'find jane' },
      { role: 'assistant', content: 'Jane is …' },
    ]);
  });

  it('keeps to the time window, the turn budget and the size budget', () => {
    const s = store();
    s.rememberDm(
      alice,
      [
        { role: 'user', content: 'old' },
        { role: 'assistant', content: 'old answer' },
      ],
      0,
    );
    const later = 9 * HOUR;
    expect(s.dmTurns(alice, later)).toEqual([]);
    for (let i = 0; i < 4; i++) {
      s.rememberDm(
        alice,
        [
          { role: 'user', content: `q${i}` },
          { role: 'assistant', content: `a${i}` },
        ],
        later + i,
      );
    }
    expect(s.dmTurns(alice, later + 10).map((t) => t.content)).toEqual(['q2', 'a2', 'q3', 'a3']);
    s.rememberDm(
      alice,
      [
        { role: 'user', content: 'x'.repeat(60) },
        { role: 'assistant', content: 'y'.repeat(60) },
      ],
      later + 20,
    );
    // 120 characters do not fit in 100: only the newest turn would, and a conversation never starts with the bot.
    expect(s.dmTurns(alice, later + 30)).toEqual([]);
  });

  it('starts over when the teammate asks', () => {
    const s = store();
    s.rememberDm(
      alice,
      [
        { role: 'user', content: 'before' },
        { role: 'assistant', content: 'answer' },
      ],
      0,
    );
    s.startOverDm(alice, 1);
    s.rememberDm(
      alice,
      [
        { role: 'user', content: 'after' },
        { role: 'assistant', content: 'fresh' },
      ],
      2,
    );
    expect(s.dmTurns(alice, 3).map((t) => t.content)).toEqual(['after', 'fresh']);
  });

  it('deletes turns past the window when pruned', () => {
    const db = openDatabase(':memory:');
    const s = createSqliteConversationStore(db);
    s.rememberDm(alice, [{ role: 'user', content: 'secret customer detail' }], 0);
    s.prune(9 * HOUR);
    expect(db.prepare('SELECT COUNT(*) AS n FROM dm_turns').get()).toEqual({ n: 0 });
  });
});
