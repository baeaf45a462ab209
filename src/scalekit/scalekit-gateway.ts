import {
  isToolException,
  ScalekitBadRequestException,
  ScalekitClient,
  ScalekitException,
  ScalekitForbiddenException,
  ScalekitNotFoundException,
  ScalekitServerException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { ScalekitUnavailableError, ToolError, type ToolFailureKind, VerifyRejectedError } from '../errors.ts';
import type { ScalekitIdentifier } from '../identity/identity-store.ts';
import { ConnectorStatus } from './sdk-internals.ts';

export { ConnectorStatus };

export interface AccountStatus {
  /** The SDK's numeric ConnectorStatus (ACTIVE = 1). */
  status: ConnectorStatus;
  /** ACTIVE, PENDING_AUTH, PENDING_VERIFICATION, EXPIRED, DISCONNECTED. */
  statusName: string;
  active: boolean;
  updatedAt?: Date;
  lastUsedAt?: Date;
}

/** An Intercom tool as Scalekit describes it for one connected account. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the tool's input, as Scalekit sends it. */
  inputSchema: Record<string, unknown>;
  /** MCP-style hints (`read_only_hint`, `destructive_hint`, …) when Scalekit sends them. */
  annotations: Record<string, unknown>;
}

export interface ToolResult {
  data: unknown;
  executionId: string;
}

/**
 * Everything the bot asks of Scalekit, for one Intercom connection. This module is the only importer of the
 * Scalekit SDK's public API (sdk-internals.ts re-exports the generated code it needs); nothing it returns carries
 * credentials. Tools are run through src/intercom (an IntercomAccount), which records each run.
 */
export interface ScalekitGateway {
  /** The connected account's status, or undefined when the identifier has none. */
  accountStatus(identifier: string): Promise<AccountStatus | undefined>;
  /** A Scalekit authorization link that sends the browser to `userVerifyUrl` with our `state` afterwards. */
  authorizationLink(params: { identifier: string; state: string; userVerifyUrl: string }): Promise<string>;
  /** Activates the account whose OAuth flow `authRequestId` finished; throws VerifyRejectedError on 403/404. */
  verifyUser(params: { authRequestId: string; identifier: string }): Promise<{ redirectUrl?: string }>;
  /** Deletes the connected account (revoking its tokens); a missing account is not an error. */
  deleteAccount(identifier: string): Promise<void>;
  /** Every Intercom tool this identifier may use (all pages). */
  listTools(identifier: string): Promise<readonly ToolDefinition[]>;
  /**
   * Runs a tool as this identifier; failures are ToolError (or ScalekitUnavailableError). Called only by
   * src/intercom/account.ts (test/architecture checks), which writes the audit row.
   */
  executeTool(params: {
    identifier: ScalekitIdentifier;
    toolName: string;
    input: Record<string, unknown>;
  }): Promise<ToolResult>;
}

export interface ScalekitGatewayOptions {
  environmentUrl: string;
  clientId: string;
  clientSecret: string;
  connectionName: string;
  /** Control-plane timeout per call; the SDK's default of 20 s is longer than a person waits. */
  timeoutMs?: number;
  /** Tool-execution timeout (Intercom behind Scalekit). */
  toolTimeoutMs?: number;
}

const MAX_TOOL_PAGES = 20;

export function createScalekitGateway(options: ScalekitGatewayOptions): ScalekitGateway {
  const client = new ScalekitClient(options.environmentUrl, options.clientId, options.clientSecret, {
    timeoutMs: options.timeoutMs ?? 10_000,
    toolTimeoutMs: options.toolTimeoutMs ?? 30_000,
  });
  const { connectionName } = options;

  return {
    async accountStatus(identifier) {
      // listConnectedAccounts rather than getConnectedAccount: the latter returns the OAuth tokens, which we
      // must never hold.
      const response = await call('list connected accounts', () =>
        client.actions.listConnectedAccounts({ connectionName, identifier, pageSize: 1 }),
      );
      const account = response.connectedAccounts.find((a) => a.identifier === identifier);
      if (!account) return undefined;
      return {
        status: account.status,
        statusName: ConnectorStatus[account.status] ?? String(account.status),
        active: account.status === ConnectorStatus.ACTIVE,
        updatedAt: toDate(account.updatedAt),
        lastUsedAt: toDate(account.lastUsedAt),
      };
    },

    async authorizationLink({ identifier, state, userVerifyUrl }) {
      const response = await call('create an authorization link', () =>
        client.actions.getAuthorizationLink({ connectionName, identifier, state, userVerifyUrl }),
      );
      if (!response.link) throw new ScalekitUnavailableError('Scalekit returned no authorization link');
      return response.link;
    },

    async verifyUser({ authRequestId, identifier }) {
      try {
        const response = await unlessRefused(() =>
          client.actions.verifyConnectedAccountUser({ authRequestId, identifier }),
        );
        return { redirectUrl: response.postUserVerifyRedirectUrl || undefined };
      } catch (error) {
        if (error instanceof ScalekitForbiddenException) throw new VerifyRejectedError('identifier_mismatch');
        if (error instanceof ScalekitNotFoundException) throw new VerifyRejectedError('not_found');
        throw unavailable('verify the user', error);
      }
    },

    async deleteAccount(identifier) {
      try {
        // Idempotent (a missing account is fine), so sent again as a read is.
        await sendAgainWhen(
          () => client.actions.deleteConnectedAccount({ connectionName, identifier }),
          (error) => refused(error) || lostConnection(error),
        );
      } catch (error) {
        if (error instanceof ScalekitNotFoundException) return;
        throw unavailable('delete the connected account', error);
      }
    },

    async listTools(identifier) {
      const tools: ToolDefinition[] = [];
      let pageToken: string | undefined;
      // Intercom has over 100 tools and a page holds at most 100: follow the pages, or tools silently vanish.
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const response = await call('list Intercom tools', () =>
          client.tools.listScopedTools(identifier, {
            filter: { connectionNames: [connectionName] },
            pageSize: 100,
            pageToken,
          }),
        );
        for (const scoped of response.tools) {
          const tool = toolDefinitionOf(scoped.tool?.definition);
          if (tool) tools.push(tool);
        }
        pageToken = response.nextPageToken || undefined;
        if (!pageToken) break;
      }
      return tools;
    },

    async executeTool({ identifier, toolName, input }) {
      try {
        const response = await unlessRefused(() =>
          client.actions.executeTool({ toolName, toolInput: input, identifier, connector: connectionName }),
        );
        return { data: response.data ?? {}, executionId: response.executionId };
      } catch (error) {
        throw toolError(toolName, error);
      }
    },
  };
}

function toolError(toolName: string, error: unknown): Error {
  const kind: ToolFailureKind | undefined =
    error instanceof ScalekitToolUnauthorizedException
      ? 'auth'
      : error instanceof ScalekitToolForbiddenException
        ? 'forbidden'
        : error instanceof ScalekitToolRateLimitException
          ? 'rate_limited'
          : isToolException(error)
            ? 'failed'
            : undefined;
  if (kind && isToolException(error)) {
    return new ToolError({
      kind,
      toolName,
      message: error.toolErrorMessage || (error instanceof Error ? error.message : 'Intercom error'),
      executionId: error.executionId || undefined,
      status: error.toolErrorCode || undefined,
    });
  }
  // No connected account (deleted, or never finished): the user has to connect again.
  if (error instanceof ScalekitNotFoundException) {
    return new ToolError({ kind: 'auth', toolName, message: 'No active Intercom connection' });
  }
  if (error instanceof ScalekitBadRequestException) {
    return new ToolError({ kind: 'failed', toolName, message: error.message });
  }
  return unavailable(`run ${toolName}`, error);
}

/** A read (or an idempotent write): safe to send again whatever became of the first attempt. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await sendAgainWhen(fn, (error) => refused(error) || lostConnection(error));
  } catch (error) {
    throw unavailable(what, error);
  }
}

/** A call Scalekit may have carried out already (a tool run, a verify) is sent again only if it surely was not. */
function unlessRefused<T>(fn: () => Promise<T>): Promise<T> {
  return sendAgainWhen(fn, refused);
}

const ATTEMPTS = 3;

async function sendAgainWhen<T>(fn: () => Promise<T>, again: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= ATTEMPTS || !again(error)) throw error;
    }
  }
}

/**
 * A server that is going away (a restart, a load balancer closing a connection) sends GOAWAY and refuses the
 * streams that crossed it. HTTP/2 guarantees a refused stream was not processed (RFC 9113, 8.7), so even a tool run
 * may be sent again, on the new connection the transport opens. The SDK retries UNAVAILABLE itself, but a refused
 * stream reaches us as INTERNAL, named only in the message.
 */
function refused(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NGHTTP2_REFUSED_STREAM');
}

/**
 * gRPC codes of a call whose connection died under it, rather than an answer: CANCELLED, ABORTED. (UNAVAILABLE, a
 * connection refused, the SDK has already retried with backoff for several seconds.)
 */
const CONNECTION_LOST = new Set<number>([1, 10]);

function lostConnection(error: unknown): boolean {
  return error instanceof ScalekitServerException && CONNECTION_LOST.has(error.grpcStatus);
}

/**
 * SDK errors become our own, carrying only the SDK's message: a raw AxiosError (bad client credentials) holds the
 * request config, secret included, and must not travel further.
 */
function unavailable(what: string, error: unknown): ScalekitUnavailableError {
  const detail =
    error instanceof ScalekitException
      ? error.message
      : (error as { response?: { status?: number } })?.response?.status === 401
        ? 'Scalekit rejected the client credentials (check SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET)'
        : error instanceof Error
          ? error.message
          : String(error);
  return new ScalekitUnavailableError(`Could not ${what}: ${detail}`);
}

/** Scalekit's tool definition (a protobuf Struct: name, description, input_schema, annotations) in our terms. */
function toolDefinitionOf(definition: Record<string, unknown> | undefined): ToolDefinition | undefined {
  if (!definition || typeof definition.name !== 'string') return undefined;
  return {
    name: definition.name,
    description: typeof definition.description === 'string' ? definition.description : '',
    inputSchema: asObject(definition.input_schema),
    annotations: asObject(definition.annotations),
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function toDate(timestamp: { seconds: bigint; nanos: number } | undefined): Date | undefined {
  return timestamp ? new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6)) : undefined;
}
