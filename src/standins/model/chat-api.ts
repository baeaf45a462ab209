/** Chat Completions (`POST /v1/chat/completions`) answers, whole or streamed. */
import type { ReplyContext } from './http.ts';
import { isRecord, type JsonRecord, nowSeconds } from './json.ts';
import { type Output, splitArguments, splitText, type Usage } from './output.ts';
import type { ModelRequest } from './types.ts';

export function chatUsage(usage: Usage): JsonRecord {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export function chatFinishReason(output: Output): string {
  return output.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

export function chatCompletion(request: ModelRequest, output: Output, usage: Usage, id: string): JsonRecord {
  const message: JsonRecord = {
    role: 'assistant',
    // OpenAI sends null rather than '' when the model only called tools.
    content: output.text === '' && output.toolCalls.length > 0 ? null : output.text,
    refusal: null,
  };
  if (output.toolCalls.length > 0) {
    message.tool_calls = output.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id,
    object: 'chat.completion',
    created: nowSeconds(),
    model: request.model,
    // `index` looks redundant with one choice, but the SDK's schema rejects the response without it.
    choices: [{ index: 0, message, logprobs: null, finish_reason: chatFinishReason(output) }],
    usage: chatUsage(usage),
  };
}

export async function streamChat(
  context: ReplyContext,
  request: ModelRequest,
  output: Output,
  usage: Usage,
  id: string,
  chunkDelayMs: number,
): Promise<void> {
  const created = nowSeconds();
  const chunk = (choices: unknown[], extra: JsonRecord = {}): JsonRecord => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    choices,
    ...extra,
  });
  const delta = (d: JsonRecord, finishReason: string | null = null): JsonRecord =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);

  const events: JsonRecord[] = [];
  // A `content: ''` in a tool-call-only stream would make the SDK open an empty text part; OpenAI sends null there.
  events.push(delta({ role: 'assistant', content: output.text === '' && output.toolCalls.length > 0 ? null : '' }));
  for (const piece of splitText(output.text)) events.push(delta({ content: piece }));
  output.toolCalls.forEach((call, index) => {
    events.push(
      delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    );
    for (const piece of splitArguments(call.arguments)) {
      events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(delta({}, chatFinishReason(output)));
  const streamOptions = isRecord(request.raw) ? request.raw.stream_options : undefined;
  if (isRecord(streamOptions) && streamOptions.include_usage === true) {
    events.push(chunk([], { usage: chatUsage(usage) }));
  }

  context.startSse();
  for (const event of events) {
    if (!(await context.send(`data: ${JSON.stringify(event)}\n\n`, chunkDelayMs))) return;
  }
  context.end('data: [DONE]\n\n');
}
