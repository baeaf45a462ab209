import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseParams, readBody } from './http.ts';
import { createOidc } from './oidc.ts';
import { createSocketMode } from './socket-mode.ts';
import { createWorkspaceState, messagesInThread, type WorkspaceState } from './state.ts';
import type { Failure, ResponseUrlPost, SlackApiEmulator, SlackCall } from './types.ts';
import { answerWebApi } from './web-api.ts';

export type * from './types.ts';

/**
 * A loopback Slack Web API that records every call and answers the way Slack does, so the real WebClient
 * (inside Bolt) can be pointed at it through SLACK_API_URL. It also serves `response_url`s, Sign in with Slack and
 * Socket Mode.
 */
export async function startSlackApiEmulator(
  options: { botToken?: string; appToken?: string; latencyMs?: number; port?: number } = {},
): Promise<SlackApiEmulator> {
  const botToken = options.botToken ?? 'xoxb-test-bot-token';
  const appToken = options.appToken ?? 'xapp-test-app-token';
  const calls: SlackCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const failures = new Map<string, Failure[]>();
  const alwaysFailing = new Map<string, string>();
  const holds = new Map<string, Promise<void>>();
  const listeners = new Set<() => void>();
  const callListeners = new Set<(call: SlackCall) => void>();
  const sockets = new Set<Socket>();

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const socketMode = createSocketMode(server, { hello: () => emulator.socketHello, onConnect: notify });

  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: WorkspaceState = createWorkspaceState({ origin, botUserId: 'UBOT', botId: 'BBOT', teamId: 'T0001' });
  const oidcSettings = { clientId: 'slack-client-id', clientSecret: 'slack-client-secret-for-tests' };
  const oidc = createOidc(oidcSettings, state.nextId);

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
      oidc.authorize(url, res);
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

    if (failure && 'reset' in failure) {
      // The connection is reset before Slack has done anything with the call.
      call.response = { reset: true };
      notify();
      req.socket.resetAndDestroy();
      return;
    }
    if (failure && 'status' in failure) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      call.response = {
        ok: false,
        error: failure.status === 429 ? 'ratelimited' : 'internal_error',
        status: failure.status,
      };
      notify();
      res.writeHead(failure.status, headers).end(JSON.stringify({ ok: false, error: call.response.error }));
      return;
    }
    const expected = method === 'apps.connections.open' ? appToken : botToken;
    const body = failure
      ? { ok: false, error: failure.error }
      : method.startsWith('openid.')
        ? oidc.answer(method, params, token)
        : token !== expected
          ? { ok: false, error: 'invalid_auth' }
          : answerWebApi(state, method, params);
    call.response = body;
    for (const listener of callListeners) listener(call);
    notify();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
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
    botUserId: state.botUserId,
    botId: state.botId,
    teamId: state.teamId,
    calls,
    responses,
    ephemerals: state.ephemerals,
    latencyMs: options.latencyMs ?? 0,
    socketHello: true,
    oidc: oidcSettings,
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
    stopFailing(method) {
      alwaysFailing.delete(method);
    },
    expireStream(channel, ts) {
      const message = state.messages.find((m) => m.channel === channel && m.ts === ts);
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
      state.messages.push(message);
      notify();
    },
    waitForAnswer: (channel, threadTs, nth = 1, timeoutMs = 5000) =>
      waitFor(
        () => messagesInThread(state, channel, threadTs).filter((m) => m.user === state.botUserId && m.final)[nth - 1],
        `answer ${nth} in ${channel}/${threadTs}`,
        timeoutMs,
      ),
    messagesIn: (channel, threadTs) =>
      threadTs ? messagesInThread(state, channel, threadTs) : state.messages.filter((m) => m.channel === channel),
    allMessages: () => [...state.messages],
    openedView: (triggerId) => state.views.get(triggerId),
    homeOf: (userId) => state.homes.get(userId),
    unfurls: state.unfurls,
    detailsRequest({ user, entity, channel, messageTs }) {
      const triggerId = `${state.nextId()}.entity-${user}`;
      state.detailsTriggers.set(triggerId, { user });
      const host = new URL(entity.url).hostname;
      return {
        type: 'entity_details_requested',
        user,
        trigger_id: triggerId,
        link: { url: entity.app_unfurl_url ?? entity.url, domain: host },
        entity_url: entity.url,
        ...(entity.app_unfurl_url && { app_unfurl_url: entity.app_unfurl_url }),
        external_ref: entity.external_ref,
        user_locale: 'en-US',
        event_ts: state.nextTs(),
        ...(channel && { channel }),
        ...(messageTs && { message_ts: messageTs }),
      };
    },
    waitForDetails: (triggerId, timeoutMs = 5000) =>
      waitFor(() => state.details.get(triggerId), `entity.presentDetails for ${triggerId}`, timeoutMs),
    presentedDetails: (triggerId) => state.details.get(triggerId),
    shareLinks({ user, channel, urls, threadTs, ts: posted }) {
      const ts = posted ?? state.nextTs();
      const unfurlId = `U${state.nextId()}`;
      state.unfurlIds.set(unfurlId, { channel, ts });
      if (!posted) {
        state.messages.push({ channel, ts, user, text: urls.map((u) => `<${u}>`).join(' '), thread_ts: threadTs });
        notify();
      }
      const domains = urls.map((url) => {
        try {
          return new URL(url).hostname;
        } catch {
          return '';
        }
      });
      return {
        type: 'link_shared',
        channel,
        is_bot_user_member: true,
        user,
        message_ts: ts,
        ...(threadTs && { thread_ts: threadTs }),
        unfurl_id: unfurlId,
        source: 'conversations_history',
        links: urls.map((url, i) => ({ domain: domains[i], url })),
        event_ts: ts,
      };
    },
    nextTs: state.nextTs,
    responseUrl: (id = `r${state.nextId()}`) => `${origin}/response/${id}`,
    setUser(user) {
      state.users.set(user.id, user);
    },
    snapshot: state.snapshot,
    restore(snapshot) {
      state.restore(snapshot);
      notify();
    },
    socket: socketMode.socket,
    get socketConnections() {
      return socketMode.connections();
    },
    dropSocket: socketMode.drop,
    onCall(listener) {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async sendEnvelope(type, payload) {
      const ws = await waitFor(() => socketMode.socket(), 'a Socket Mode connection', 5000);
      return socketMode.send(ws, type, payload);
    },
    async close() {
      socketMode.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return emulator;
}
