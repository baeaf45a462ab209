import { Agent } from '@mastra/core/agent';
import { describe, expect, it } from 'vitest';
import { attachLogger } from '../../src/agent/mastra-logger.ts';
import { createModel } from '../../src/agent/model.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from '../helpers/test-bot.ts';

describe('attachLogger (the one place that uses Mastra internals for logging)', () => {
  it("sends the agent's own logs through our logger, reduced to messages", async () => {
    const lines: string[] = [];
    // Nothing listens on this port, so the model call fails and Mastra logs it.
    const port = await freePort();
    const agent = new Agent({
      id: 'probe',
      name: 'probe',
      instructions: 'probe',
      maxRetries: 0,
      model: createModel({
        apiKey: 'sk-probe-key-123456',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        model: 'gpt-4o-mini',
      }),
    });
    attachLogger(agent, createLogger({ level: 'debug', write: (line) => lines.push(line) }));

    await expect(agent.generate('hello')).rejects.toThrow();

    const mastraLines = lines.map((l) => JSON.parse(l)).filter((r) => String(r.msg).startsWith('mastra: '));
    expect(mastraLines.some((r) => r.level === 'error')).toBe(true);
    expect(lines.join('\n')).not.toContain('sk-probe-key-123456');
  });
});
