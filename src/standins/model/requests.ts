/** Both OpenAI APIs' request bodies, normalised into one `ModelRequest` shape. */
import { asArray, asString, isRecord, type JsonRecord, parseJsonOrKeep } from './json.ts';
import type { ModelApi, ModelMessage, ModelRequest, ModelTool, ModelToolCall } from './types.ts';

/** The text of the last user message, or '' when there is none. */
export function lastUserText(req: ModelRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const message = req.messages[i];
    if (message?.role === 'user') return message.text;
  }
  return '';
}

/**
 * Tool results the client sent back, JSON-parsed where possible, in order. With `toolName`, only results whose
 * call (matched by id in the same request) was to that tool.
 */
export function toolResults(req: ModelRequest, toolName?: string): unknown[] {
  const nameById = new Map<string, string>();
  for (const message of req.messages) {
    for (const call of message.toolCalls ?? []) nameById.set(call.id, call.name);
  }
  return req.messages
    .filter((m) => m.role === 'tool' && (toolName === undefined || nameById.get(m.toolCallId ?? '') === toolName))
    .map((m) => parseJsonOrKeep(m.text));
}

export const ROUTES = new Map<string, ModelApi>([
  ['/v1/chat/completions', 'chat'],
  ['/v1/responses', 'responses'],
]);

export interface ProducedItem {
  text?: string;
  toolCall?: ModelToolCall;
}

export function normaliseChat(body: JsonRecord, apiKey: string): ModelRequest {
  const messages: ModelMessage[] = [];
  for (const m of asArray(body.messages)) {
    if (!isRecord(m)) continue;
    const text = contentText(m.content);
    switch (m.role) {
      case 'system':
      case 'developer':
        messages.push({ role: 'system', text });
        break;
      case 'user':
        messages.push({ role: 'user', text });
        break;
      case 'assistant': {
        const toolCalls = asArray(m.tool_calls)
          .filter(isRecord)
          .map((call) => {
            const fn = isRecord(call.function) ? call.function : {};
            return { id: asString(call.id), name: asString(fn.name), args: parseJsonOrKeep(asString(fn.arguments)) };
          });
        messages.push(toolCalls.length > 0 ? { role: 'assistant', text, toolCalls } : { role: 'assistant', text });
        break;
      }
      case 'tool':
        messages.push({ role: 'tool', text, toolCallId: asString(m.tool_call_id) });
        break;
      case 'function':
        messages.push({ role: 'tool', text, toolCallId: asString(m.name) });
        break;
    }
  }
  const tools: ModelTool[] = [];
  for (const t of asArray(body.tools)) {
    if (!isRecord(t) || t.type !== 'function' || !isRecord(t.function)) continue;
    tools.push(toolOf(t.function));
  }
  return { api: 'chat', model: asString(body.model), stream: body.stream === true, messages, tools, raw: body, apiKey };
}

export function normaliseResponses(
  body: JsonRecord,
  apiKey: string,
  lookup: (id: string) => ProducedItem | undefined,
): ModelRequest {
  const messages: ModelMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    messages.push({ role: 'system', text: body.instructions });
  }
  // Chat Completions puts an assistant's text and its tool calls in one message, while the Responses API sends
  // them as separate items; merging them keeps both APIs' ModelRequests identical for the same conversation.
  let assistantOpen = false;
  const addAssistantText = (text: string): void => {
    messages.push({ role: 'assistant', text });
    assistantOpen = true;
  };
  const addToolCall = (call: ModelToolCall): void => {
    const last = messages.at(-1);
    if (assistantOpen && last?.role === 'assistant') {
      last.toolCalls = [...(last.toolCalls ?? []), call];
    } else {
      messages.push({ role: 'assistant', text: '', toolCalls: [call] });
    }
    assistantOpen = true;
  };

  const input = body.input;
  if (typeof input === 'string') messages.push({ role: 'user', text: input });
  for (const item of asArray(input)) {
    if (!isRecord(item)) continue;
    switch (item.type) {
      case 'function_call':
        addToolCall({
          id: asString(item.call_id),
          name: asString(item.name),
          args: parseJsonOrKeep(asString(item.arguments)),
        });
        continue;
      case 'function_call_output':
        messages.push({ role: 'tool', text: contentText(item.output), toolCallId: asString(item.call_id) });
        assistantOpen = false;
        continue;
      case 'item_reference': {
        const produced = lookup(asString(item.id));
        if (produced?.text !== undefined) addAssistantText(produced.text);
        if (produced?.toolCall !== undefined) addToolCall(produced.toolCall);
        continue;
      }
      case undefined:
      case 'message':
        break;
      default:
        // reasoning, web_search_call, …: nothing a test of this bot needs to see; still visible in `raw`.
        continue;
    }
    const text = contentText(item.content);
    switch (item.role) {
      case 'system':
      case 'developer':
        messages.push({ role: 'system', text });
        assistantOpen = false;
        break;
      case 'user':
        messages.push({ role: 'user', text });
        assistantOpen = false;
        break;
      case 'assistant':
        addAssistantText(text);
        break;
    }
  }

  const tools: ModelTool[] = [];
  for (const t of asArray(body.tools)) {
    if (isRecord(t) && t.type === 'function') tools.push(toolOf(t));
  }
  return {
    api: 'responses',
    model: asString(body.model),
    stream: body.stream === true,
    messages,
    tools,
    raw: body,
    apiKey,
  };
}

export function toolOf(fn: JsonRecord): ModelTool {
  const tool: ModelTool = { name: asString(fn.name), parameters: fn.parameters };
  if (typeof fn.description === 'string') tool.description = fn.description;
  return tool;
}

/** Both APIs allow either a string or an array of typed parts (`text`, `input_text`, `output_text`, images…). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .filter(isRecord)
    .map((part) => part.text)
    .filter((text): text is string => typeof text === 'string')
    .join('\n');
}
