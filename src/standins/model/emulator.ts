/**
 * A scriptable stand-in for the OpenAI HTTP API so the real Mastra agent loop (and @ai-sdk/openai underneath it)
 * can run in tests without network access. It speaks both `POST /v1/chat/completions` (`openai.chat(id)`) and
 * `POST /v1/responses` (the default `openai(id)`), streaming and non-streaming, and normalises every request into
 * one `ModelRequest` shape so tests do not care which API the code under test picked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ModelApi = 'chat' | 'responses';
export type ModelRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ModelToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments; the raw string if the client sent something that is not JSON. */
  args: unknown;
}

export interface ModelMessage {
  role: ModelRole;
  text: string;
  toolCalls?: ModelToolCall[];
  toolCallId?: string;
}

export interface ModelTool {
  name: string;
  description?: string;
  parameters: unknown;
}

export interface ModelRequest {
  api: ModelApi;
  model: string;
  stream: boolean;
  messages: ModelMessage[];
  tools: ModelTool[];
  /** The parsed JSON body exactly as the client sent it. */
  raw: unknown;
  /** The bearer token the request carried. */
  apiKey?: string;
}

export interface ReplyToolCall {
  name: string;
  /** Serialised with JSON.stringify; a string is sent verbatim, which lets tests send malformed arguments. */
  args: unknown;
  id?: string;
}

export interface ReplyError {
  status: number;
  message: string;
  type?: string;
}

export type ModelReply = { delayMs?: number } & (
  | { text: string }
  /** `text` models the preamble real models often send alongside tool calls ("Let me look that up."). */
  | { toolCalls: ReplyToolCall[]; text?: string }
  | { error: ReplyError }
  | { hang: true }
);

export type ModelResponder = (req: ModelRequest, index: number) => ModelReply | Promise<ModelReply>;

export interface OpenAIEmulatorOptions {
  /** Delay before every reply; also settable later through `emulator.latencyMs`. */
  latencyMs?: number;
  /** Pause between SSE events. 0 still yields to the event loop between writes. */
  chunkDelayMs?: number;
  /** When set, any other bearer token gets OpenAI's 401 `invalid_api_key`. */
  apiKey?: string;
}

export interface OpenAIEmulator {
  /** `http://127.0.0.1:<port>/v1`, ready for `createOpenAI({ baseURL })`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every well-formed, authenticated request, in arrival order. */
  readonly requests: ModelRequest[];
  /** The bearer token of every HTTP request, including rejected ones; `undefined` when none was sent. */
  readonly apiKeys: Array<string | undefined>;
  /** Replies queued with `queue()` and not consumed yet. */
  readonly queuedReplies: number;
  latencyMs: number;
  chunkDelayMs: number;
  respond(fn: ModelResponder): void;
  queue(...replies: ModelReply[]): void;
  waitForRequests(n: number, timeoutMs?: number): Promise<ModelRequest[]>;
  /** Same as the standalone helper; defaults to the most recent request. */
  lastUserText(req?: ModelRequest): string;
  /** Same as the standalone helper; defaults to the most recent request. */
  toolResults(req?: ModelRequest, toolName?: string): unknown[];
  /** Forgets requests, keys and queued replies and restores the default responder, for `beforeEach`. */
  reset(): void;
  close(): Promise<void>;
}

const defaultResponder: ModelResponder = () => ({ text: 'ok' });

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

export async function startOpenAIEmulator(options: OpenAIEmulatorOptions = {}): Promise<OpenAIEmulator> {
  const requests: ModelRequest[] = [];
  const apiKeys: Array<string | undefined> = [];
  let replies: ModelReply[] = [];
  let responder = defaultResponder;
  let waiters: Array<() => void> = [];
  let closed = false;
  let counter = 0;
  const nextId = (prefix: string): string => `${prefix}${++counter}`;
  // The Responses API refers back to items it already received as `item_reference`s (the SDK defaults to
  // `store: true`), so remember what we produced in order to expand those references when normalising.
  const producedItems = new Map<string, ProducedItem>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendError(res, 500, `OpenAI emulator failed: ${errorMessage(error)}`, 'server_error');
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const apiKey = readBearer(req.headers.authorization);
    apiKeys.push(apiKey);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = req.method === 'POST' ? ROUTES.get(path) : undefined;
    const body = await readBody(req);
    if (api === undefined) {
      sendError(res, 404, `Invalid URL (${req.method ?? 'GET'} ${path})`, 'invalid_request_error');
      return;
    }
    if (apiKey === undefined) {
      sendError(
        res,
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer " +
          'auth (i.e. Authorization: Bearer YOUR_KEY).',
        'invalid_request_error',
      );
      return;
    }
    if (options.apiKey !== undefined && apiKey !== options.apiKey) {
      sendError(
        res,
        401,
        `Incorrect API key provided: ${maskKey(apiKey)}.`,
        'invalid_request_error',
        'invalid_api_key',
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    if (!isRecord(parsed)) {
      sendError(res, 400, 'The request body must be a JSON object.', 'invalid_request_error');
      return;
    }
    if (typeof parsed.model !== 'string' || parsed.model === '') {
      sendError(res, 400, 'you must provide a model parameter', 'invalid_request_error');
      return;
    }

    const request =
      api === 'chat'
        ? normaliseChat(parsed, apiKey)
        : normaliseResponses(parsed, apiKey, (id) => producedItems.get(id));
    const index = requests.push(request) - 1;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();

    const context = new ReplyContext(res);
    let reply: ModelReply;
    try {
      reply = replies.shift() ?? (await responder(request, index));
    } catch (error) {
      sendError(res, 500, `OpenAI emulator responder threw: ${errorMessage(error)}`, 'server_error');
      return;
    }

    await context.pause(emulator.latencyMs + (reply.delayMs ?? 0));
    if (context.gone || closed) return;

    if ('hang' in reply) {
      // Never answer; close() or the client giving up ends it.
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    if ('error' in reply) {
      sendError(res, reply.error.status, reply.error.message, reply.error.type ?? errorTypeFor(reply.error.status));
      return;
    }

    const output = buildOutput(reply, nextId);
    const usage = estimateUsage(body, output);
    if (api === 'chat') {
      if (request.stream) {
        await streamChat(context, request, output, usage, nextId('chatcmpl-'), emulator.chunkDelayMs);
      } else {
        sendJson(res, 200, chatCompletion(request, output, usage, nextId('chatcmpl-')));
      }
      return;
    }
    const response = responsesResponse(request, output, usage, nextId('resp_'), nextId('msg_'), nextId);
    for (const item of response.output) {
      if (item.type === 'message') producedItems.set(item.id, { text: item.content[0]?.text ?? '' });
      else
        producedItems.set(item.id, {
          toolCall: { id: item.call_id, name: item.name, args: parseJsonOrKeep(item.arguments) },
        });
    }
    if (request.stream) {
      await streamResponses(context, response, emulator.chunkDelayMs);
    } else {
      sendJson(res, 200, response);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const emulator: OpenAIEmulator = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    apiKeys,
    get queuedReplies() {
      return replies.length;
    },
    latencyMs: options.latencyMs ?? 0,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    respond(fn) {
      responder = fn;
    },
    queue(...more) {
      replies.push(...more);
    },
    waitForRequests(n, timeoutMs = 5_000) {
      return new Promise<ModelRequest[]>((resolve, reject) => {
        const check = (): boolean => {
          if (requests.length < n) return false;
          clearTimeout(timer);
          resolve(requests.slice());
          return true;
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== listener);
          reject(new Error(`OpenAI emulator: expected ${n} request(s) within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        const listener = (): void => {
          if (!check()) waiters.push(listener);
        };
        listener();
      });
    },
    lastUserText(req) {
      const target = req ?? requests.at(-1);
      return target === undefined ? '' : lastUserText(target);
    },
    toolResults(req, toolName) {
      const target = req ?? requests.at(-1);
      return target === undefined ? [] : toolResults(target, toolName);
    },
    reset() {
      requests.length = 0;
      apiKeys.length = 0;
      replies = [];
      responder = defaultResponder;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const res of hanging) res.destroy();
      hanging.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets from fetch would otherwise hold server.close() (and the test process) open.
      server.closeAllConnections();
      await done;
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------------------------------
// Request normalisation

const ROUTES = new Map<string, ModelApi>([
  ['/v1/chat/completions', 'chat'],
  ['/v1/responses', 'responses'],
]);

type JsonRecord = Record<string, unknown>;

interface ProducedItem {
  text?: string;
  toolCall?: ModelToolCall;
}

function normaliseChat(body: JsonRecord, apiKey: string): ModelRequest {
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

function normaliseResponses(
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

function toolOf(fn: JsonRecord): ModelTool {
  const tool: ModelTool = { name: asString(fn.name), parameters: fn.parameters };
  if (typeof fn.description === 'string') tool.description = fn.description;
  return tool;
}

/** Both APIs allow either a string or an array of typed parts (`text`, `input_text`, `output_text`, images…). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .filter(isRecord)
    .map((part) => part.text)
    .filter((text): text is string => typeof text === 'string')
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Replies

interface Output {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
}

interface Usage {
  input: number;
  output: number;
}

function buildOutput(
  reply: { text: string } | { toolCalls: ReplyToolCall[]; text?: string },
  nextId: (p: string) => string,
): Output {
  if (!('toolCalls' in reply)) return { text: reply.text, toolCalls: [] };
  return {
    text: reply.text ?? '',
    toolCalls: reply.toolCalls.map((call) => ({
      id: call.id ?? nextId('call_'),
      name: call.name,
      arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args ?? {}),
    })),
  };
}

function estimateUsage(rawBody: string, output: Output): Usage {
  const produced = output.text.length + output.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return { input: Math.max(1, Math.ceil(rawBody.length / 4)), output: Math.max(1, Math.ceil(produced / 4)) };
}

function chatUsage(usage: Usage): JsonRecord {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function chatFinishReason(output: Output): string {
  return output.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function chatCompletion(request: ModelRequest, output: Output, usage: Usage, id: string): JsonRecord {
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

async function streamChat(
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

interface ResponsesMessageItem {
  type: 'message';
  id: string;
  status: 'completed';
  role: 'assistant';
  content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }>;
}

interface ResponsesFunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'completed';
}

interface ResponsesResponse {
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

function responsesResponse(
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

async function streamResponses(
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

/** Word-sized pieces (at most 8) so a streamed reply really arrives as several deltas. */
function splitText(text: string): string[] {
  if (text === '') return [];
  let pieces = text.split(/(?<=\s)(?=\S)/);
  if (pieces.length === 1) {
    const chars = Array.from(text);
    if (chars.length < 2) return [text];
    const half = Math.ceil(chars.length / 2);
    return [chars.slice(0, half).join(''), chars.slice(half).join('')];
  }
  const maxPieces = 8;
  if (pieces.length > maxPieces) {
    const size = Math.ceil(pieces.length / maxPieces);
    const grouped: string[] = [];
    for (let i = 0; i < pieces.length; i += size) grouped.push(pieces.slice(i, i + size).join(''));
    pieces = grouped;
  }
  return pieces;
}

/** Arguments arrive in fragments from real models; the client has to reassemble them. */
function splitArguments(args: string): string[] {
  const chars = Array.from(args);
  if (chars.length < 3) return args === '' ? [] : [args];
  const third = Math.ceil(chars.length / 3);
  return [0, 1, 2].map((i) => chars.slice(i * third, (i + 1) * third).join('')).filter((s) => s !== '');
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP plumbing

/** Tracks whether the client is still there so delays and streams stop as soon as it goes away. */
class ReplyContext {
  readonly res: ServerResponse;
  gone = false;

  constructor(res: ServerResponse) {
    this.res = res;
    res.once('close', () => {
      if (!res.writableFinished) this.gone = true;
    });
  }

  pause(ms: number): Promise<void> {
    if (this.gone) return Promise.resolve();
    if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.res.once('close', done);
    });
  }

  startSse(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
  }

  async send(data: string, delayMs: number): Promise<boolean> {
    if (this.gone) return false;
    this.res.write(data);
    await this.pause(delayMs);
    return !this.gone;
  }

  end(data: string): void {
    if (!this.gone) this.res.end(data);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function readBearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function maskKey(key: string): string {
  return key.length <= 8 ? key : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

function errorTypeFor(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null = null,
): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function parseJsonOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
