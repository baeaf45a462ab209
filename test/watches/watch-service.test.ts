import { randomBytes } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import { createIntercom } from '../../src/intercom/account.ts';
import { createAdminDirectory } from '../../src/intercom/admin-directory.ts';
import { parseConversation } from '../../src/intercom/models.ts';
import { createLogger } from '../../src/logger.ts';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { changesSince, seenOf } from '../../src/watches/conversation-events.ts';
import { createWatchService } from '../../src/watches/watch-service.ts';
import { createWatchStore } from '../../src/watches/watch-store.ts';
import { DIALECTS, useTestDatabase } from '../helpers/databases.ts';

/** A retrieve_conversation result as Intercom sends it (plaintext), trimmed to what watches read. */
function conversation(
  parts: Array<[id: string, authorType: string, body: string | null, partType?: string]>,
  extra = {},
) {
  return {
    id: '42',
    state: 'open',
    admin_assignee_id: null,
    source: { author: { type: 'user', name: 'Jane Doe', email: 'jane@x.com' } },
    conversation_parts: {
      total_count: parts.length,
      conversation_parts: parts.map(([id, type, body, partType = 'comment']) => ({
        id,
        part_type: partType,
        body,
        created_at: 1_800_000_000,
        author: { type, name: type === 'admin' ? 'Alice Support' : 'Jane Doe' },
      })),
    },
    ...extra,
  };
}

describe('what counts as news', () => {
  const base = parseConversation(conversation([['1', 'admin', 'Hi Jane']]));
  if (!base) throw new Error('unparsed');
  const seen = seenOf(base);

  it("announces the customer's new messages, not the team's, and counts both as activity", () => {
    const teamOnly = parseConversation(
      conversation([
        ['1', 'admin', 'Hi Jane'],
        ['2', 'admin', 'Internal', 'note'],
      ]),
    );
    expect(teamOnly && changesSince(seen, teamOnly)).toMatchObject({ events: [], activity: true });
    const answered = parseConversation(
      conversation([
        ['1', 'admin', 'Hi Jane'],
        ['2', 'user', 'first'],
        ['3', 'user', 'second'],
      ]),
    );
    expect(answered && changesSince(seen, answered).events).toEqual([
      { kind: 'customer_reply', author: 'Jane Doe', at: 1_800_000_000_000, text: 'first\nsecond', count: 2 },
    ]);
    const same = parseConversation(conversation([['1', 'admin', 'Hi Jane']]));
    expect(same && changesSince(seen, same)).toMatchObject({ events: [], activity: false });
  });

  it('falls back to counting parts when the last one seen has dropped out of the list', () => {
    const later = parseConversation(conversation([['9', 'user', 'newest']], {}));
    const shifted = later && { ...later, partsTotal: 2 };
    expect(shifted && changesSince({ ...seen, lastPartId: 'gone' }, shifted).events).toHaveLength(1);
  });
});

describe.each(DIALECTS)('announcing exactly once on %s', (dialect) => {
  const t = useTestDatabase(dialect);
  let slack: SlackApiEmulator;
  beforeAll(async () => {
    slack = await startSlackApiEmulator();
  });
  afterAll(async () => {
    await slack.close();
  });

  it('posts one announcement when two polls of the same watch see the same change', async () => {
    const db = t.db;
    const audit = createAuditLog(db);
    const store = createWatchStore(db, audit);
    const identities = createIdentityStore(db, { newIdentifier: () => 'u_watcher', now: Date.now });
    const user = { teamId: 'T1', userId: 'UW' };
    await identities.identifierFor(user);
    const intercom = createIntercom({
      gateway: {
        executeTool: async ({ toolName }) => ({
          data:
            toolName === 'intercom_identify_admin'
              ? { id: '1', name: 'Alice' }
              : conversation([['1', 'admin', 'Hi Jane']]),
          executionId: 'x0',
        }),
      },
      identities,
      admins: createAdminDirectory({ now: Date.now }),
      audit,
      now: Date.now,
    });
    const service = createWatchService({
      store,
      intercom,
      client: new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
      refused: async () => {},
      logger: createLogger({ level: 'error', write: () => {} }),
      now: Date.now,
      randomBytes,
      pollIntervalMs: 1000,
    });
    const started = await service.start({ user, conversationId: '42', channel: 'C1', threadTs: '1.1' });
    if (started.kind !== 'created') throw new Error(started.kind);

    const answered = parseConversation(
      conversation([
        ['1', 'admin', 'Hi Jane'],
        ['2', 'user', 'Any news?'],
      ]),
      'x1',
    );
    // Both polls read the watch before either recorded anything.
    const outcomes = await Promise.all([
      service.observe(started.watch, answered, 5),
      service.observe(started.watch, answered, 5),
    ]);
    expect(outcomes.filter((o) => o.announced)).toHaveLength(1);
    // A later poll from the stored state sees nothing new.
    const fresh = await store.get(started.watch.id);
    expect(fresh && (await service.observe(fresh, answered, 5))).toEqual({ activity: false, announced: false });

    const posts = slack.callsOf('chat.postMessage').filter((c) => c.params.thread_ts === '1.1');
    expect(posts).toHaveLength(1);
    expect((await audit.query({ userId: 'UW' })).map((e) => e.outcome)).toEqual(['started', 'announced']);
  });
});
