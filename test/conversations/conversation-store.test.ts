import { describe, expect, it } from 'vitest';
import { createConversationStore } from '../../src/conversations/conversation-store.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

const HOUR = 60 * 60 * 1000;
const alice = { teamId: 'T1', userId: 'UALICE' };
const bob = { teamId: 'T1', userId: 'UBOB' };
const thread = { channel: 'C1', threadTs: '100.000001' };

describe.each(DIALECTS)('conversations on %s', (dialect) => {
  const t = useTestDatabase(dialect);
  function store() {
    return createConversationStore(t.db, {
      followIdleMs: 24 * HOUR,
      dmWindowMs: 8 * HOUR,
      dmMaxTurns: 4,
      dmMaxChars: 100,
    });
  }

  describe('followed threads', () => {
    it('answers only the people who asked the bot something there', async () => {
      const s = store();
      await s.follow(thread, alice, 0);
      expect(await s.isFollowing(thread, alice, HOUR)).toBe(true);
      expect(await s.isFollowing(thread, bob, HOUR)).toBe(false);
      expect(await s.isFollowing({ ...thread, threadTs: '200.000001' }, alice, HOUR)).toBe(false);
      await s.follow(thread, bob, 2 * HOUR);
      expect(await s.isFollowing(thread, bob, 2 * HOUR)).toBe(true);
    });

    it('stops after 24 hours without a message to the bot, and every new message extends it', async () => {
      const s = store();
      await s.follow(thread, alice, 0);
      await s.follow(thread, alice, 20 * HOUR);
      expect(await s.isFollowing(thread, alice, 43 * HOUR)).toBe(true);
      expect(await s.isFollowing(thread, alice, 44 * HOUR + 1)).toBe(false);
    });

    it('stops when asked, until someone asks the bot there again', async () => {
      const s = store();
      await s.follow(thread, alice, 0);
      expect(await s.unfollow(thread, 1)).toBe(true);
      expect(await s.unfollow(thread, 2)).toBe(false);
      expect(await s.isFollowing(thread, alice, 3)).toBe(false);
      await s.follow(thread, alice, 4);
      expect(await s.isFollowing(thread, alice, 5)).toBe(true);
    });

    it('forgets stale threads when pruned', async () => {
      const s = store();
      await s.follow(thread, alice, 0);
      await s.prune(25 * HOUR);
      await s.follow({ ...thread, threadTs: '300.000001' }, bob, 25 * HOUR);
      expect(await s.isFollowing(thread, alice, 25 * HOUR)).toBe(false);
    });
  });

  describe('DM turns', () => {
    it('returns the recent exchange oldest first, per teammate', async () => {
      const s = store();
      await s.rememberDm(
        alice,
        [
          { role: 'user', content: 'find jane' },
          { role: 'assistant', content: 'Jane is …' },
        ],
        0,
      );
      await s.rememberDm(bob, [{ role: 'user', content: 'bob asks' }], 0);
      expect(await s.dmTurns(alice, HOUR)).toEqual([
        { role: 'user', content: 'find jane' },
        { role: 'assistant', content: 'Jane is …' },
      ]);
    });

    it('keeps to the time window, the turn budget and the size budget', async () => {
      const s = store();
      await s.rememberDm(
        alice,
        [
          { role: 'user', content: 'old' },
          { role: 'assistant', content: 'old answer' },
        ],
        0,
      );
      const later = 9 * HOUR;
      expect(await s.dmTurns(alice, later)).toEqual([]);
      for (let i = 0; i < 4; i++) {
        await s.rememberDm(
          alice,
          [
            { role: 'user', content: `q${i}` },
            { role: 'assistant', content: `a${i}` },
          ],
          later + i,
        );
      }
      expect((await s.dmTurns(alice, later + 10)).map((t) => t.content)).toEqual(['q2', 'a2', 'q3', 'a3']);
      await s.rememberDm(
        alice,
        [
          { role: 'user', content: 'x'.repeat(60) },
          { role: 'assistant', content: 'y'.repeat(60) },
        ],
        later + 20,
      );
      // 120 characters do not fit in 100: only the newest turn would, and a conversation never starts with the bot.
      expect(await s.dmTurns(alice, later + 30)).toEqual([]);
    });

    it('starts over when the teammate asks', async () => {
      const s = store();
      await s.rememberDm(
        alice,
        [
          { role: 'user', content: 'before' },
          { role: 'assistant', content: 'answer' },
        ],
        0,
      );
      await s.startOverDm(alice, 1);
      await s.rememberDm(
        alice,
        [
          { role: 'user', content: 'after' },
          { role: 'assistant', content: 'fresh' },
        ],
        2,
      );
      expect((await s.dmTurns(alice, 3)).map((t) => t.content)).toEqual(['after', 'fresh']);
    });

    it('deletes turns past the window when pruned', async () => {
      const s = createConversationStore(t.db);
      await s.rememberDm(alice, [{ role: 'user', content: 'secret customer detail' }], 0);
      await s.prune(9 * HOUR);
      expect(await t.db.get('SELECT COUNT(*) AS n FROM dm_turns')).toEqual({ n: 0 });
    });
  });
});
