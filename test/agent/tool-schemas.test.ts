import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIntercomTools } from '../../src/agent/intercom-tools.ts';
import type { ToolDefinition } from '../../src/scalekit/scalekit-gateway.ts';
import { intercomTools } from '../../src/standins/intercom/tools/catalogue.ts';
import { type ModelReply, type ModelRequest, toolResults } from '../../src/standins/model/emulator.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

// What the model is shown of each tool, and which calls still get through: the schemas go out as Scalekit gives
// them (no strict-mode rewrite), and arguments are still checked against them before Intercom is called.

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ botOptions: { agent: { runTimeoutMs: 5000, maxSteps: 3 } } });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
});

const executions = () => t.scalekit.callsOf('ExecuteTool');
const mention = (user: string, text: string) =>
  t.sendEvent({ type: 'app_mention', user, text: `<@UBOT> ${text}`, ts: t.slack.nextTs(), channel: 'CSCHEMA' });

/** Calls one tool with these arguments, then answers with whatever came back. */
const callOnce =
  (name: string, args: unknown) =>
  (req: ModelRequest): ModelReply =>
    toolResults(req).length === 0 ? { toolCalls: [{ name, args }] } : { text: 'done' };

describe('tool schemas sent to the model', () => {
  it('are each tool’s JSON Schema as Scalekit gives it, not rewritten for strict mode', async () => {
    t.connectUser('USCHEMA1');
    await mention('USCHEMA1', 'what can you do?');
    const [request] = await t.model.waitForRequests(1);
    const raw = request?.raw as { tools?: Array<{ function: { name: string; strict?: boolean } }> } | undefined;
    // The Intercom tools, as Scalekit describes them (the bot's own watch tools are defined with zod, not here).
    const sent = (raw?.tools ?? []).filter((tool) => tool.function.name.startsWith('intercom_'));
    const intercom = (request?.tools ?? []).filter((tool) => tool.name.startsWith('intercom_'));
    expect(sent.length).toBeGreaterThan(15);
    const catalogue = new Map(intercomTools.map((tool) => [tool.name, tool.input_schema]));
    for (const tool of intercom) {
      const given = catalogue.get(tool.name);
      // Tools without parameters come as `{}`; the model needs an object schema. (Mastra itself gives a property
      // without any `type` a list of types, hence toMatchObject; `required` lists must still match exactly.)
      expect(tool.parameters).toMatchObject(given?.type === 'object' ? given : { type: 'object', properties: {} });
    }
    // No `anyOf [T, null]` for optional fields, no forced `additionalProperties`, and strict mode off.
    expect(JSON.stringify(intercom)).not.toMatch(/anyOf|x-optional|\$schema|additionalProperties/);
    for (const tool of sent) expect(tool.function.strict).toBe(false);
  });

  it('let the model leave optional parameters out or fill them in, and Intercom gets exactly that', async () => {
    t.connectUser('USCHEMA2');
    const query = { field: 'email', operator: '=', value: 'john@acme.com' };
    for (const args of [{ query }, { query, pagination: { per_page: 5 } }]) {
      const before = executions().length;
      t.model.respond(callOnce('intercom_search_contacts', args));
      await mention('USCHEMA2', 'find john@acme.com');
      await t.model.waitForRequests(2);
      expect(
        executions()
          .slice(before)
          .map((c) => c.request.params),
      ).toEqual([args]);
      t.model.reset();
    }
  });

  it('still check the arguments: a call that does not fit is sent back to the model, not to Intercom', async () => {
    t.connectUser('USCHEMA3');
    const before = executions().length;
    t.model.respond(callOnce('intercom_search_contacts', { query: 'john@acme.com' }));
    await mention('USCHEMA3', 'find john');
    const [, second] = await t.model.waitForRequests(2);
    expect(JSON.stringify(toolResults(second as ModelRequest))).toMatch(/validation failed.*query/i);
    expect(executions().length).toBe(before);
  });
});

describe('tool schemas as built', () => {
  const build = (inputSchema: Record<string, unknown>) => {
    const definition: ToolDefinition = {
      name: 'intercom_list_tags',
      description: 'List tags',
      inputSchema,
      annotations: {},
    };
    const deps = { onWrite: () => Promise.reject(new Error('not called')) };
    const tool = buildIntercomTools([definition], deps).intercom_list_tags;
    const schema = tool?.inputSchema as { '~standard': { jsonSchema: { input(o: object): unknown } } } | undefined;
    return schema?.['~standard'].jsonSchema.input({ target: 'draft-07' });
  };

  it('are the very objects Scalekit sent when nothing needs fixing', () => {
    const given = { type: 'object', properties: { ids: { type: 'array', items: { type: 'string' } } } };
    expect(build(given)).toBe(given);
  });

  it('give an array without items an empty items schema (OpenAI refuses the function otherwise)', () => {
    const given = {
      type: 'object',
      properties: { ids: { type: 'array', description: 'ids' }, filter: { anyOf: [{ type: 'array' }] } },
    };
    expect(build(given)).toEqual({
      type: 'object',
      properties: {
        ids: { type: 'array', description: 'ids', items: {} },
        filter: { anyOf: [{ type: 'array', items: {} }] },
      },
    });
    expect(given.properties.ids).toEqual({ type: 'array', description: 'ids' });
  });
});
