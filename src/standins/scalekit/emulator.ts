// A local stand-in for Scalekit AgentKit that the real `@scalekit-sdk/node` client can talk to. The SDK speaks gRPC
// (binary protobuf over h2c) for every AgentKit call but fetches its bearer token over HTTP/1.1 from the same base
// URL, so one loopback port serves both by sniffing the HTTP/2 connection preface (see /work/shared/notes/scalekit.md).

import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { ConnectedAccountService, ConnectorStatus, ToolService } from '../../scalekit/sdk-internals.ts';
import { intercomHandlers } from '../intercom/handlers/handlers.ts';
import { intercomTools } from '../intercom/tools/catalogue.ts';
import type { ToolDefinition } from '../intercom/types.ts';
import { IntercomWorkspace } from '../intercom/workspace.ts';
import { AccountStore, accountKey, toView } from './accounts.ts';
import { connectedAccountService } from './connected-account-service.ts';
import { ConnectionFaults } from './faults.ts';
import { createScalekitHttp } from './http.ts';
import { toolService } from './tool-service.ts';
import type {
  AccountView,
  HttpRequestRecord,
  MagicLinkView,
  RpcCall,
  ScalekitEmulator,
  ScalekitEmulatorOptions,
  ScalekitSnapshot,
  ToolFailure,
} from './types.ts';
import { connectedAccountEvent, deliverWebhook, newWebhookSecret, type SendWebhookOptions } from './webhooks.ts';
import { describeRequest } from './wire.ts';

export type * from './types.ts';
export { ConnectorStatus };

export async function startScalekitEmulator(options: ScalekitEmulatorOptions = {}): Promise<ScalekitEmulator> {
  const emulator = new ScalekitEmulatorServer(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

class ScalekitEmulatorServer implements ScalekitEmulator {
  url = '';
  readonly clientId: string;
  readonly clientSecret: string;
  latencyMs: number;
  toolLatencyMs: number;
  readonly calls: RpcCall[] = [];
  readonly httpRequests: HttpRequestRecord[] = [];
  unauthenticatedCalls = 0;
  readonly intercom: IntercomWorkspace;
  readonly tools: readonly ToolDefinition[];

  readonly #now: () => number;
  readonly #store: AccountStore;
  readonly #rpcNames: Set<string>;
  readonly #accessTokens = new Set<string>();
  readonly #toolFailures: ToolFailure[] = [];
  readonly #rpcFailures = new Map<string, ConnectError[]>();
  readonly #sockets = new Set<Socket>();
  readonly #closing = new AbortController();
  readonly #server: Server;
  readonly #http1: HttpServer;
  readonly #http2: Http2Server;
  readonly faults: ConnectionFaults;
  readonly webhookSecret = newWebhookSecret();
  webhookUrl?: string;
  #port = 0;

  constructor(options: ScalekitEmulatorOptions) {
    this.#now = options.now ?? Date.now;
    this.latencyMs = options.latencyMs ?? 0;
    this.toolLatencyMs = options.toolLatencyMs ?? 0;
    this.clientId = options.clientId ?? `skc_emulated_${randomBytes(6).toString('hex')}`;
    this.clientSecret = options.clientSecret ?? `emulated-client-secret-${randomBytes(12).toString('hex')}`;
    this.#store = new AccountStore({
      now: this.#now,
      linkTtlMs: options.linkTtlMs ?? 10 * 60_000,
      connectionNames: options.connectionNames ?? ['intercom'],
    });
    this.#store.secrets.add(this.clientSecret);
    this.#store.secrets.add(this.webhookSecret);
    this.tools = structuredClone(options.tools ?? intercomTools);
    this.intercom = new IntercomWorkspace({ now: this.#now });
    this.#rpcNames = new Set([...ConnectedAccountService.methods, ...ToolService.methods].map((m) => m.name));
    this.#server = createNetServer((socket) => this.#acceptSocket(socket));
    this.#http1 = createHttpServer(
      createScalekitHttp({
        store: this.#store,
        intercom: this.intercom,
        url: () => this.url,
        clientId: this.clientId,
        clientSecret: this.clientSecret,
        accessTokens: this.#accessTokens,
        httpRequests: this.httpRequests,
        consentPage: options.consentPage ?? false,
        now: this.#now,
        beforeToken: () => this.faults.beforeToken(),
      }),
    );
    const services = {
      accounts: connectedAccountService(this.#store, {
        url: () => this.url,
        magicLinkUrl: (id) => this.#magicLinkUrl(id),
        now: this.#now,
      }),
      tools: toolService(this.#store, {
        tools: this.tools,
        toolsByName: new Map(this.tools.map((tool) => [tool.name, tool])),
        handlers: { ...intercomHandlers, ...options.handlers },
        intercom: this.intercom,
        toolFailures: this.#toolFailures,
        toolLatencyMs: () => this.toolLatencyMs,
        now: this.#now,
      }),
    };
    this.#http2 = createHttp2Server(
      connectNodeAdapter({
        routes: (router) => {
          router.service(ConnectedAccountService, services.accounts);
          router.service(ToolService, services.tools);
        },
        interceptors: [(next) => this.#guard(next)],
      }),
    );
    this.faults = new ConnectionFaults({
      server: this.#server,
      http2: this.#http2,
      sockets: this.#sockets,
      port: () => this.#port,
      forgetTokens: () => this.revokeAccessTokens(),
      closing: this.#closing.signal,
    });
  }

  get secrets(): readonly string[] {
    return [...this.#store.secrets];
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const socket of this.#sockets) socket.destroy();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- test hooks --------------------------------------------------------------------------------------------------

  callsOf(rpc: string): RpcCall[] {
    return this.calls.filter((call) => call.rpc === rpc);
  }

  toolCallsPerMinute(toolName?: string): number {
    const times = this.callsOf('ExecuteTool')
      .filter((call) => toolName === undefined || call.request.toolName === toolName)
      .map((call) => call.at)
      .sort((a, b) => a - b);
    let most = 0;
    for (let first = 0, last = 0; last < times.length; last++) {
      while ((times[last] as number) - (times[first] as number) >= 60_000) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  account(identifier: string, connector = 'intercom'): AccountView | undefined {
    const account = this.#store.accounts.get(accountKey(connector, identifier));
    return account && toView(account);
  }

  accounts(): AccountView[] {
    return [...this.#store.accounts.values()].map(toView);
  }

  connectAccount(identifier: string, connector = 'intercom'): AccountView {
    const account =
      this.#store.accounts.get(accountKey(connector, identifier)) ?? this.#store.create(connector, identifier);
    account.credentials = this.#store.mintCredentials();
    this.#store.touch(account, ConnectorStatus.ACTIVE);
    return toView(account);
  }

  setStatus(identifier: string, status: ConnectorStatus, connector = 'intercom'): void {
    this.#store.touch(this.#store.existing(identifier, connector), status);
  }

  revokeIntercomToken(identifier: string, connector = 'intercom'): void {
    this.#store.touch(this.#store.existing(identifier, connector), ConnectorStatus.EXPIRED);
  }

  async sendWebhook(
    type: Parameters<ScalekitEmulator['sendWebhook']>[0],
    identifier: string,
    options: SendWebhookOptions & { connector?: string; oldStatus?: string } = {},
  ) {
    if (!this.webhookUrl) throw new Error('no webhook URL is configured');
    const account = this.#store.existing(identifier, options.connector ?? 'intercom');
    const view = toView(account);
    const event = connectedAccountEvent(
      type,
      { ...view, status: view.statusName, oldStatus: options.oldStatus },
      new Date(this.#now()),
    );
    return deliverWebhook({ url: this.webhookUrl, secret: this.webhookSecret, event, options });
  }

  async breakConnection(identifier: string, connector = 'intercom'): Promise<void> {
    const before = toView(this.#store.existing(identifier, connector)).statusName;
    this.revokeIntercomToken(identifier, connector);
    if (this.webhookUrl) {
      await this.sendWebhook('connected_account.status_updated', identifier, { connector, oldStatus: before });
    }
  }

  revokeAccessTokens(): void {
    this.#accessTokens.clear();
  }

  failNextTool(failure: ToolFailure): void {
    this.#toolFailures.push(failure);
  }

  failNext(rpc: string, code: Code, message = `injected ${Code[code]} failure`): void {
    if (!this.#rpcNames.has(rpc)) throw new Error(`unknown RPC ${rpc}; use the proto method name, e.g. ExecuteTool`);
    const queue = this.#rpcFailures.get(rpc) ?? [];
    queue.push(new ConnectError(message, code));
    this.#rpcFailures.set(rpc, queue);
  }

  magicLinks(): MagicLinkView[] {
    return [...this.#store.magicLinks.values()].map((link) => ({
      id: link.id,
      link: this.#magicLinkUrl(link.id),
      identifier: link.identifier,
      connector: link.connector,
      ...(link.state !== undefined && { state: link.state }),
      ...(link.userVerifyUrl !== undefined && { userVerifyUrl: link.userVerifyUrl }),
      expiresAt: new Date(link.expiresAt),
    }));
  }

  snapshot(): ScalekitSnapshot {
    return { accounts: this.#store.snapshot(), intercom: this.intercom.snapshot() };
  }

  restore(snapshot: ScalekitSnapshot): void {
    this.#store.restore(snapshot.accounts);
    this.intercom.restore(snapshot.intercom);
  }

  expireMagicLinks(): void {
    const past = this.#now() - 1;
    for (const link of this.#store.magicLinks.values()) link.expiresAt = past;
    for (const request of this.#store.authRequests.values()) request.expiresAt = past;
  }

  // --- sockets and gRPC --------------------------------------------------------------------------------------------

  #acceptSocket(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // Resets from clients that go away mid-request must not crash the test process.
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      // h2c prior knowledge starts with "PRI * HTTP/2.0"; everything else is HTTP/1.1 (token, consent page).
      const server = chunk.subarray(0, 3).toString('latin1') === 'PRI' ? this.#http2 : this.#http1;
      server.emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  }

  /** Runs around every RPC: latency, bearer check, call log, injected failures. */
  #guard(next: Parameters<Interceptor>[0]): ReturnType<Interceptor> {
    return async (req) => {
      if (this.latencyMs > 0) {
        await sleep(this.latencyMs, undefined, { signal: AbortSignal.any([req.signal, this.#closing.signal]) });
      }
      const authorization = req.header.get('authorization') ?? '';
      const token = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
      if (!this.#accessTokens.has(token)) {
        this.unauthenticatedCalls += 1;
        throw new ConnectError('missing or invalid access token', Code.Unauthenticated);
      }
      const rpc = req.method.name;
      const call: RpcCall = { rpc, request: req.stream ? {} : describeRequest(req.message), at: this.#now() };
      this.calls.push(call);
      try {
        await this.faults.beforeRpc(rpc, req.signal);
        const injected = this.#rpcFailures.get(rpc)?.shift();
        if (injected) throw injected;
        return await next(req);
      } catch (error) {
        call.error = Code[ConnectError.from(error).code];
        throw error;
      }
    };
  }

  #magicLinkUrl(id: string): string {
    return `${this.url}/magic/${id}`;
  }
}
