import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { noopLogger } from '@mastra/core/logger';
import { RequestContext } from '@mastra/core/request-context';
import { createTool } from '@mastra/core/tools';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  lastUserText,
  type ModelApi,
  type OpenAIEmulator,
  startOpenAIEmulator,
  toolResults,
} from '../../src/standins/model/emulator.ts';

const emulator: OpenAIEmulator = await startOpenAIEmulator();

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.reset();
  emulator.latencyMs = 0;
});

// Typed loosely on purpose: the bot passes tool schemas it receives at runtime, not literals.
const lookupSchema: Record<string, unknown> = {
  type: 'object',
  properties: {
    email: { type: 'string', description: 'Customer email address' },
  },
  required: ['email'],
  additionalProperties: false,
};

interface LookupCall {
  input: unknown;
  tenant: unknown;
}

function buildAgent(api: ModelApi, options: { apiKey?: string } = {}) {
  const calls: LookupCall[] = [];
  const lookup = createTool({
    id: 'lookup',
    description: 'Find a customer by email',
    inputSchema: lookupSchema,
    execute: async (input, ctx) => {
      const tenant = ctx.requestContext.get('tenant');
      calls.push({ input, tenant });
      return { name: 'John', plan: 'pro', tenant };
    },
  });
  const provider = createOpenAI({ baseURL: emulator.baseUrl, apiKey: options.apiKey ?? 'sk-test' });
  const agent = new Agent({
    id: 'support',
    name: 'Support',
    instructions: 'You help the support team.',
    model: api === 'chat' ? provider.chat('gpt-4o-mini') : provider('gpt-4o-mini'),
    tools: { lookup },
  });
  return { agent: quiet(agent), calls };
}

/** An agent without tools, for tests about the emulator itself rather than the loop. */
function plainAgent(baseURL: string, api: ModelApi = 'chat', apiKey = 'sk-test'): Agent {
  const provider = createOpenAI({ baseURL, apiKey });
  const model = api === 'chat' ? provider.chat('gpt-4o-mini') : provider('gpt-4o-mini');
  return quiet(new Agent({ id: 'plain', name: 'Plain', instructions: 'Be brief.', model }));
}

// Mastra logs every provider error to stderr; the error tests here expect them.
function quiet<T extends Agent>(agent: T): T {
  agent.__setLogger(noopLogger);
  return agent;
}

function tenantContext(): RequestContext {
  return new RequestContext([['tenant', 'acme']]);
}

const endpoints: Record<ModelApi, string> = { chat: '/v1/chat/completions', responses: '/v1/responses' };

describe.each(['chat', 'responses'] as const)('real Mastra agent loop over %s', (api) => {
  const prompt = 'Who is john@acme.com?';

  function scriptLookupThenAnswer(): void {
    emulator.queue(
      { toolCalls: [{ name: 'lookup', args: { email: 'john@acme.com' } }] },
      { text: 'John is a customer' },
    );
  }

  function expectTwoStepConversation(stream: boolean, calls: LookupCall[]): void {
    expect(calls).toEqual([{ input: { email: 'john@acme.com' }, tenant: 'acme' }]);
    expect(emulator.requests).toHaveLength(2);
    expect(emulator.queuedReplies).toBe(0);
    const [first, second] = emulator.requests;
    if (first === undefined || second === undefined) throw new Error('expected two requests');

    for (const req of [first, second]) {
      expect(req.api).toBe(api);
      expect(req.model).toBe('gpt-4o-mini');
      expect(req.stream).toBe(stream);
      expect(req.apiKey).toBe('sk-test');
    }
    expect(emulator.apiKeys).toEqual(['sk-test', 'sk-test']);

    expect(first.messages[0]).toMatchObject({ role: 'system' });
    expect(first.messages[0]?.text).toContain('You help the support team.');
    expect(lastUserText(first)).toBe(prompt);
    expect(first.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(first.tools[0]?.description).toBe('Find a customer by email');
    expect(first.tools[0]?.parameters).toMatchObject({
      type: 'object',
      properties: { email: { type: 'string' } },
      required: ['email'],
    });

    const assistant = second.messages.find((m) => m.role === 'assistant');
    expect(assistant?.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'lookup', args: { email: 'john@acme.com' } },
    ]);
    const toolMessage = second.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.toolCallId).toBe(assistant?.toolCalls?.[0]?.id);
    expect(toolResults(second)).toEqual([{ name: 'John', plan: 'pro', tenant: 'acme' }]);
    expect(toolResults(second, 'lookup')).toHaveLength(1);
    expect(toolResults(second, 'other')).toEqual([]);
    expect(emulator.lastUserText()).toBe(prompt);
  }

  it(`generate() runs the tool loop against ${endpoints[api]}`, async () => {
    const { agent, calls } = buildAgent(api);
    scriptLookupThenAnswer();

    const result = await agent.generate(prompt, { requestContext: tenantContext(), maxSteps: 5 });

    expect(result.text).toBe('John is a customer');
    expect(result.finishReason).toBe('stop');
    expect(result.steps.map((s) => s.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.totalUsage.inputTokens).toBeGreaterThan(0);
    expectTwoStepConversation(false, calls);
  });

  it(`stream() runs the tool loop against ${endpoints[api]} and streams text in pieces`, async () => {
    const { agent, calls } = buildAgent(api);
    scriptLookupThenAnswer();

    const output = await agent.stream(prompt, { requestContext: tenantContext(), maxSteps: 5 });
    const pieces: string[] = [];
    for await (const piece of output.textStream) pieces.push(piece);

    expect(pieces.join('')).toBe('John is a customer');
    expect(pieces.length).toBeGreaterThan(1);
    expect(await output.text).toBe('John is a customer');
    expectTwoStepConversation(true, calls);
  });

  it('keeps preamble text and several tool calls in one assistant turn, with unique call ids', async () => {
    const { agent, calls } = buildAgent(api);
    emulator.queue(
      {
        text: 'Let me check both.',
        toolCalls: [
          { name: 'lookup', args: { email: 'a@acme.com' } },
          { name: 'lookup', args: { email: 'b@acme.com' } },
        ],
      },
      { text: 'Both are customers' },
    );

    const result = await agent.generate(prompt, { requestContext: tenantContext() });

    expect(result.text).toContain('Both are customers');
    expect(calls.map((c) => c.input)).toEqual([{ email: 'a@acme.com' }, { email: 'b@acme.com' }]);
    const second = emulator.requests[1];
    if (second === undefined) throw new Error('expected a second request');
    const assistants = second.messages.filter((m) => m.role === 'assistant');
    expect(assistants).toHaveLength(1);
    expect(assistants[0]?.text).toBe('Let me check both.');
    const ids = assistants[0]?.toolCalls?.map((c) => c.id) ?? [];
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(toolResults(second)).toHaveLength(2);
  });

  it('a 500 reply makes generate() throw and stream() reject', async () => {
    const { agent } = buildAgent(api);
    emulator.respond(() => ({ error: { status: 500, message: 'upstream exploded' } }));

    await expect(agent.generate(prompt, { requestContext: tenantContext() })).rejects.toThrow(/upstream exploded/);
    // Agent maxRetries defaults to 0, so a retryable status is still sent exactly once.
    expect(emulator.requests).toHaveLength(1);

    const output = await agent.stream(prompt, { requestContext: tenantContext() });
    await expect(output.text).rejects.toThrow(/upstream exploded/);
    expect(emulator.requests).toHaveLength(2);
  });

  it('a queued error is consumed once', async () => {
    const { agent } = buildAgent(api);
    emulator.queue({ error: { status: 400, message: 'bad tool schema' } });

    await expect(agent.generate(prompt, { requestContext: tenantContext() })).rejects.toThrow(/bad tool schema/);
    const result = await agent.generate(prompt, { requestContext: tenantContext() });
    expect(result.text).toBe('ok');
  });
});

describe('authentication', () => {
  it('answers 401 in OpenAI error shape when the key is missing', async () => {
    const response = await fetch(`${emulator.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining("didn't provide an API key"),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(emulator.apiKeys).toEqual([undefined]);
    expect(emulator.requests).toEqual([]);
  });

  it('makes the agent throw when the provider sends an empty key', async () => {
    const { agent } = buildAgent('chat', { apiKey: '' });
    await expect(agent.generate('hi', {})).rejects.toThrow(/API key/);
    expect(emulator.requests).toEqual([]);
  });

  it('rejects a wrong key when the emulator is started with apiKey', async () => {
    const strict = await startOpenAIEmulator({ apiKey: 'sk-right' });
    try {
      const agent = plainAgent(strict.baseUrl, 'chat', 'sk-wrong-key-123');
      await expect(agent.generate('hi', {})).rejects.toThrow(/Incorrect API key/);
      expect(strict.apiKeys).toContain('sk-wrong-key-123');

      const ok = plainAgent(strict.baseUrl, 'responses', 'sk-right');
      expect((await ok.generate('hi', {})).text).toBe('ok');
      expect(strict.requests.map((r) => r.apiKey)).toEqual(['sk-right']);
    } finally {
      await strict.close();
    }
  });
});

describe('HTTP edge cases', () => {
  const auth = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };

  it('answers 404 in OpenAI error shape for unknown routes', async () => {
    const response = await fetch(`${emulator.baseUrl}/embeddings`, { method: 'POST', headers: auth, body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: 'Invalid URL (POST /v1/embeddings)', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await fetch(`${emulator.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: '{"model":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(emulator.requests).toEqual([]);
  });

  it('sends chat SSE with a usage chunk and [DONE]', async () => {
    emulator.queue({ toolCalls: [{ name: 'lookup', args: { email: 'x@y.z' } }] });
    const response = await fetch(`${emulator.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text()).split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    expect(usage.usage.total_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2).choices[0]).toMatchObject({ index: 0, finish_reason: 'tool_calls' });
    const args = chunks
      .flatMap((c) => c.choices)
      .flatMap(
        (c: { delta?: { tool_calls?: Array<{ function: { arguments?: string } }> } }) => c.delta?.tool_calls ?? [],
      )
      .map((t: { function: { arguments?: string } }) => t.function.arguments ?? '')
      .join('');
    expect(JSON.parse(args)).toEqual({ email: 'x@y.z' });
  });

  it('sends Responses SSE events with increasing sequence numbers', async () => {
    emulator.queue({ text: 'one two three' });
    const response = await fetch(`${emulator.baseUrl}/responses`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, input: 'hi', instructions: 'be brief' }),
    });
    const events = (await response.text())
      .split('\n\n')
      .filter((e) => e !== '')
      .map((e) => JSON.parse(e.split('\n')[1]?.replace(/^data: /, '') ?? 'null'));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(emulator.requests[0]?.messages).toEqual([
      { role: 'system', text: 'be brief' },
      { role: 'user', text: 'hi' },
    ]);
  });
});

describe('scripting', () => {
  it('consumes queued replies before the responder, which sees each request and its index', async () => {
    const seen: number[] = [];
    emulator.respond((req, index) => {
      seen.push(index);
      return { text: `echo ${lastUserText(req)}` };
    });
    emulator.queue({ text: 'queued' });
    const agent = plainAgent(emulator.baseUrl);

    expect((await agent.generate('first', {})).text).toBe('queued');
    expect((await agent.generate('second', {})).text).toBe('echo second');
    expect(seen).toEqual([1]);
  });

  it('waitForRequests resolves once enough requests arrived and rejects on timeout', async () => {
    const agent = plainAgent(emulator.baseUrl);
    const waiting = emulator.waitForRequests(1, 2_000);
    await agent.generate('hello', {});
    expect((await waiting).map((r) => lastUserText(r))).toEqual(['hello']);
    await expect(emulator.waitForRequests(2, 50)).rejects.toThrow(/expected 2 request\(s\) within 50 ms, got 1/);
  });

  it('applies latencyMs and per-reply delayMs', async () => {
    const agent = plainAgent(emulator.baseUrl);
    emulator.latencyMs = 80;
    emulator.queue({ text: 'slow', delayMs: 80 });
    const started = performance.now();
    expect((await agent.generate('hi', {})).text).toBe('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('a hanging reply lets the client time out, and close() ends the rest', async () => {
    const local = await startOpenAIEmulator();
    local.respond(() => ({ hang: true }));
    const agent = plainAgent(local.baseUrl);

    const aborted = await agent.generate('hi', { abortSignal: AbortSignal.timeout(100) }).then(
      (r) => r.finishReason,
      (e: unknown) => (e instanceof Error ? e.name : String(e)),
    );
    expect(aborted).toMatch(/abort/i);

    const pending = fetch(`${local.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    await local.waitForRequests(2);
    const started = performance.now();
    await local.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
