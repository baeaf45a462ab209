// A local stand-in for Scalekit AgentKit that the real `@scalekit-sdk/node` client can talk to. The SDK speaks gRPC
// (binary protobuf over h2c) for every AgentKit call but fetches its bearer token over HTTP/1.1 from the same base
// URL, so one loopback port serves both by sniffing the HTTP/2 connection preface (see /work/shared/notes/scalekit.md).

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonObject } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter, type Interceptor, type ServiceImpl } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import {
  type AuthorizationDetails,
  ConnectedAccountService,
  ConnectorStatus,
  ConnectorType,
  ErrorInfoSchema,
  ToolService,
} from '../../scalekit/sdk-internals.ts';
import { intercomHandlers } from '../intercom/handlers/handlers.ts';
import { intercomTools } from '../intercom/tools/catalogue.ts';
import {
  IntercomApiError,
  type JsonSchema,
  type ToolDefinition,
  type ToolHandler,
  type ToolParams,
} from '../intercom/types.ts';
import { IntercomWorkspace } from '../intercom/workspace.ts';

export { ConnectorStatus };

export interface ScalekitEmulatorOptions {
  /** Delay applied to every RPC before it is handled. */
  latencyMs?: number;
  /** Extra delay inside ExecuteTool, standing for Intercom's own response time. */
  toolLatencyMs?: number;
  clientId?: string;
  clientSecret?: string;
  /** Replaces the Intercom catalogue; every tool is served as provider INTERCOM. */
  tools?: ToolDefinition[];
  /** Extra or replacement tool handlers, keyed by tool name. */
  handlers?: Record<string, ToolHandler>;
  /** Connection names configured in the "dashboard"; all are Intercom connections. Defaults to ['intercom']. */
  connectionNames?: string[];
  /** How long magic links and auth requests stay valid. Defaults to 10 minutes. */
  linkTtlMs?: number;
  now?: () => number;
}

export interface RpcCall {
  /** Proto method name, e.g. 'ExecuteTool'. */
  rpc: string;
  /** Request fields with protobuf metadata and credential-bearing fields removed. */
  request: Record<string, unknown>;
  at: number;
  /** gRPC code name when the emulator answered with an error, e.g. 'not_found'. */
  error?: string;
}

export interface HttpRequestRecord {
  method: string;
  path: string;
  status: number;
  at: number;
}

export type ToolFailureKind = 'unauthorized' | 'forbidden' | 'rate_limited' | 'error';

export interface ToolFailure {
  /** Only fail a call to this tool; any tool when omitted. */
  toolName?: string;
  kind: ToolFailureKind;
  message?: string;
}

export interface AccountView {
  id: string;
  identifier: string;
  connector: string;
  connectionId: string;
  status: ConnectorStatus;
  statusName: string;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt?: Date;
}

export interface MagicLinkView {
  id: string;
  link: string;
  identifier: string;
  connector: string;
  state?: string;
  userVerifyUrl?: string;
  expiresAt: Date;
}

export interface ScalekitEmulator {
  /** Base URL to pass to `new ScalekitClient(url, clientId, clientSecret)`. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  latencyMs: number;
  toolLatencyMs: number;
  /** Every RPC that passed authentication, in arrival order. */
  readonly calls: RpcCall[];
  /** Every plain HTTP request (token endpoint, consent page, ...). */
  readonly httpRequests: HttpRequestRecord[];
  /** RPCs rejected for a missing or unknown bearer token (each makes the SDK fetch a token). */
  readonly unauthenticatedCalls: number;
  /**
   * Every credential-like string the emulator has issued or been given: the client secret, Scalekit access tokens
   * and the fake Intercom OAuth tokens. None of these should ever show up in logs.
   */
  readonly secrets: readonly string[];
  /** The fake Intercom workspace the tool handlers act on. */
  readonly intercom: IntercomWorkspace;
  readonly tools: readonly ToolDefinition[];
  callsOf(rpc: string): RpcCall[];
  account(identifier: string, connector?: string): AccountView | undefined;
  /** Creates (or re-activates) an ACTIVE account with fresh credentials, skipping the consent flow. */
  connectAccount(identifier: string, connector?: string): AccountView;
  setStatus(identifier: string, status: ConnectorStatus, connector?: string): void;
  /** Simulates the teammate revoking the app in Intercom: EXPIRED, and tool calls fail as provider 401s. */
  revokeIntercomToken(identifier: string, connector?: string): void;
  /** Invalidates every Scalekit access token, so the SDK's next RPC gets Unauthenticated and refetches one. */
  revokeAccessTokens(): void;
  /** Makes the next matching ExecuteTool fail as a provider error (ErrorInfo TOOL_ERROR). */
  failNextTool(failure: ToolFailure): void;
  /** Makes the next call of `rpc` (e.g. 'ListScopedTools') fail with a plain gRPC error. */
  failNext(rpc: string, code: Code, message?: string): void;
  /** Every outstanding magic link, e.g. to open one without going through the bot's Slack message. */
  magicLinks(): MagicLinkView[];
  /** Expires every magic link and pending auth request, as if the teammate had waited too long. */
  expireMagicLinks(): void;
  /** Stops listening and destroys open sockets; the SDK keeps HTTP/2 sessions alive otherwise. */
  close(): Promise<void>;
}

export async function startScalekitEmulator(options: ScalekitEmulatorOptions = {}): Promise<ScalekitEmulator> {
  const emulator = new ScalekitEmulatorServer(options);
  await emulator.listen();
  return emulator;
}

const PROVIDER = 'INTERCOM';
const DEFAULT_PAGE_SIZE = 50;
// Not documented; capping forces callers to follow nextPageToken, which Intercom's 113 tools need anyway.
const MAX_PAGE_SIZE = 100;
const ACCESS_TOKEN_TTL_SECONDS = 86_399;
const INTERCOM_SCOPES = ['read_conversations', 'write_conversations', 'read_users', 'write_users'];

interface Credentials {
  accessToken: string;
  refreshToken: string;
  scopes: string[];
}

interface AccountRecord {
  id: string;
  connector: string;
  identifier: string;
  connectionId: string;
  status: ConnectorStatus;
  credentials: Credentials;
  apiConfig?: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt?: Date;
}

interface MagicLinkRecord {
  id: string;
  accountId: string;
  connector: string;
  identifier: string;
  state?: string;
  userVerifyUrl?: string;
  expiresAt: number;
}

interface AuthRequestRecord {
  accountId: string;
  /** The identifier the magic link was made for; verify must assert the same one. */
  identifier: string;
  pendingCredentials: Credentials;
  expiresAt: number;
  consumed: boolean;
}

interface AccountRef {
  id?: string | undefined;
  connector?: string | undefined;
  identifier?: string | undefined;
}

const TOOL_FAILURES: Record<ToolFailureKind, { code: Code; status: string; message: string }> = {
  unauthorized: { code: Code.Unauthenticated, status: '401', message: 'Access Token Invalid' },
  forbidden: { code: Code.PermissionDenied, status: '403', message: 'Token lacks the scope required for this request' },
  rate_limited: { code: Code.ResourceExhausted, status: '429', message: 'Rate Limit Exceeded' },
  error: { code: Code.Internal, status: '500', message: 'Internal Server Error' },
};

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
  readonly #linkTtlMs: number;
  readonly #connectionIds: Map<string, string>;
  readonly #toolsByName: Map<string, ToolDefinition>;
  readonly #handlers: Record<string, ToolHandler>;
  readonly #rpcNames: Set<string>;
  readonly #secrets = new Set<string>();
  readonly #accessTokens = new Set<string>();
  readonly #accounts = new Map<string, AccountRecord>();
  readonly #magicLinks = new Map<string, MagicLinkRecord>();
  readonly #authRequests = new Map<string, AuthRequestRecord>();
  readonly #toolFailures: ToolFailure[] = [];
  readonly #rpcFailures = new Map<string, ConnectError[]>();
  readonly #sockets = new Set<Socket>();
  readonly #closing = new AbortController();
  readonly #server: Server;
  readonly #http1: HttpServer;
  readonly #http2: Http2Server;

  constructor(options: ScalekitEmulatorOptions) {
    this.#now = options.now ?? Date.now;
    this.#linkTtlMs = options.linkTtlMs ?? 10 * 60_000;
    this.latencyMs = options.latencyMs ?? 0;
    this.toolLatencyMs = options.toolLatencyMs ?? 0;
    this.clientId = options.clientId ?? `skc_emulated_${randomBytes(6).toString('hex')}`;
    this.clientSecret = options.clientSecret ?? `emulated-client-secret-${randomBytes(12).toString('hex')}`;
    this.#secrets.add(this.clientSecret);
    this.tools = structuredClone(options.tools ?? intercomTools);
    this.#toolsByName = new Map(this.tools.map((tool) => [tool.name, tool]));
    this.#handlers = { ...intercomHandlers, ...options.handlers };
    this.intercom = new IntercomWorkspace({ now: this.#now });
    this.#connectionIds = new Map(
      (options.connectionNames ?? ['intercom']).map((name, index) => [name, `conn_${71_000_000 + index}`]),
    );
    this.#rpcNames = new Set([...ConnectedAccountService.methods, ...ToolService.methods].map((m) => m.name));
    this.#server = createNetServer((socket) => this.#acceptSocket(socket));
    this.#http1 = createHttpServer((req, res) => this.#handleHttp(req, res));
    this.#http2 = createHttp2Server(
      connectNodeAdapter({ routes: (router) => this.#routes(router), interceptors: [(next) => this.#guard(next)] }),
    );
  }

  get secrets(): readonly string[] {
    return [...this.#secrets];
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- test hooks --------------------------------------------------------------------------------------------------

  callsOf(rpc: string): RpcCall[] {
    return this.calls.filter((call) => call.rpc === rpc);
  }

  account(identifier: string, connector = 'intercom'): AccountView | undefined {
    const account = this.#accounts.get(accountKey(connector, identifier));
    return account && toView(account);
  }

  connectAccount(identifier: string, connector = 'intercom'): AccountView {
    const account = this.#accounts.get(accountKey(connector, identifier)) ?? this.#createAccount(connector, identifier);
    account.credentials = this.#mintCredentials();
    this.#touch(account, ConnectorStatus.ACTIVE);
    return toView(account);
  }

  setStatus(identifier: string, status: ConnectorStatus, connector = 'intercom'): void {
    this.#touch(this.#existingAccount(identifier, connector), status);
  }

  revokeIntercomToken(identifier: string, connector = 'intercom'): void {
    this.#touch(this.#existingAccount(identifier, connector), ConnectorStatus.EXPIRED);
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
    return [...this.#magicLinks.values()].map((link) => ({
      id: link.id,
      link: this.#magicLinkUrl(link.id),
      identifier: link.identifier,
      connector: link.connector,
      ...(link.state !== undefined && { state: link.state }),
      ...(link.userVerifyUrl !== undefined && { userVerifyUrl: link.userVerifyUrl }),
      expiresAt: new Date(link.expiresAt),
    }));
  }

  expireMagicLinks(): void {
    const past = this.#now() - 1;
    for (const link of this.#magicLinks.values()) link.expiresAt = past;
    for (const request of this.#authRequests.values()) request.expiresAt = past;
  }

  // --- sockets and plain HTTP --------------------------------------------------------------------------------------

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

  #handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    res.once('finish', () =>
      this.httpRequests.push({ method: req.method ?? '', path: url.pathname, status: res.statusCode, at: this.#now() }),
    );
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      // A client that hangs up mid-body gets its socket closed; there is nobody left to answer.
      this.#handleToken(req, res).catch(() => res.destroy());
    } else if (req.method === 'GET' && url.pathname.startsWith('/magic/')) {
      this.#handleConsent(url.pathname.slice('/magic/'.length), res);
    } else if (req.method === 'GET' && url.pathname === '/connected') {
      sendHtml(res, 200, 'Intercom connected', 'You can close this window and return to Slack.');
    } else {
      sendJson(res, 404, { error: 'not_found' });
    }
  }

  async #handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      sendJson(res, 401, { error: 'invalid_client', error_description: 'invalid client credentials' });
      return;
    }
    const accessToken = `emulated-scalekit-token-${randomBytes(16).toString('hex')}`;
    this.#accessTokens.add(accessToken);
    this.#secrets.add(accessToken);
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS });
  }

  /** The hosted page: opening the link stands for the teammate consenting at Intercom. */
  #handleConsent(linkId: string, res: ServerResponse): void {
    const link = this.#magicLinks.get(linkId);
    if (!link || link.expiresAt <= this.#now()) {
      sendHtml(res, 400, 'Link expired', 'session_expired: this authorization link is invalid or has expired.');
      return;
    }
    if (link.userVerifyUrl === undefined) {
      sendHtml(
        res,
        400,
        'Authorization failed',
        'failed_to_exchange: user_verify_url not configured for verification redirect',
      );
      return;
    }
    const account = this.#accountById(link.accountId);
    if (!account) {
      sendHtml(res, 400, 'Authorization failed', 'failed_to_exchange: connected account not found');
      return;
    }
    this.#touch(account, ConnectorStatus.PENDING_VERIFICATION);
    const authRequestId = randomBytes(24).toString('base64url');
    this.#authRequests.set(authRequestId, {
      accountId: account.id,
      identifier: link.identifier,
      pendingCredentials: this.#mintCredentials(),
      expiresAt: this.#now() + this.#linkTtlMs,
      consumed: false,
    });
    const target = new URL(link.userVerifyUrl);
    target.searchParams.set('auth_request_id', authRequestId);
    if (link.state !== undefined) target.searchParams.set('state', link.state);
    res.writeHead(302, { location: target.toString() }).end();
  }

  // --- gRPC --------------------------------------------------------------------------------------------------------

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
        const injected = this.#rpcFailures.get(rpc)?.shift();
        if (injected) throw injected;
        return await next(req);
      } catch (error) {
        call.error = Code[ConnectError.from(error).code];
        throw error;
      }
    };
  }

  #routes(router: ConnectRouter): void {
    router.service(ConnectedAccountService, this.#connectedAccountService());
    router.service(ToolService, this.#toolService());
  }

  #connectedAccountService(): Partial<ServiceImpl<typeof ConnectedAccountService>> {
    return {
      getConnectedAccountAuth: (req) => ({
        connectedAccount: this.#accountMessage(this.#requireAccount(req), true),
      }),

      createConnectedAccount: (req) => {
        const { connector, identifier } = requireConnectorAndIdentifier(req);
        if (this.#accounts.has(accountKey(connector, identifier))) {
          throw new ConnectError(
            `connected account already exists for ${identifier} on ${connector}`,
            Code.AlreadyExists,
          );
        }
        const account = this.#createAccount(connector, identifier);
        this.#applyAuthorization(account, req.connectedAccount?.authorizationDetails);
        if (req.connectedAccount?.apiConfig) account.apiConfig = req.connectedAccount.apiConfig;
        return { connectedAccount: this.#accountMessage(account, true) };
      },

      updateConnectedAccount: (req) => {
        const account = this.#requireAccount(req);
        this.#applyAuthorization(account, req.connectedAccount?.authorizationDetails);
        if (req.connectedAccount?.apiConfig) account.apiConfig = req.connectedAccount.apiConfig;
        this.#touch(account, account.status);
        return { connectedAccount: this.#accountMessage(account, true) };
      },

      listConnectedAccounts: (req) => {
        const query = req.query.toLowerCase();
        const matching = [...this.#accounts.values()].filter(
          (account) =>
            (!req.connector || account.connector === req.connector) &&
            (!req.identifier || account.identifier === req.identifier) &&
            (!req.provider || req.provider.toUpperCase() === PROVIDER) &&
            (req.connectionNames.length === 0 || req.connectionNames.includes(account.connector)) &&
            (!query || account.identifier.toLowerCase().includes(query)),
        );
        const page = paginate(matching, req.pageSize, req.pageToken, DEFAULT_PAGE_SIZE);
        return {
          // ConnectedAccountForList has no authorizationDetails field, so listing never exposes credentials.
          connectedAccounts: page.items.map((account) => this.#accountMessage(account, false)),
          totalSize: matching.length,
          nextPageToken: page.nextPageToken,
          prevPageToken: page.prevPageToken,
        };
      },

      getMagicLinkForConnectedAccount: (req) => {
        if (req.userVerifyUrl !== undefined && !URL.canParse(req.userVerifyUrl)) {
          throw new ConnectError('user_verify_url must be an absolute URL', Code.InvalidArgument);
        }
        // Getting a link for an unknown account creates it: the docs' quickstarts never create one first.
        const account = req.id ? this.#requireAccount(req) : (this.#findAccount(req) ?? this.#createFromRequest(req));
        const link: MagicLinkRecord = {
          id: randomBytes(18).toString('base64url'),
          accountId: account.id,
          connector: account.connector,
          identifier: account.identifier,
          ...(req.state !== undefined && { state: req.state }),
          ...(req.userVerifyUrl !== undefined && { userVerifyUrl: req.userVerifyUrl }),
          expiresAt: this.#now() + this.#linkTtlMs,
        };
        this.#magicLinks.set(link.id, link);
        return { link: this.#magicLinkUrl(link.id), expiry: timestampFromDate(new Date(link.expiresAt)) };
      },

      verifyConnectedAccountUser: (req) => {
        const request = this.#authRequests.get(req.authRequestId);
        const account = request && this.#accountById(request.accountId);
        if (!request || !account || request.consumed || request.expiresAt <= this.#now()) {
          throw new ConnectError('no pending flow for the given auth_request_id or already consumed', Code.NotFound);
        }
        // A mismatch leaves the request pending, so the rightful teammate can still finish (not documented).
        if (req.identifier !== request.identifier) {
          throw new ConnectError(
            'identifier does not match the one the authorization link was created for',
            Code.PermissionDenied,
          );
        }
        request.consumed = true;
        account.credentials = request.pendingCredentials;
        this.#touch(account, ConnectorStatus.ACTIVE);
        return { postUserVerifyRedirectUrl: `${this.url}/connected` };
      },

      deleteConnectedAccount: (req) => {
        const account = this.#requireAccount(req);
        this.#accounts.delete(accountKey(account.connector, account.identifier));
        this.#forgetFlows(account.id);
        return {};
      },
    };
  }

  #toolService(): Partial<ServiceImpl<typeof ToolService>> {
    return {
      listScopedTools: (req) => {
        const filter = {
          providers: req.filter?.providers ?? [],
          toolNames: req.filter?.toolNames ?? [],
          connectionNames: req.filter?.connectionNames ?? [],
        };
        if (!filter.providers.length && !filter.toolNames.length && !filter.connectionNames.length) {
          throw new ConnectError(
            'no providers, tool names or connection names specified in filter',
            Code.InvalidArgument,
          );
        }
        if (!req.identifier) throw new ConnectError('identifier is required', Code.InvalidArgument);
        const providerMatches =
          !filter.providers.length || filter.providers.some((provider) => provider.toUpperCase() === PROVIDER);
        // Tools are scoped to the identifier's existing accounts, whatever their status; executing still needs ACTIVE.
        const accounts = [...this.#accounts.values()].filter(
          (account) =>
            account.identifier === req.identifier &&
            providerMatches &&
            (!filter.connectionNames.length || filter.connectionNames.includes(account.connector)),
        );
        const tools = this.tools.filter((tool) => !filter.toolNames.length || filter.toolNames.includes(tool.name));
        const scoped = accounts.flatMap((account) => tools.map((tool) => ({ account, tool })));
        const page = paginate(scoped, req.pageSize, req.pageToken, DEFAULT_PAGE_SIZE);
        return {
          tools: page.items.map(({ account, tool }) => ({
            tool: { id: toolId(tool.name), provider: PROVIDER, definition: toolDefinition(tool), isDefault: true },
            identifier: account.identifier,
            connectedAccountId: account.id,
          })),
          totalSize: scoped.length,
          nextPageToken: page.nextPageToken,
          prevPageToken: page.prevPageToken,
        };
      },

      executeTool: async (req) => {
        const toolName = req.toolName.trim();
        if (!toolName) throw new ConnectError('tool_name is required', Code.InvalidArgument);
        const tool = this.#toolsByName.get(toolName);
        if (!tool) throw new ConnectError(`tool ${toolName} not found`, Code.NotFound);
        const account = this.#toolAccount(req);
        const executionId = randomUUID();
        if (account.status === ConnectorStatus.EXPIRED) {
          // Scalekit still calls the provider with the dead token, so this surfaces as the provider's 401.
          throw toolError(TOOL_FAILURES.unauthorized, executionId, 'Access Token Invalid (token expired or revoked)');
        }
        if (account.status !== ConnectorStatus.ACTIVE) {
          throw new ConnectError(
            `connected account for ${account.identifier} on ${account.connector} is ${ConnectorStatus[account.status]}, not ACTIVE`,
            Code.FailedPrecondition,
          );
        }
        const params: ToolParams = req.params ?? {};
        const problem = validateParams(tool.input_schema, params);
        if (problem) throw new ConnectError(`invalid params for ${toolName}: ${problem}`, Code.InvalidArgument);

        const failureIndex = this.#toolFailures.findIndex((f) => f.toolName === undefined || f.toolName === toolName);
        const [failure] = failureIndex === -1 ? [] : this.#toolFailures.splice(failureIndex, 1);
        if (failure) throw toolError(TOOL_FAILURES[failure.kind], executionId, failure.message);

        account.lastUsedAt = new Date(this.#now());
        const handler = this.#handlers[toolName];
        const context = {
          workspace: this.intercom,
          identifier: account.identifier,
          connector: account.connector,
          connectedAccountId: account.id,
        };
        if (this.toolLatencyMs > 0) await sleep(this.toolLatencyMs);
        try {
          const result = handler ? handler(params, context) : { ok: true };
          return { data: toJsonObject(result), executionId };
        } catch (error) {
          if (error instanceof IntercomApiError) throw providerError(error, executionId);
          throw error;
        }
      },
    };
  }

  // --- accounts ----------------------------------------------------------------------------------------------------

  #createAccount(connector: string, identifier: string): AccountRecord {
    const connectionId = this.#connectionIds.get(connector);
    if (!connectionId) throw new ConnectError(`connection ${connector} not found`, Code.NotFound);
    const now = new Date(this.#now());
    const account: AccountRecord = {
      id: `ca_${randomBytes(10).toString('hex')}`,
      connector,
      identifier,
      connectionId,
      status: ConnectorStatus.PENDING_AUTH,
      credentials: { accessToken: '', refreshToken: '', scopes: [] },
      createdAt: now,
      updatedAt: now,
    };
    this.#accounts.set(accountKey(connector, identifier), account);
    return account;
  }

  #createFromRequest(req: AccountRef): AccountRecord {
    const { connector, identifier } = requireConnectorAndIdentifier(req);
    return this.#createAccount(connector, identifier);
  }

  #findAccount(ref: AccountRef): AccountRecord | undefined {
    if (ref.id) return this.#accountById(ref.id);
    if (!ref.connector || !ref.identifier) return undefined;
    return this.#accounts.get(accountKey(ref.connector, ref.identifier));
  }

  #requireAccount(ref: AccountRef): AccountRecord {
    if (!ref.id && !(ref.connector && ref.identifier)) {
      throw new ConnectError('either id or connector and identifier are required', Code.InvalidArgument);
    }
    const account = this.#findAccount(ref);
    if (!account) throw new ConnectError('connected account not found', Code.NotFound);
    return account;
  }

  #accountById(id: string): AccountRecord | undefined {
    return [...this.#accounts.values()].find((account) => account.id === id);
  }

  /** Drops a deleted account's links and auth requests, so a late consent or verify fails like an unknown one. */
  #forgetFlows(accountId: string): void {
    for (const [id, link] of this.#magicLinks) {
      if (link.accountId === accountId) this.#magicLinks.delete(id);
    }
    for (const [id, request] of this.#authRequests) {
      if (request.accountId === accountId) this.#authRequests.delete(id);
    }
  }

  #existingAccount(identifier: string, connector: string): AccountRecord {
    const account = this.#accounts.get(accountKey(connector, identifier));
    if (!account) throw new Error(`no ${connector} account for ${identifier}`);
    return account;
  }

  /** Resolves ExecuteTool's target: by id, by connector + identifier, or by identifier alone if unambiguous. */
  #toolAccount(req: {
    connectedAccountId?: string | undefined;
    connector?: string | undefined;
    identifier?: string | undefined;
  }) {
    if (!req.connectedAccountId && !req.connector && req.identifier) {
      const candidates = [...this.#accounts.values()].filter((account) => account.identifier === req.identifier);
      if (candidates.length > 1) {
        throw new ConnectError('identifier matches several connected accounts; pass connector', Code.InvalidArgument);
      }
      if (!candidates[0]) throw new ConnectError('connected account not found', Code.NotFound);
      return candidates[0];
    }
    return this.#requireAccount({ id: req.connectedAccountId, connector: req.connector, identifier: req.identifier });
  }

  #applyAuthorization(account: AccountRecord, details: AuthorizationDetails | undefined): void {
    // getOrCreateConnectedAccount sends an empty oauthToken when the caller gave none; that is not a credential.
    if (details?.details.case !== 'oauthToken' || !details.details.value.accessToken) return;
    const { accessToken, refreshToken, scopes } = details.details.value;
    account.credentials = { accessToken, refreshToken, scopes: [...scopes] };
    for (const secret of [accessToken, refreshToken]) if (secret) this.#secrets.add(secret);
    this.#touch(account, ConnectorStatus.ACTIVE);
  }

  #mintCredentials(): Credentials {
    const credentials = {
      accessToken: `emulated-secret-access-${randomBytes(16).toString('hex')}`,
      refreshToken: `emulated-secret-refresh-${randomBytes(16).toString('hex')}`,
      scopes: [...INTERCOM_SCOPES],
    };
    this.#secrets.add(credentials.accessToken);
    this.#secrets.add(credentials.refreshToken);
    return credentials;
  }

  #touch(account: AccountRecord, status: ConnectorStatus): void {
    account.status = status;
    account.updatedAt = new Date(this.#now());
  }

  #accountMessage(account: AccountRecord, withCredentials: boolean) {
    return {
      id: account.id,
      identifier: account.identifier,
      connector: account.connector,
      connectionId: account.connectionId,
      provider: PROVIDER,
      status: account.status,
      authorizationType: ConnectorType.OAUTH,
      updatedAt: timestampFromDate(account.updatedAt),
      ...(account.lastUsedAt && { lastUsedAt: timestampFromDate(account.lastUsedAt) }),
      ...(account.apiConfig && { apiConfig: account.apiConfig }),
      ...(withCredentials && {
        authorizationDetails: {
          details: { case: 'oauthToken' as const, value: { ...account.credentials, domain: '' } },
        },
      }),
    };
  }

  #magicLinkUrl(id: string): string {
    return `${this.url}/magic/${id}`;
  }
}

// --- helpers ---------------------------------------------------------------------------------------------------------

function accountKey(connector: string, identifier: string): string {
  return `${connector}\u0000${identifier}`;
}

function toView(account: AccountRecord): AccountView {
  return {
    id: account.id,
    identifier: account.identifier,
    connector: account.connector,
    connectionId: account.connectionId,
    status: account.status,
    statusName: ConnectorStatus[account.status],
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
    ...(account.lastUsedAt && { lastUsedAt: account.lastUsedAt }),
  };
}

function requireConnectorAndIdentifier(req: AccountRef): { connector: string; identifier: string } {
  const connector = req.connector?.trim();
  const identifier = req.identifier?.trim();
  if (!connector || !identifier) throw new ConnectError('connector and identifier are required', Code.InvalidArgument);
  return { connector, identifier };
}

interface Page<T> {
  items: T[];
  nextPageToken: string;
  prevPageToken: string;
}

function paginate<T>(items: T[], pageSize: number, pageToken: string, defaultPageSize: number): Page<T> {
  const size = Math.min(pageSize > 0 ? pageSize : defaultPageSize, MAX_PAGE_SIZE);
  const offset = pageToken ? Number(Buffer.from(pageToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
    throw new ConnectError('invalid page_token', Code.InvalidArgument);
  }
  const token = (at: number) => Buffer.from(String(at)).toString('base64url');
  return {
    items: items.slice(offset, offset + size),
    nextPageToken: offset + size < items.length ? token(offset + size) : '',
    prevPageToken: offset > 0 ? token(Math.max(0, offset - size)) : '',
  };
}

function toolId(name: string): string {
  return `tool_${createHash('sha256').update(name).digest('hex').slice(0, 20)}`;
}

function toolDefinition(tool: ToolDefinition): JsonObject {
  return toJsonObject({
    name: tool.name,
    description: tool.description,
    input_schema: tool.input_schema,
    ...(tool.annotations && { annotations: tool.annotations }),
  });
}

/** Struct fields only take JSON: drops undefined, turns class instances into plain data. */
function toJsonObject(value: unknown): JsonObject {
  const json: unknown = JSON.parse(JSON.stringify(value ?? null));
  return json !== null && typeof json === 'object' && !Array.isArray(json)
    ? (json as JsonObject)
    : { result: json as null };
}

// Create/Update requests carry the OAuth credentials inside `connectedAccount`, so that field is never logged.
const UNLOGGED_REQUEST_FIELDS = new Set(['connectedAccount']);

function describeRequest(message: object): Record<string, unknown> {
  const plain = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(plain);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, field]) => !key.startsWith('$') && field !== undefined)
        .map(([key, field]) => [key, plain(field)]),
    );
  };
  const request = plain(message) as Record<string, unknown>;
  for (const field of UNLOGGED_REQUEST_FIELDS) {
    if (field in request) request[field] = '[redacted]';
  }
  return request;
}

/** Minimal JSON Schema check (required, type, enum) standing in for Scalekit's input validation. */
function validateParams(schema: JsonSchema, params: ToolParams): string | undefined {
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const missing = required.filter((name) => params[name] === undefined || params[name] === null);
  if (missing.length) return `missing required ${missing.join(', ')}`;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, value] of Object.entries(params)) {
    const property = properties[name];
    if (!property || value === null) continue;
    if (typeof property.type === 'string' && !hasJsonType(value, property.type)) {
      return `${name} must be of type ${property.type}`;
    }
    if (Array.isArray(property.enum) && !property.enum.includes(value)) {
      return `${name} must be one of ${property.enum.join(', ')}`;
    }
  }
  return undefined;
}

function hasJsonType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}

function toolError(failure: { code: Code; status: string; message: string }, executionId: string, message?: string) {
  const toolErrorMessage = message ?? failure.message;
  return new ConnectError(toolErrorMessage, failure.code, undefined, [
    {
      desc: ErrorInfoSchema,
      value: {
        errorCode: 'TOOL_ERROR',
        toolErrorInfo: { executionId, toolErrorCode: failure.status, toolErrorMessage },
      },
    },
  ]);
}

function providerError(error: IntercomApiError, executionId: string): ConnectError {
  const byStatus: Record<number, Code> = {
    400: Code.InvalidArgument,
    401: Code.Unauthenticated,
    403: Code.PermissionDenied,
    404: Code.NotFound,
    422: Code.InvalidArgument,
    429: Code.ResourceExhausted,
  };
  const code = byStatus[error.status] ?? Code.Internal;
  return toolError({ code, status: String(error.status), message: error.message }, executionId);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, title: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    .end(`<!doctype html><html><head><title>${title}</title></head><body><p>${message}</p></body></html>`);
}
