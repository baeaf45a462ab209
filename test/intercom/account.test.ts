import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import { openSqlite } from '../../src/db/sqlite.ts';
import { ToolError } from '../../src/errors.ts';
import { createIdentityStore } from '../../src/identity/identity-store.ts';
import { createIntercom } from '../../src/intercom/account.ts';
import { createAdminDirectory } from '../../src/intercom/admin-directory.ts';
import type { ToolResult } from '../../src/scalekit/scalekit-gateway.ts';

const JANE = { teamId: 'T1', userId: 'UJANE' };

/** An account over a real SQLite trail and a gateway whose answers each test scripts, recording every call. */
async function setUp(answer: (toolName: string, input: Record<string, unknown>) => Promise<unknown> | unknown) {
  const db = openSqlite(join(mkdtempSync(join(tmpdir(), 'intercom-')), 'bot.db'));
  const audit = createAuditLog(db);
  const identities = createIdentityStore(db, { newIdentifier: () => 'u_jane', now: () => 0 });
  const calls: Array<{ identifier: string; toolName: string; input: Record<string, unknown> }> = [];
  const slept: number[] = [];
  let at = 1_000;
  const intercom = createIntercom({
    gateway: {
      async executeTool(params): Promise<ToolResult> {
        calls.push(params);
        at += 5;
        return { data: await answer(params.toolName, params.input), executionId: `x${calls.length}` };
      },
    },
    identities,
    admins: createAdminDirectory({ now: () => at, ttlMs: 60_000 }),
    audit,
    now: () => at,
    rateLimitBackoffMs: [10, 20],
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { account: await intercom.accountOf(JANE), audit, calls, slept, advance: (ms: number) => (at += ms) };
}

describe('IntercomAccount.run', () => {
  it('runs the tool as the teammate and writes one tool_call row, with the thread, hashed and summarised', async () => {
    const { account, audit, calls } = await setUp(() => ({ ok: true }));
    const result = await account.run(
      'intercom_search_contacts',
      { query: 'jane@example.com' },
      { thread: { channel: 'C1', threadTs: '1.1' } },
    );
    expect(result).toEqual({ data: { ok: true }, executionId: 'x1' });
    expect(calls).toEqual([
      { identifier: 'u_jane', toolName: 'intercom_search_contacts', input: { query: 'jane@example.com' } },
    ]);
    expect(await audit.query({ userId: 'UJANE' })).toEqual([
      expect.objectContaining({
        kind: 'tool_call',
        teamId: 'T1',
        channel: 'C1',
        threadTs: '1.1',
        identifier: 'u_jane',
        toolName: 'intercom_search_contacts',
        summary: 'query=j***@example.com',
        outcome: 'ok',
        executionId: 'x1',
        latencyMs: 5,
        argsHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
  });

  it("records a failure with Intercom's kind and passes the error on", async () => {
    const refused = new ToolError({ kind: 'forbidden', toolName: 'intercom_reply', message: 'no', executionId: 'e9' });
    const { account, audit } = await setUp(() => Promise.reject(refused));
    await expect(account.run('intercom_reply', {})).rejects.toBe(refused);
    expect((await audit.query({ userId: 'UJANE' })).map((e) => [e.outcome, e.executionId])).toEqual([
      ['error: forbidden', 'e9'],
    ]);
  });

  it('leaves the row to the caller when asked (an approval records its send with its status)', async () => {
    const { account, audit, calls } = await setUp(() => ({}));
    await account.run('intercom_reply_to_conversation', { body: 'Hi' }, { audit: false });
    expect(calls).toHaveLength(1);
    expect(await audit.query({ userId: 'UJANE' })).toEqual([]);
  });

  it('waits and retries a rate-limited call only when asked, then records the one outcome', async () => {
    let failures = 2;
    const limited = () =>
      failures-- > 0 ? Promise.reject(new ToolError({ kind: 'rate_limited', toolName: 't', message: '429' })) : {};
    const patient = await setUp(limited);
    await patient.account.run('intercom_list_tags', {}, { retryRateLimits: true });
    expect(patient.slept).toEqual([10, 20]);
    expect((await patient.audit.query({ userId: 'UJANE' })).map((e) => e.outcome)).toEqual(['ok']);

    failures = 1;
    const impatient = await setUp(limited);
    await expect(impatient.account.run('intercom_list_tags', {})).rejects.toBeInstanceOf(ToolError);
    expect(impatient.slept).toEqual([]);
  });
});

describe('IntercomAccount reads', () => {
  it('parses a conversation into the one model, with the execution id, and records no row', async () => {
    const { account, audit, calls } = await setUp(() => ({
      id: 42,
      state: 'open',
      admin_assignee_id: 7,
      source: { author: { type: 'user', name: 'Jane' } },
      conversation_parts: { total_count: 1, conversation_parts: [{ id: 'p1', part_type: 'comment', body: 'Hi' }] },
    }));
    expect(await account.conversation('42')).toMatchObject({
      id: '42',
      assignee: '7',
      partsTotal: 1,
      parts: [{ id: 'p1', type: 'comment', body: 'Hi' }],
      customer: { name: 'Jane' },
      executionId: 'x1',
    });
    expect(calls[0]?.input).toEqual({ conversation_id: '42', display_as: 'plaintext' });
    expect(await audit.query({ userId: 'UJANE' })).toEqual([]);
  });

  it('is undefined for a conversation or contact Intercom answers without', async () => {
    const { account } = await setUp(() => ({ type: 'error.list' }));
    expect(await account.conversation('1')).toBeUndefined();
    expect(await account.contact('1')).toBeUndefined();
  });

  it('asks Intercom who the teammate is once an hour, and says so when it does not answer', async () => {
    const { account, calls, advance } = await setUp((tool) =>
      tool === 'intercom_identify_admin' ? { id: 5, name: 'Jo' } : {},
    );
    expect(await account.me()).toEqual({ id: '5', name: 'Jo', email: undefined });
    expect(await account.me()).toEqual({ id: '5', name: 'Jo', email: undefined });
    expect(calls).toHaveLength(1);
    advance(60_001);
    await account.me();
    expect(calls).toHaveLength(2);

    const silent = await setUp(() => ({}));
    await expect(silent.account.me()).rejects.toThrow('Intercom did not say who the connected admin is');
  });

  it('lists the workspace admins', async () => {
    const { account } = await setUp(() => ({ admins: [{ id: 1, name: 'A', email: 'a@x.com' }, { id: 2 }] }));
    expect(await account.admins()).toEqual([
      { id: '1', name: 'A', email: 'a@x.com' },
      { id: '2', name: '2', email: undefined },
    ]);
  });
});
