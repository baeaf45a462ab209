/** Responses API (`POST /v1/responses`) answers, whole or streamed. */
import type { ReplyContext } from './http.ts';
import { asArray, isRecord, type JsonRecord, nowSeconds } from './json.ts';
import { type Output, splitArguments, splitText, type Usage } from './output.ts';
import type { ModelRequest } from './types.ts';

export interface ResponsesMessageItem {
  type: 'message';
  id: string;
  status: 'completed';
  role: 'assistant';
  content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }>;
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'completed';
}

export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: 'completed';
  error: null;
  incomplete_details: null;
  model: string;
  output: Array<ResponsesMessageItem | ResponsesFunctionCallItem>;
  parallel_tool_calls: boolean;
  tool_choice: unknown;
  tools: unknown[];
  usage: JsonRecord;
}

export function responsesResponse(
  request: ModelRequest,
  output: Output,
  usage: Usage,
  id: string,
  messageId: string,
  nextId: (p: string) => string,
): ResponsesResponse {
  const items: ResponsesResponse['output'] = [];
  if (output.text !== '' || output.toolCalls.length === 0) {
    items.push({
      type: 'message',
      id: messageId,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: output.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of output.toolCalls) {
    items.push({
      type: 'function_call',
      id: nextId('fc_'),
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    });
  }
  const raw = isRecord(request.raw) ? request.raw : {};
  return {
    id,
    object: 'response',
    created_at: nowSeconds(),
    status: 'completed',
    error: null,
    incomplete_details: null,
    model: request.model,
    output: items,
    parallel_tool_calls: raw.parallel_tool_calls !== false,
    tool_choice: raw.tool_choice ?? 'auto',
    tools: asArray(raw.tools),
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + usage.output,
    },
  };
}

export async function streamResponses(
  context: ReplyContext,
  response: ResponsesResponse,
  chunkDelayMs: number,
): Promise<void> {
  const events: JsonRecord[] = [];
  const inProgress = { ...response, status: 'in_progress', output: [], usage: null };
  events.push({ type: 'response.created', response: inProgress });
  events.push({ type: 'response.in_progress', response: inProgress });
  response.output.forEach((item, outputIndex) => {
    if (item.type === 'message') {
      const text = item.content[0]?.text ?? '';
      const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      events.push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      });
      events.push({
        type: 'response.content_part.added',
        ...at,
        part: { type: 'output_text', text: '', annotations: [] },
      });
      for (const piece of splitText(text)) {
        events.push({ type: 'response.output_text.delta', ...at, delta: piece, logprobs: [] });
      }
      events.push({ type: 'response.output_text.done', ...at, text, logprobs: [] });
      events.push({ type: 'response.content_part.done', ...at, part: { type: 'output_text', text, annotations: [] } });
    } else {
      events.push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const piece of splitArguments(item.arguments)) {
        events.push({
          type: 'response.function_call_arguments.delta',
          item_id: item.id,
          output_index: outputIndex,
          delta: piece,
        });
      }
      events.push({
        type: 'response.function_call_arguments.done',
        item_id: item.id,
        output_index: outputIndex,
        arguments: item.arguments,
      });
    }
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  });
  events.push({ type: 'response.completed', response });

  context.startSse();
  let sequence = 0;
  for (const event of events) {
    const line = `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence++ })}\n\n`;
    if (!(await context.send(line, chunkDelayMs))) return;
  }
  context.end('');
}
