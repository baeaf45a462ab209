/**
 * A scriptable stand-in for the OpenAI HTTP API so the real Mastra agent loop (and @ai-sdk/openai underneath it)
 * can run in tests without network access. It speaks both `POST /v1/chat/completions` (`openai.chat(id)`) and
 * `POST /v1/responses` (the default `openai(id)`), streaming and non-streaming, and normalises every request into
 * one `ModelRequest` shape so tests do not care which API the code under test picked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion, streamChat } from './chat-api.ts';
import { errorTypeFor, maskKey, ReplyContext, readBearer, readBody, sendError, sendJson } from './http.ts';
import { errorMessage, isRecord, parseJsonOrKeep } from './json.ts';
import { buildOutput, estimateUsage } from './output.ts';
import { lastUserText, normaliseChat, normaliseResponses, type ProducedItem, ROUTES, toolResults } from './requests.ts';
import { responsesResponse, streamResponses } from './responses-api.ts';
import type { ModelReply, ModelRequest, ModelResponder, OpenAIEmulator, OpenAIEmulatorOptions } from './types.ts';

export type * from './types.ts';
export { lastUserText, toolResults };

const defaultResponder: ModelResponder = () => ({ text: 'ok' });

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

    let reply: ModelReply;
    try {
      reply = replies.shift() ?? (await responder(request, index));
    } catch (error) {
      sendError(res, 500, `OpenAI emulator responder threw: ${errorMessage(error)}`, 'server_error');
      return;
    }
    const context = new ReplyContext(res, reply.resetAfterEvents);

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
