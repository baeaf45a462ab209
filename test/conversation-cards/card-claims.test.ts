import { describe, expect, it } from 'vitest';
import { createCardClaims } from '../../src/conversation-cards/card-claims.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

describe.each(DIALECTS)('card click claims on %s', (dialect) => {
  const t = useTestDatabase(dialect);

  it('lets the first payload of a click run, and no other while it runs or just after', async () => {
    const c = createCardClaims(t.db);
    expect(await c.claim('k', 1_000)).toBe(true);
    expect(await c.claim('k', 1_500)).toBe(false);
    await c.release('k', 2_000);
    expect(await c.claim('k', 6_999)).toBe(false);
    // A click five seconds after the last one finished is a new click.
    expect(await c.claim('k', 7_000)).toBe(true);
    expect(await c.claim('other', 7_000)).toBe(true);
  });

  it('stops honouring a claim whose holder never finished (a crash) after two minutes', async () => {
    const c = createCardClaims(t.db);
    expect(await c.claim('k', 0)).toBe(true);
    expect(await c.claim('k', 119_999)).toBe(false);
    expect(await c.claim('k', 120_000)).toBe(true);
  });

  it('gives a click claimed at the same moment twice to one caller', async () => {
    const c = createCardClaims(t.db);
    const both = await Promise.all([c.claim('k', 0), c.claim('k', 0)]);
    expect(both.filter(Boolean)).toHaveLength(1);
  });
});
