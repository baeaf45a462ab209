import { describe, expect, it } from 'vitest';
import { createConnectionBreaks } from '../../src/connect/connection-breaks.ts';
import { createWebhookReceipts } from '../../src/delivery/webhook-receipts.ts';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

const user = { teamId: 'T1', userId: 'U1' };

// What Scalekit's webhooks leave behind, on both drivers: the same calls give the same answers.
describe.each(DIALECTS)('connection stores on %s', (dialect) => {
  const t = useTestDatabase(dialect);

  it('webhook receipts: each webhook-id is accepted once, also when two deliveries race, until pruned', async () => {
    const receipts = createWebhookReceipts(t.db);
    const [a, b] = await Promise.all([receipts.accept('msg_1', 100), receipts.accept('msg_1', 101)]);
    expect([a, b].sort()).toEqual([false, true]);
    expect(await receipts.accept('msg_2', 300)).toBe(true);
    expect(await receipts.prune(200)).toBe(1);
    expect(await receipts.accept('msg_1', 400)).toBe(true);
    expect(await receipts.accept('msg_2', 400)).toBe(false);
  });

  it('connection breaks: the first report of a breakage is news, until they reconnect', async () => {
    await createIdentityStore(t.db, { newIdentifier: () => 'id-1', now: () => 0 }).identifierFor(user);
    const breaks = createConnectionBreaks(t.db);
    expect(await breaks.brokenStatus(user)).toBeUndefined();
    expect(await breaks.record(user, 'EXPIRED', 10)).toBe('new');
    expect(await breaks.record(user, 'TOKEN_REFRESH_FAILED', 20)).toBe('known');
    expect(await breaks.brokenStatus(user)).toBe('EXPIRED');
    expect(await breaks.heal(user)).toBe(true);
    expect(await breaks.heal(user)).toBe(false);
    expect(await breaks.brokenStatus(user)).toBeUndefined();
    expect(await breaks.record(user, 'REVOKED', 30)).toBe('new');
  });
});
