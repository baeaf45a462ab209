import { describe, expect, it } from 'vitest';
import { ScalekitUnavailableError, ToolError, type ToolFailureKind } from '../../src/errors.ts';
import { withCache } from '../../src/scalekit/cached-gateway.ts';
import type { AccountStatus, ScalekitGateway, ToolDefinition } from '../../src/scalekit/scalekit-gateway.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Type-only imports keep the Scalekit SDK out of this test; the numbers are the SDK's ConnectorStatus values.
const ACTIVE: AccountStatus = { status: 1 as AccountStatus['status'], statusName: 'ACTIVE', active: true };
const EXPIRED: AccountStatus = { status: 2 as AccountStatus['status'], statusName: 'EXPIRED', active: false };
const TOOLS: ToolDefinition[] = [
  { name: 'intercom_list_tags', description: 'List tags', inputSchema: { type: 'object' }, annotations: {} },
];

/**
 * A hand-written gateway that counts calls per method and identifier. Each answer comes from `answers`, which a
 * test may swap to return something else (or a promise it settles itself) from the next call on.
 */
function fakeGateway() {
  const calls: string[] = [];
  const answers = {
    status: (_identifier: string): Promise<AccountStatus | undefined> => Promise.resolve(ACTIVE),
    tools: (_identifier: string): Promise<ToolDefinition[]> => Promise.resolve(TOOLS),
    execute: (): Promise<{ data: unknown; executionId: string }> => Promise.resolve({ data: {}, executionId: 'x1' }),
    verify: (): Promise<{ redirectUrl?: string }> => Promise.resolve({}),
    remove: (): Promise<void> => Promise.resolve(),
  };
  const gateway: ScalekitGateway = {
    accountStatus(identifier) {
      calls.push(`accountStatus ${identifier}`);
      return answers.status(identifier);
    },
    listTools(identifier) {
      calls.push(`listTools ${identifier}`);
      return answers.tools(identifier);
    },
    authorizationLink({ identifier }) {
      calls.push(`authorizationLink ${identifier}`);
      return Promise.resolve(`https://scalekit.test/auth/${identifier}`);
    },
    verifyUser({ identifier }) {
      calls.push(`verifyUser ${identifier}`);
      return answers.verify();
    },
    deleteAccount(identifier) {
      calls.push(`deleteAccount ${identifier}`);
      return answers.remove();
    },
    executeTool({ identifier }) {
      calls.push(`executeTool ${identifier}`);
      return answers.execute();
    },
  };
  const count = (call: string) => calls.filter((c) => c === call).length;
  return { gateway, answers, calls, count };
}

function setup(
  options: { statusTtlMs?: number; toolsTtlMs?: number; maxEntries?: number; maxToolListBytes?: number } = {},
) {
  const fake = fakeGateway();
  const clock = { now: 1_000_000 };
  const cached = withCache(fake.gateway, { now: () => clock.now, ...options });
  return { ...fake, clock, cached };
}

const toolError = (kind: ToolFailureKind) =>
  new ToolError({ kind, toolName: 'intercom_list_tags', message: `${kind} from Intercom` });

describe('cached gateway: account status', () => {
  it('asks upstream once per identifier within the TTL', async () => {
    const { cached, count, clock } = setup({ statusTtlMs: 1000 });
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    clock.now += 999;
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(count('accountStatus id-1')).toBe(1);
  });

  it('asks again once the TTL has passed', async () => {
    const { cached, count, clock } = setup({ statusTtlMs: 1000 });
    await cached.accountStatus('id-1');
    clock.now += 1000;
    await cached.accountStatus('id-1');
    expect(count('accountStatus id-1')).toBe(2);
    // The fresh answer starts a fresh TTL.
    clock.now += 999;
    await cached.accountStatus('id-1');
    expect(count('accountStatus id-1')).toBe(2);
  });

  it('keeps an ACTIVE status for five minutes by default', async () => {
    const { cached, count, clock } = setup();
    await cached.accountStatus('id-1');
    clock.now += 5 * 60 * 1000 - 1;
    await cached.accountStatus('id-1');
    expect(count('accountStatus id-1')).toBe(1);
    clock.now += 1;
    await cached.accountStatus('id-1');
    expect(count('accountStatus id-1')).toBe(2);
  });

  it('does not remember a status that is not ACTIVE, or a missing account', async () => {
    const { cached, count, answers } = setup();
    answers.status = () => Promise.resolve(EXPIRED);
    expect(await cached.accountStatus('id-1')).toEqual(EXPIRED);
    answers.status = () => Promise.resolve(undefined);
    expect(await cached.accountStatus('id-1')).toBeUndefined();
    answers.status = () => Promise.resolve(ACTIVE);
    // The person may have connected in the meantime: this must reach upstream.
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(count('accountStatus id-1')).toBe(3);
  });

  it('does not remember a failure', async () => {
    const { cached, count, answers } = setup();
    answers.status = () => Promise.reject(new ScalekitUnavailableError('down'));
    await expect(cached.accountStatus('id-1')).rejects.toThrow(ScalekitUnavailableError);
    answers.status = () => Promise.resolve(ACTIVE);
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(count('accountStatus id-1')).toBe(2);
  });

  it('never shares an entry between identifiers', async () => {
    const { cached, count, answers } = setup();
    answers.status = (identifier) => Promise.resolve(identifier === 'id-1' ? ACTIVE : EXPIRED);
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(await cached.accountStatus('id-2')).toEqual(EXPIRED);
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(count('accountStatus id-1')).toBe(1);
    expect(count('accountStatus id-2')).toBe(1);
  });
});

describe('cached gateway: tools', () => {
  it('asks upstream once per identifier within the TTL, then again', async () => {
    const { cached, count, clock } = setup({ toolsTtlMs: 2000 });
    expect(await cached.listTools('id-1')).toEqual(TOOLS);
    clock.now += 1999;
    expect(await cached.listTools('id-1')).toEqual(TOOLS);
    expect(count('listTools id-1')).toBe(1);
    clock.now += 1;
    await cached.listTools('id-1');
    expect(count('listTools id-1')).toBe(2);
  });

  it('keeps tools for ten minutes by default', async () => {
    const { cached, count, clock } = setup();
    await cached.listTools('id-1');
    clock.now += 10 * 60 * 1000 - 1;
    await cached.listTools('id-1');
    expect(count('listTools id-1')).toBe(1);
    clock.now += 1;
    await cached.listTools('id-1');
    expect(count('listTools id-1')).toBe(2);
  });

  it('does not remember an empty tool list or a failure', async () => {
    const { cached, count, answers } = setup();
    answers.tools = () => Promise.resolve([]);
    expect(await cached.listTools('id-1')).toEqual([]);
    answers.tools = () => Promise.reject(toolError('failed'));
    await expect(cached.listTools('id-1')).rejects.toThrow(ToolError);
    answers.tools = () => Promise.resolve(TOOLS);
    expect(await cached.listTools('id-1')).toEqual(TOOLS);
    expect(count('listTools id-1')).toBe(3);
  });

  it('keeps status and tools apart', async () => {
    const { cached, count } = setup();
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    await cached.listTools('id-2');
    expect(count('accountStatus id-1')).toBe(1);
    expect(count('listTools id-1')).toBe(1);
    expect(count('listTools id-2')).toBe(1);
  });
});

describe('cached gateway: concurrent callers', () => {
  it('share one upstream call while it is in flight', async () => {
    const { cached, count, answers } = setup();
    const upstream = deferred<ToolDefinition[]>();
    answers.tools = () => upstream.promise;
    const first = cached.listTools('id-1');
    const second = cached.listTools('id-1');
    const other = cached.listTools('id-2');
    expect(count('listTools id-1')).toBe(1);
    expect(count('listTools id-2')).toBe(1);
    upstream.resolve(TOOLS);
    expect(await first).toEqual(TOOLS);
    expect(await second).toEqual(TOOLS);
    expect(await other).toEqual(TOOLS);
  });

  it('share a failure, and the next caller tries again', async () => {
    const { cached, count, answers } = setup();
    const upstream = deferred<AccountStatus | undefined>();
    answers.status = () => upstream.promise;
    const first = cached.accountStatus('id-1');
    const second = cached.accountStatus('id-1');
    upstream.reject(new ScalekitUnavailableError('down'));
    await expect(first).rejects.toThrow(ScalekitUnavailableError);
    await expect(second).rejects.toThrow(ScalekitUnavailableError);
    answers.status = () => Promise.resolve(ACTIVE);
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(count('accountStatus id-1')).toBe(2);
  });
});

describe('cached gateway: forgetting', () => {
  it('forget drops both status and tools of that identifier only', async () => {
    const { cached, count } = setup();
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    await cached.accountStatus('id-2');
    cached.forget('id-1');
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    await cached.accountStatus('id-2');
    expect(count('accountStatus id-1')).toBe(2);
    expect(count('listTools id-1')).toBe(2);
    expect(count('accountStatus id-2')).toBe(1);
  });

  it('an answer that was in flight when forget ran is not cached afterwards', async () => {
    const { cached, count, answers } = setup();
    const stale = deferred<AccountStatus | undefined>();
    answers.status = () => stale.promise;
    const before = cached.accountStatus('id-1');
    cached.forget('id-1');
    stale.resolve(ACTIVE);
    await before;
    answers.status = () => Promise.resolve(EXPIRED);
    expect(await cached.accountStatus('id-1')).toEqual(EXPIRED);
    expect(count('accountStatus id-1')).toBe(2);
  });

  it('a late non-ACTIVE answer from before a connect does not drop the ACTIVE entry fetched after it', async () => {
    const { cached, count, answers } = setup();
    const stale = deferred<AccountStatus | undefined>();
    answers.status = () => stale.promise;
    const before = cached.accountStatus('id-1');
    await cached.verifyUser({ authRequestId: 'r1', identifier: 'id-1' });
    answers.status = () => Promise.resolve(ACTIVE);
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    stale.resolve(EXPIRED);
    expect(await before).toEqual(EXPIRED);
    expect(await cached.accountStatus('id-1')).toEqual(ACTIVE);
    expect(count('accountStatus id-1')).toBe(2);
  });

  it('a late failure of a forgotten call does not drop the entry that replaced it', async () => {
    const { cached, count, answers } = setup();
    const stale = deferred<ToolDefinition[]>();
    answers.tools = () => stale.promise;
    const before = cached.listTools('id-1');
    cached.forget('id-1');
    answers.tools = () => Promise.resolve(TOOLS);
    await cached.listTools('id-1');
    stale.reject(toolError('failed'));
    await expect(before).rejects.toThrow(ToolError);
    await cached.listTools('id-1');
    expect(count('listTools id-1')).toBe(2);
  });

  it.each(['auth', 'forbidden'] as const)('a %s tool error drops the cache and is rethrown', async (kind) => {
    const { cached, count, answers } = setup();
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    await cached.listTools('id-2');
    const error = toolError(kind);
    answers.execute = () => Promise.reject(error);
    await expect(cached.executeTool({ identifier: 'id-1', toolName: 'x', input: {} })).rejects.toBe(error);
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    await cached.listTools('id-2');
    expect(count('accountStatus id-1')).toBe(2);
    expect(count('listTools id-1')).toBe(2);
    expect(count('listTools id-2')).toBe(1);
  });

  it('other tool failures keep the cache', async () => {
    const { cached, count, answers } = setup();
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    for (const error of [toolError('rate_limited'), toolError('failed'), new ScalekitUnavailableError('down')]) {
      answers.execute = () => Promise.reject(error);
      await expect(cached.executeTool({ identifier: 'id-1', toolName: 'x', input: {} })).rejects.toBe(error);
    }
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    expect(count('accountStatus id-1')).toBe(1);
    expect(count('listTools id-1')).toBe(1);
  });

  it('a successful tool run keeps the cache and returns the result', async () => {
    const { cached, count } = setup();
    await cached.listTools('id-1');
    expect(await cached.executeTool({ identifier: 'id-1', toolName: 'x', input: {} })).toEqual({
      data: {},
      executionId: 'x1',
    });
    await cached.listTools('id-1');
    expect(count('listTools id-1')).toBe(1);
  });

  it('verifyUser and deleteAccount drop the cache, whether they succeed or fail', async () => {
    const { cached, count, answers } = setup();
    const warm = async () => {
      await cached.accountStatus('id-1');
      await cached.listTools('id-1');
    };
    await warm();
    await cached.verifyUser({ authRequestId: 'r1', identifier: 'id-1' });
    await warm();
    answers.verify = () => Promise.reject(new Error('verify failed'));
    await expect(cached.verifyUser({ authRequestId: 'r2', identifier: 'id-1' })).rejects.toThrow('verify failed');
    await warm();
    await cached.deleteAccount('id-1');
    await warm();
    answers.remove = () => Promise.reject(new Error('delete failed'));
    await expect(cached.deleteAccount('id-1')).rejects.toThrow('delete failed');
    await warm();
    expect(count('accountStatus id-1')).toBe(5);
    expect(count('listTools id-1')).toBe(5);
  });

  it('passes authorization links through uncached', async () => {
    const { cached, count } = setup();
    const params = { identifier: 'id-1', state: 's', userVerifyUrl: 'https://bot.test/verify' };
    expect(await cached.authorizationLink(params)).toBe('https://scalekit.test/auth/id-1');
    await cached.authorizationLink(params);
    expect(count('authorizationLink id-1')).toBe(2);
  });
});

describe('cached gateway: bounded memory', () => {
  it('drops the oldest identifier once there are more than maxEntries', async () => {
    const { cached, count } = setup({ maxEntries: 2 });
    await cached.accountStatus('id-1');
    await cached.accountStatus('id-2');
    await cached.accountStatus('id-3');
    await cached.accountStatus('id-3');
    await cached.accountStatus('id-2');
    expect(count('accountStatus id-2')).toBe(1);
    expect(count('accountStatus id-3')).toBe(1);
    await cached.accountStatus('id-1');
    expect(count('accountStatus id-1')).toBe(2);
  });
});

/** A fresh copy of a tool list each call, as Scalekit's SDK decodes one per response. */
const catalogue = (...names: string[]): ToolDefinition[] =>
  names.map((name) => ({
    name,
    description: `The ${name} tool`,
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    annotations: { read_only_hint: true },
  }));

describe('cached gateway: one copy of each distinct tool list', () => {
  it('gives teammates with identical lists the same frozen array', async () => {
    const { cached, count, answers } = setup();
    answers.tools = () => Promise.resolve(catalogue('intercom_list_tags', 'intercom_search_contacts'));
    const first = await cached.listTools('id-1');
    const second = await cached.listTools('id-2');
    expect(count('listTools id-1')).toBe(1);
    expect(count('listTools id-2')).toBe(1);
    expect(second).toBe(first);
    expect(first).toEqual(catalogue('intercom_list_tags', 'intercom_search_contacts'));
    // Shared, so nobody may change it, down to the schemas.
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first[0]?.inputSchema.properties)).toBe(true);
    expect(() => {
      (first as ToolDefinition[]).push(TOOLS[0] as ToolDefinition);
    }).toThrow(TypeError);
  });

  it('keeps a list that differs apart', async () => {
    const { cached, answers } = setup();
    answers.tools = (identifier) =>
      Promise.resolve(
        identifier === 'id-2'
          ? catalogue('intercom_list_tags')
          : catalogue('intercom_list_tags', 'intercom_search_contacts'),
      );
    const first = await cached.listTools('id-1');
    const other = await cached.listTools('id-2');
    const third = await cached.listTools('id-3');
    expect(other).not.toBe(first);
    expect(other.map((t) => t.name)).toEqual(['intercom_list_tags']);
    expect(third).toBe(first);
    // A definition that differs only inside its schema is a different list too.
    answers.tools = () => {
      const changed = catalogue('intercom_list_tags', 'intercom_search_contacts');
      (changed[1] as ToolDefinition).inputSchema = { type: 'object', properties: { email: { type: 'string' } } };
      return Promise.resolve(changed);
    };
    const fourth = await cached.listTools('id-4');
    expect(fourth).not.toBe(first);
    expect(fourth[1]?.inputSchema).toEqual({ type: 'object', properties: { email: { type: 'string' } } });
  });

  it('hands out the same array again after the TTL, and after forgetting', async () => {
    const { cached, count, answers, clock } = setup({ toolsTtlMs: 1000 });
    answers.tools = () => Promise.resolve(catalogue('intercom_list_tags'));
    const first = await cached.listTools('id-1');
    clock.now += 1000;
    expect(await cached.listTools('id-1')).toBe(first);
    cached.forget('id-1');
    expect(await cached.listTools('id-1')).toBe(first);
    expect(count('listTools id-1')).toBe(3);
  });

  it('past maxToolListBytes drops the least recently loaded list and the teammates that use it', async () => {
    const size = JSON.stringify(catalogue('intercom_list_tags')).length;
    const { cached, count, answers } = setup({ maxToolListBytes: 2 * size + 10 });
    const names: Record<string, string> = { 'id-a': 'intercom_aaaa_tags', 'id-b': 'intercom_bbbb_tags' };
    answers.tools = (identifier) => Promise.resolve(catalogue(names[identifier] ?? 'intercom_cccc_tags'));
    const a = await cached.listTools('id-a');
    await cached.listTools('id-a2');
    await cached.listTools('id-b');
    // Two distinct lists fit; a third pushes out the oldest (id-a's), with both teammates using it.
    const c = await cached.listTools('id-c');
    await cached.listTools('id-b');
    await cached.listTools('id-c');
    expect(count('listTools id-b')).toBe(1);
    expect(count('listTools id-c')).toBe(1);
    const again = await cached.listTools('id-a');
    expect(count('listTools id-a')).toBe(2);
    expect(again).toEqual(a);
    expect(again).not.toBe(a);
    // Loading id-a's list again pushed out the next oldest (id-b's); id-c's, loaded after it, stays.
    expect(await cached.listTools('id-c')).toBe(c);
    expect(count('listTools id-c')).toBe(1);
    await cached.listTools('id-b');
    expect(count('listTools id-b')).toBe(2);
  });

  it('keeps a list bigger than the bound for the teammate who asked', async () => {
    const { cached, count, answers } = setup({ maxToolListBytes: 10 });
    answers.tools = () => Promise.resolve(catalogue('intercom_list_tags'));
    const first = await cached.listTools('id-1');
    expect(first.map((t) => t.name)).toEqual(['intercom_list_tags']);
    expect(await cached.listTools('id-1')).toBe(first);
    expect(count('listTools id-1')).toBe(1);
  });
});
