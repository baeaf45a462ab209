import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../src/scalekit/scalekit-gateway.ts';
import { setup, TOOLS } from './fake-gateway.ts';

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
