import { Agent } from '@mastra/core/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/agent/model.ts';
import { type OpenAIEmulator, startOpenAIEmulator } from '../../src/standins/model/emulator.ts';

let model: OpenAIEmulator;
beforeAll(async () => {
  model = await startOpenAIEmulator({ apiKey: 'sk-model-test' });
});
afterAll(async () => {
  await model.close();
});

describe('the model client', () => {
  it("tells whoever asked about each 429 from the provider (the work queue's back-pressure), and only about those", async () => {
    let rateLimited = 0;
    const agent = new Agent({
      id: 'probe',
      name: 'probe',
      instructions: 'probe',
      maxRetries: 0,
      model: createModel(
        { apiKey: 'sk-model-test', baseUrl: model.baseUrl, model: 'gpt-4o-mini' },
        { onRateLimited: () => rateLimited++ },
      ),
    });
    model.queue({ error: { status: 429, message: 'Rate limit reached', type: 'rate_limit_exceeded' } });
    await expect(agent.generate('hello')).rejects.toThrow();
    expect(rateLimited).toBe(1);
    model.queue({ error: { status: 500, message: 'boom' } }, { text: 'fine' });
    await expect(agent.generate('hello')).rejects.toThrow();
    expect((await agent.generate('hello')).text).toBe('fine');
    expect(rateLimited).toBe(1);
  });
});
