import { createOpenAI } from '@ai-sdk/openai';

export interface ModelConfig {
  apiKey: string;
  baseUrl?: string;
  model: string;
}

/**
 * The model, always over Chat Completions: OpenAI and every OpenAI-compatible router (FastRouter, OpenRouter,
 * vLLM, Ollama) speak it, and unlike the Responses API it keeps no conversation state at the provider.
 */
export function createModel(config: ModelConfig, options: { onRateLimited?: () => void } = {}) {
  const { onRateLimited } = options;
  return createOpenAI({
    apiKey: config.apiKey,
    // The base URL is passed explicitly so the SDK never falls back to reading the environment on its own.
    baseURL: config.baseUrl ?? 'https://api.openai.com/v1',
    // Every response passes here, retries included: a 429 is the provider asking for less, whoever sent it.
    fetch: onRateLimited
      ? async (input, init) => {
          const response = await fetch(input, init);
          if (response.status === 429) onRateLimited();
          return response;
        }
      : undefined,
  }).chat(config.model);
}
