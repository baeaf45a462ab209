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
export function createModel(config: ModelConfig) {
  // The base URL is passed explicitly so the SDK never falls back to reading the environment on its own.
  return createOpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl ?? 'https://api.openai.com/v1' }).chat(
    config.model,
  );
}
