import type { WebSocket } from 'ws';

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
  /** Outside a DM, the one person who sees a stream while it is live (chat.startStream's recipient_user_id). */
  recipient_user_id?: string;
  /** An answer of the bot's that is complete: its stream was stopped, or its "working" text was replaced. */
  final?: boolean;
}

/** chat.postEphemeral: a message only `user` sees. */
export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
}

/** A view the bot opened (views.open) for a trigger_id, as views.update leaves it. */
export interface OpenedView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
}

/** A chat.unfurl the bot made: Work Objects for a message's links, or the poster's connect prompt. */
export interface UnfurlRecord {
  channel?: string;
  ts?: string;
  unfurlId?: string;
  entities?: Array<Record<string, unknown> & { external_ref: { id: string; type?: string }; url: string }>;
  userAuthRequired?: true;
  userAuthUrl?: string;
}

/** What entity.presentDetails showed one viewer: the entity, a connect prompt, or an error. */
export interface PresentedDetails {
  triggerId: string;
  /** Whose details pane it is (the user of the event that handed out the trigger_id). */
  user: string;
  entity?: Record<string, unknown>;
  userAuthUrl?: string;
  error?: { status: string; custom_title?: string; custom_message?: string };
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

/** A Slack error (`ok:false`), an HTTP status such as 429 or 503, or the connection reset before Slack acted. */
export type Failure = { error: string } | { status: number; retryAfter?: number } | { reset: true };

export interface SlackUserProfile {
  id: string;
  name?: string;
  email?: string;
  /** IANA time zone, as users.info gives it (`tz`). */
  tz?: string;
}

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
  /** The next call of `method` fails: a Slack error (`ok:false`), an HTTP status such as 429, or a reset. */
  failNext(method: string, failure: Failure): void;
  /** Every call of `method` fails with this Slack error from now on (an older Slack, a feature not enabled). */
  failAlways(method: string, error: string): void;
  /** `method` works again after `failAlways`. */
  stopFailing(method: string): void;
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
  /**
   * The bot's nth finished answer in a thread, however it got there (streamed, or posted as "working" and edited),
   * waiting for it if needed.
   */
  waitForAnswer(channel: string, threadTs: string, nth?: number, timeoutMs?: number): Promise<SlackMessage>;
  /** Every message in every channel, in the order they were posted. */
  allMessages(): SlackMessage[];
  /** chat.postEphemeral messages, in order. */
  ephemerals: EphemeralMessage[];
  /** The view views.open opened for this trigger_id (as views.update has changed it since). */
  openedView(triggerId: string): OpenedView | undefined;
  /** Every chat.unfurl the bot made, in order. */
  unfurls: UnfurlRecord[];
  /**
   * The entity_details_requested event Slack sends when `user` opens the details of an entity: its trigger_id is
   * remembered, so entity.presentDetails answers only a request that was made, once.
   */
  detailsRequest(params: {
    user: string;
    entity: { url: string; external_ref: { id: string; type?: string }; app_unfurl_url?: string };
    channel?: string;
    messageTs?: string;
  }): Record<string, unknown>;
  /** What the bot presented for this trigger_id, waiting for it. */
  waitForDetails(triggerId: string, timeoutMs?: number): Promise<PresentedDetails>;
  /**
   * The link_shared event Slack sends when `user` posts a message with these links. The message is stored too,
   * unless `ts` names one already posted.
   */
  shareLinks(params: {
    user: string;
    channel: string;
    urls: string[];
    threadTs?: string;
    ts?: string;
  }): Record<string, unknown>;
  /** What the bot presented for this trigger_id so far (entity.presentDetails), if anything. */
  presentedDetails(triggerId: string): PresentedDetails | undefined;
  /** The App Home the bot last published for this user (views.publish). */
  homeOf(userId: string): Record<string, unknown> | undefined;
  responseUrl(id?: string): string;
  setUser(user: SlackUserProfile): void;
  /** Latency added to every Web API call (bench). */
  latencyMs: number;
  /** Sign in with Slack: the app's OAuth client, and who the next browser at the authorize page is. */
  oidc: { clientId: string; clientSecret: string; signedInUser?: { teamId: string; userId: string } };
  /** Calls `listener` with every call once it is answered (cheaper than waitForCall for many waiters). */
  onCall(listener: (call: SlackCall) => void): () => void;
  /** Calls `listener` after anything changed: a call answered or held, a response_url post, a socket. */
  onChange(listener: () => void): () => void;
  /** Socket Mode: whether a new WebSocket gets Slack's `hello` (without it the client never counts as connected). */
  socketHello: boolean;
  /** Socket Mode: the open WebSocket to the bot, once it has connected. */
  socket(): WebSocket | undefined;
  /** Socket Mode: WebSockets the bot has opened so far (each after the first is a reconnect). */
  readonly socketConnections: number;
  /** Socket Mode: cuts the WebSocket without a close frame, as a network drop does; the bot has to reconnect. */
  dropSocket(): void;
  /** Socket Mode: sends an envelope and resolves with the bot's ack frame. */
  sendEnvelope(type: 'events_api' | 'slash_commands' | 'interactive', payload: unknown): Promise<unknown>;
  /** The workspace's lasting content (messages, Homes), for `restore` in a later run (the demo keeps it on disk). */
  snapshot(): SlackSnapshot;
  restore(snapshot: SlackSnapshot): void;
  close(): Promise<void>;
}

export interface SlackSnapshot {
  messages: SlackMessage[];
  homes: Array<[string, Record<string, unknown>]>;
  /** Absent in snapshots written before unfurls existed. */
  unfurls?: UnfurlRecord[];
  counter: number;
}
