import { describe, expect, it } from 'vitest';
import { createSqliteCardClaims } from '../../src/conversation-cards/card-claims.ts';
import { openDatabase } from '../../src/db/database.ts';

describe('card click claims', () => {
  const claims = () => createSqliteCardClaims(openDatabase(':memory:'));

  it('lets the first payload of a click run, and no other while it runs or just after', () => {
    const c = claims();
    expect(c.claim('k', 1_000)).toBe(true);
    expect(c.claim('k', 1_500)).toBe(false);
    c.release('k', 2_000);
    expect(c.claim('k', 6_999)).toBe(false);
    // A click five seconds after the last one finished is a new click.
    expect(c.claim('k', 7_000)).toBe(true);
    expect(c.claim('other', 7_000)).toBe(true);
  });

  it('stops honouring a claim whose holder never finished (a crash) after two minutes', () => {
    const c = claims();
    expect(c.claim('k', 0)).toBe(true);
    expect(c.claim('k', 119_999)).toBe(false);
    expect(c.claim('k', 120_000)).toBe(true);
  });
});
