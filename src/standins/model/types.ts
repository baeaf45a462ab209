/** What the model stand-in records of each request, and what a test or a script tells it to answer. */
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

export type ModelReply = {
  delayMs?: number;
  /** A streamed reply's connection is reset after this many events (a connection lost mid-stream). */
  resetAfterEvents?: number;
} & (
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
