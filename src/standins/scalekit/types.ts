import type { Code } from '@connectrpc/connect';
import type { ConnectorStatus } from '../../scalekit/sdk-internals.ts';
import type { ToolDefinition, ToolHandler } from '../intercom/types.ts';
import type { IntercomSnapshot, IntercomWorkspace } from '../intercom/workspace.ts';
import type { StoredAccount } from './records.ts';
import type { SendWebhookOptions, WebhookDelivery, WebhookType } from './webhooks.ts';

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
  /** Makes the next call of `rpc` (e.g. 'ListScopedTools') fail with a plain gRPC error. */
  failNext(rpc: string, code: Code, message?: string): void;
  /** Every outstanding magic link, e.g. to open one without going through the bot's Slack message. */
  magicLinks(): MagicLinkView[];
  /** Expires every magic link and pending auth request, as if the teammate had waited too long. */
  expireMagicLinks(): void;
  /** Connected accounts and the Intercom workspace, for `restore` in a later run (the demo keeps it on disk). */
  snapshot(): ScalekitSnapshot;
  restore(snapshot: ScalekitSnapshot): void;
  /** The signing secret of the webhook configured in the "dashboard" (`whsec_…`). */
  readonly webhookSecret: string;
  /** Where Scalekit sends webhooks (the bot's `/scalekit/webhooks`); nothing is sent while unset. */
  webhookUrl?: string;
  /** Sends a signed event about the account to `webhookUrl`: the delivery (to replay) and the bot's HTTP status. */
  sendWebhook(
    type: WebhookType,
    identifier: string,
    options?: SendWebhookOptions & { connector?: string; oldStatus?: string },
  ): Promise<{ delivery: WebhookDelivery; status: number }>;
  /**
   * The teammate's connection breaks, as when Intercom refuses the refresh token: EXPIRED, tool calls fail as provider
   * 401s, and Scalekit sends `connected_account.status_updated` (ACTIVE → EXPIRED) when a webhook URL is set.
   */
  breakConnection(identifier: string, connector?: string): Promise<void>;
  /** Fault controls: what a restarting Scalekit, or a load balancer in front of it, does to the connection. */
  faults: ScalekitFaults;
  /** Stops listening and destroys open sockets; the SDK keeps HTTP/2 sessions alive otherwise. */
  close(): Promise<void>;
}

export interface ScalekitFaults {
  /** HTTP/2 connections (gRPC) open now: each new one is a reconnect by the client. */
  readonly connectionsOpened: number;
  /**
   * Sends GOAWAY (NO_ERROR) on every open HTTP/2 connection, as a server going down gracefully or a load balancer
   * dropping an idle connection does. Streams already open still finish; the sockets stay open (a draining server)
   * until `closeDrained` is called. Resolves once the frames are sent.
   */
  goAway(): Promise<void>;
  /**
   * A restart as the client meets it: every access token is forgotten, so the next RPC is refused as
   * Unauthenticated and the SDK fetches a token and retries at once; GOAWAY goes out on the old connections just as
   * that token does. The retry then lands right after the GOAWAY, the moment connectrpc/connect-es#1768 needs.
   */
  restart(): void;
  /**
   * A load balancer that drops idle connections: GOAWAY goes out on a connection as soon as its last open stream
   * has closed, so the client's next request races it.
   */
  goAwayWhenIdle: boolean;
  /** Closes the sockets of connections sent GOAWAY earlier, as the draining server finally does. */
  closeDrained(): void;
  /** Destroys every open socket without a word (a crash, a reset connection). */
  dropConnections(): void;
  /** Stops listening: new connections are refused until `acceptConnections` (the port is kept). */
  refuseConnections(): Promise<void>;
  acceptConnections(): Promise<void>;
  /** The next call of `rpc` is accepted but never answered (until the client gives up or the emulator closes). */
  hangNext(rpc: string): void;
  /**
   * Calls of `rpc` wait until the returned function is called; `waitForHeld` resolves when `count` are waiting.
   */
  hold(rpc: string): { release(): void; waitForHeld(count?: number): Promise<void> };
}

export interface ScalekitSnapshot {
  accounts: StoredAccount[];
  intercom: IntercomSnapshot;
}
