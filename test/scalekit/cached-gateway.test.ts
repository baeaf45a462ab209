import { describe, expect, it } from 'vitest';
import { ScalekitUnavailableError, ToolError } from '../../src/errors.ts';
import type { ScalekitIdentifier } from '../../src/identity/identity-store.ts';
import type { AccountStatus, ToolDefinition } from '../../src/scalekit/scalekit-gateway.ts';
import { ACTIVE, deferred, EXPIRED, setup, TOOLS, toolError } from './fake-gateway.ts';

/** Tools run only with an identifier the identity map resolved; this test stands in for it. */
const ID1 = 'id-1' as ScalekitIdentifier;

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
    await expect(cached.executeTool({ identifier: ID1, toolName: 'x', input: {} })).rejects.toBe(error);
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
      await expect(cached.executeTool({ identifier: ID1, toolName: 'x', input: {} })).rejects.toBe(error);
    }
    await cached.accountStatus('id-1');
    await cached.listTools('id-1');
    expect(count('accountStatus id-1')).toBe(1);
    expect(count('listTools id-1')).toBe(1);
  });

  it('a successful tool run keeps the cache and returns the result', async () => {
    const { cached, count } = setup();
    await cached.listTools('id-1');
    expect(await cached.executeTool({ identifier: ID1, toolName: 'x', input: {} })).toEqual({
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
