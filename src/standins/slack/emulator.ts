import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  token: string | undefined;
  at: number;
  /** What the emulator answered (e.g. the `ts` of a posted message). */
  response?: Record<string, unknown>;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  user?: string;
  bot_id?: string;
  /** chat.startStream messages: true until stopStream (or until Slack gives up on them, see expireStream). */
  streaming?: boolean;
  /** Every chunk a stream received, in order (markdown_text chunks also build up `text`). */
  chunks?: Array<Record<string, unknown>>;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

type Failure = { error: string } | { status: number; retryAfter?: number };

export interface SlackApiEmulator {
  /** Pass as `slackApiUrl` / SLACK_API_URL. */
  apiUrl: string;
  origin: string;
  botToken: string;
  botUserId: string;
  botId: string;
  teamId: string;
  calls: SlackCall[];
  /** Posts to `response_url`s handed out by `responseUrl()`. */
  responses: ResponseUrlPost[];
  callsOf(method: string): SlackCall[];
  waitForCall(method: string, predicate?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  waitForResponse(predicate?: (post: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
  /** The next call of `method` fails: a Slack error (`ok:false`) or an HTTP status such as 429. */
  failNext(method: string, failure: Failure): void;
  /** Every call of `method` fails with this Slack error from now on (an older Slack, a feature not enabled). */
  failAlways(method: string, error: string): void;
  /** Slack closes a stream as it does after about five minutes: later appends and stops fail. */
  expireStream(channel: string, ts: string): void;
  /**
   * Calls of `method` are recorded but not answered until the returned function is called (a hung Slack). Calls
   * queued to fail with `failNext` still fail at once.
   */
  hold(method: string): () => void;
  /** A fresh message ts, later than every ts handed out before (Slack's ts order is time order). */
  nextTs(): string;
  /** A message a person wrote, so `conversations.replies` returns it. */
  seedMessage(message: SlackMessage): void;
  messagesIn(channel: string, threadTs?: string): SlackMessage[];
  responseUrl(id?: string): string;
  setUser(user: { id: string; name?: string; email?: string }): void;
  /** Latency added to every Web API call (bench). */
  latencyMs: number;
  /** Sign in with Slack: the app's OAuth client, and who the next browser at the authorize page is. */
  oidc: { clientId: string; clientSecret: string; signedInUser?: { teamId: string; userId: string } };
  /** Calls `listener` with every call once it is answered (cheaper than waitForCall for many waiters). */
  onCall(listener: (call: SlackCall) => void): () => void;
  /** Socket Mode: whether a new WebSocket gets Slack's `hello` (without it the client never counts as connected). */
  socketHello: boolean;
  /** Socket Mode: the open WebSocket to the bot, once it has connected. */
  socket(): WebSocket | undefined;
  /** Socket Mode: sends an envelope and resolves with the bot's ack frame. */
  sendEnvelope(type: 'events_api' | 'slash_commands' | 'interactive', payload: unknown): Promise<unknown>;
  close(): Promise<void>;
}

const KNOWN_METHODS = new Set([
  'auth.test',
  'apps.connections.open',
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.delete',
  'conversations.open',
  'conversations.replies',
  'conversations.info',
  'users.info',
  'views.open',
  'views.publish',
  'views.update',
  'reactions.add',
  'reactions.remove',
  'assistant.threads.setStatus',
  'assistant.threads.setSuggestedPrompts',
  'assistant.threads.setTitle',
  'agents.sessions.setStatus',
  'chat.startStream',
  'chat.appendStream',
  'chat.stopStream',
  'conversations.history',
  'openid.connect.token',
  'openid.connect.userInfo',
]);

/**
 * A loopback Slack Web API that records every call and answers the way Slack does, so the real WebClient
 * (inside Bolt) can be pointed at it through SLACK_API_URL. It also serves `response_url`s and Socket Mode.
 */
export async function startSlackApiEmulator(
  options: { botToken?: string; appToken?: string; latencyMs?: number } = {},
): Promise<SlackApiEmulator> {
  const botToken = options.botToken ?? 'xoxb-test-bot-token';
  const appToken = options.appToken ?? 'xapp-test-app-token';
  const botUserId = 'UBOT';
  const botId = 'BBOT';
  const teamId = 'T0001';
  const calls: SlackCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const failures = new Map<string, Failure[]>();
  const alwaysFailing = new Map<string, string>();
  const holds = new Map<string, Promise<void>>();
  const messages: SlackMessage[] = [];
  const users = new Map<string, { id: string; name?: string; email?: string }>();
  const listeners = new Set<() => void>();
  const callListeners = new Set<(call: SlackCall) => void>();
  const sockets = new Set<Socket>();
  let tsCounter = 0;
  let envelopeCounter = 0;
  let openSocket: WebSocket | undefined;
  const pendingAcks = new Map<string, (payload: unknown) => void>();
  const oidcCodes = new Map<string, { teamId: string; userId: string; redirectUri: string }>();
  const oidcTokens = new Map<string, { teamId: string; userId: string }>();

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const nextTs = () => `${1_700_000_000 + Math.floor(tsCounter / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ server, path: '/link' });
  wss.on('connection', (ws) => {
    openSocket = ws;
    if (emulator.socketHello) {
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } }));
    }
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (frame.envelope_id) pendingAcks.get(frame.envelope_id)?.(frame.payload ?? {});
    });
    notify();
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/response/')) {
      responses.push({ id: url.pathname.slice('/response/'.length), body: JSON.parse(raw || '{}') });
      notify();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (url.pathname === '/openid/connect/authorize') {
      // The user "signs in" as whoever the test says; Slack then sends the browser back with a code.
      const user = emulator.oidc.signedInUser;
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (!user || url.searchParams.get('client_id') !== emulator.oidc.clientId || !redirectUri) {
        res.writeHead(400).end('bad authorize request');
        return;
      }
      const code = `oidc-code-${++tsCounter}`;
      oidcCodes.set(code, { ...user, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      res.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const params = parseParams(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (params.token as string | undefined);
    const call: SlackCall = { method, params, token, at: performance.now() };
    calls.push(call);
    const always = alwaysFailing.get(method);
    const failure: Failure | undefined = always ? { error: always } : failures.get(method)?.shift();
    const held = holds.get(method);
    if (held && !failure) {
      notify();
      await held;
    }
    if (emulator.latencyMs > 0) await new Promise((r) => setTimeout(r, emulator.latencyMs));

    if (failure && 'status' in failure) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      call.response = { ok: false, error: 'ratelimited', status: failure.status };
      notify();
      res.writeHead(failure.status, headers).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const expected = method === 'apps.connections.open' ? appToken : botToken;
    const body = failure
      ? { ok: false, error: failure.error }
      : method.startsWith('openid.')
        ? answerOidc(method, params, token)
        : token !== expected
          ? { ok: false, error: 'invalid_auth' }
          : answer(method, params);
    call.response = body;
    for (const listener of callListeners) listener(call);
    notify();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  function answer(method: string, p: Record<string, unknown>): Record<string, unknown> {
    if (!KNOWN_METHODS.has(method)) return { ok: false, error: 'unknown_method' };
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: botUserId, bot_id: botId, team_id: teamId, url: 'https://test.slack.com/' };
      case 'apps.connections.open':
        return { ok: true, url: `${origin.replace('http', 'ws')}/link` };
      case 'conversations.open': {
        const user = String(p.users ?? '').split(',')[0];
        return user ? { ok: true, channel: { id: `D${user}` } } : { ok: false, error: 'users_list_not_supplied' };
      }
      case 'chat.postMessage': {
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        if (!p.text && !p.blocks) return { ok: false, error: 'no_text' };
        const message: SlackMessage = {
          channel: String(p.channel),
          ts: nextTs(),
          thread_ts: p.thread_ts as string | undefined,
          text: p.text as string | undefined,
          blocks: p.blocks,
          user: botUserId,
          bot_id: botId,
        };
        messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts, message };
      }
      case 'chat.update': {
        const message = messages.find((m) => m.channel === p.channel && m.ts === p.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        if (p.text !== undefined) message.text = String(p.text);
        if (p.blocks !== undefined) message.blocks = p.blocks;
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.startStream': {
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        if (!p.thread_ts) return { ok: false, error: 'missing_thread_ts' };
        // Outside a DM only one person sees a stream live, and Slack insists on being told who.
        if (!String(p.channel).startsWith('D')) {
          if (!p.recipient_team_id) return { ok: false, error: 'missing_recipient_team_id' };
          if (!p.recipient_user_id) return { ok: false, error: 'missing_recipient_user_id' };
        }
        const message: SlackMessage = {
          channel: String(p.channel),
          ts: nextTs(),
          thread_ts: String(p.thread_ts),
          text: '',
          user: botUserId,
          bot_id: botId,
          streaming: true,
          chunks: [],
        };
        appendToStream(message, p);
        messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const message = messages.find((m) => m.channel === p.channel && m.ts === p.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        if (!message.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
        appendToStream(message, p);
        if (method === 'chat.stopStream') {
          message.streaming = false;
          if (p.blocks !== undefined) message.blocks = p.blocks;
          return { ok: true, channel: message.channel, ts: message.ts, message };
        }
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'conversations.history': {
        const oldest = Number(p.oldest ?? 0);
        const found = messages
          .filter((m) => m.channel === p.channel && (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) > oldest)
          .sort((a, b) => Number(b.ts) - Number(a.ts))
          .slice(0, Number(p.limit ?? 100));
        return { ok: true, messages: found, has_more: false };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'conversations.replies': {
        const thread = messagesInThread(String(p.channel), String(p.ts));
        return thread.length
          ? { ok: true, messages: thread, has_more: false }
          : { ok: false, error: 'thread_not_found' };
      }
      case 'users.info': {
        const user = users.get(String(p.user)) ?? { id: String(p.user) };
        return {
          ok: true,
          user: { id: user.id, name: user.name ?? user.id, real_name: user.name, profile: { email: user.email } },
        };
      }
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${++tsCounter}` } };
      default:
        return { ok: true };
    }
  }

  /** Sign in with Slack: client credentials for the token exchange, the issued user token for userInfo. */
  function answerOidc(method: string, p: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    if (method === 'openid.connect.token') {
      if (p.client_id !== emulator.oidc.clientId || p.client_secret !== emulator.oidc.clientSecret) {
        return { ok: false, error: 'invalid_client' };
      }
      const grant = oidcCodes.get(String(p.code));
      oidcCodes.delete(String(p.code));
      if (!grant || grant.redirectUri !== p.redirect_uri) return { ok: false, error: 'invalid_code' };
      const accessToken = `xoxp-oidc-${++tsCounter}`;
      oidcTokens.set(accessToken, grant);
      return { ok: true, access_token: accessToken, token_type: 'Bearer', id_token: 'header.payload.signature' };
    }
    const who = token ? oidcTokens.get(token) : undefined;
    if (!who) return { ok: false, error: 'invalid_auth' };
    return {
      ok: true,
      sub: who.userId,
      'https://slack.com/user_id': who.userId,
      'https://slack.com/team_id': who.teamId,
    };
  }

  /** A stream's text is what its markdown_text chunks add up to; task and plan chunks are kept as sent. */
  function appendToStream(message: SlackMessage, p: Record<string, unknown>): void {
    const chunks = [
      ...(typeof p.markdown_text === 'string' ? [{ type: 'markdown_text', text: p.markdown_text }] : []),
      ...(Array.isArray(p.chunks) ? (p.chunks as Array<Record<string, unknown>>) : []),
    ];
    for (const chunk of chunks) {
      message.chunks?.push(chunk);
      if (chunk.type === 'markdown_text') message.text = `${message.text ?? ''}${String(chunk.text ?? '')}`;
    }
  }

  function messagesInThread(channel: string, threadTs: string): SlackMessage[] {
    return messages
      .filter((m) => m.channel === channel && (m.ts === threadTs || m.thread_ts === threadTs))
      .sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  function waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  }

  const emulator: SlackApiEmulator = {
    apiUrl: `${origin}/api/`,
    origin,
    botToken,
    botUserId,
    botId,
    teamId,
    calls,
    responses,
    latencyMs: options.latencyMs ?? 0,
    socketHello: true,
    oidc: { clientId: 'slack-client-id', clientSecret: 'slack-client-secret-for-tests' },
    callsOf: (method) => calls.filter((c) => c.method === method),
    waitForCall: (method, predicate = () => true, timeoutMs = 5000) =>
      waitFor(() => calls.find((c) => c.method === method && predicate(c)), `Slack ${method}`, timeoutMs),
    waitForResponse: (predicate = () => true, timeoutMs = 5000) =>
      waitFor(() => responses.find(predicate), 'a response_url post', timeoutMs),
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    failAlways(method, error) {
      alwaysFailing.set(method, error);
    },
    expireStream(channel, ts) {
      const message = messages.find((m) => m.channel === channel && m.ts === ts);
      if (message) message.streaming = false;
    },
    hold(method) {
      let release = () => {};
      holds.set(
        method,
        new Promise<void>((resolve) => {
          release = () => {
            holds.delete(method);
            resolve();
          };
        }),
      );
      return release;
    },
    seedMessage(message) {
      messages.push(message);
    },
    messagesIn: (channel, threadTs) =>
      threadTs ? messagesInThread(channel, threadTs) : messages.filter((m) => m.channel === channel),
    nextTs,
    responseUrl: (id = `r${++tsCounter}`) => `${origin}/response/${id}`,
    setUser(user) {
      users.set(user.id, user);
    },
    socket: () => openSocket,
    onCall(listener) {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
    async sendEnvelope(type, payload) {
      const ws = await waitFor(() => openSocket, 'a Socket Mode connection', 5000);
      const envelopeId = `env-${++envelopeCounter}`;
      const acked = new Promise<unknown>((resolve) => pendingAcks.set(envelopeId, resolve));
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
          payload,
        }),
      );
      return acked;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return emulator;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The WebClient sends form-encoded bodies with non-scalar arguments (blocks, metadata) as JSON strings. */
function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = value.startsWith('[') || value.startsWith('{') ? tryJson(value) : value;
  }
  return params;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
