import type { Code } from '@connectrpc/connect';
import type { ConnectorStatus } from '../../scalekit/sdk-internals.ts';
import type { ToolDefinition, ToolHandler } from '../intercom/types.ts';
import type { IntercomSnapshot, IntercomWorkspace } from '../intercom/workspace.ts';
import type { StoredAccount } from './records.ts';

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
  /** Listen on this port (0, the default: any free one). */
  port?: number;
  /**
   * Show a stand-in for Intercom's consent screen at the magic link, where the teammate picks which Intercom admin
   * they are signed in as and presses Allow (the demo). Off, opening the link consents at once (tests).
   */
  consentPage?: boolean;
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
  /** Only fail a call whose params match these (e.g. one conversation id); any params when omitted. */
  params?: Record<string, unknown>;
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
  /** The most ExecuteTool calls (of `toolName`, if given) in any one minute of the emulator's clock. */
  toolCallsPerMinute(toolName?: string): number;
  account(identifier: string, connector?: string): AccountView | undefined;
  /** Every connected account, whatever its status. */
  accounts(): AccountView[];
  /** Creates (or re-activates) an ACTIVE account with fresh credentials, skipping the consent flow. */
  connectAccount(identifier: string, connector?: string): AccountView;
  setStatus(identifier: string, status: ConnectorStatus, connector?: string): void;
  /** Simulates the teammate revoking the app in Intercom: EXPIRED, and tool calls fail as provider 401s. */
  revokeIntercomToken(identifier: string, connector?: string): void;
  /** Invalidates every Scalekit access token, so the SDK's next RPC gets Unauthenticated and refetches one. */
  revokeAccessTokens(): void;
  /** Makes the next matching ExecuteTool fail as a provider error (ErrorInfo TOOL_ERROR). */
  failNextTool(failure: ToolFailure): void;
  /** Calls of `rpc` (recorded on arrival) get no answer until the returned function is called: a Scalekit that hangs. */
  hold(rpc: string): () => void;
  /** Makes the next call of `rpc` (e.g. 'ListScopedTools') fail with a plain gRPC error. */
  failNext(rpc: string, code: Code, message?: string): void;
  /** Every outstanding magic link, e.g. to open one without going through the bot's Slack message. */
  magicLinks(): MagicLinkView[];
  /** Expires every magic link and pending auth request, as if the teammate had waited too long. */
  expireMagicLinks(): void;
  /** Connected accounts and the Intercom workspace, for `restore` in a later run (the demo keeps it on disk). */
  snapshot(): ScalekitSnapshot;
  restore(snapshot: ScalekitSnapshot): void;
  /** Stops listening and destroys open sockets; the SDK keeps HTTP/2 sessions alive otherwise. */
  close(): Promise<void>;
}

export interface ScalekitSnapshot {
  accounts: StoredAccount[];
  intercom: IntercomSnapshot;
}
