import type {
  EphemeralMessage,
  OpenedView,
  PresentedDetails,
  SlackMessage,
  SlackSnapshot,
  SlackUserProfile,
  UnfurlRecord,
} from './types.ts';

/** What the Slack stand-in's workspace holds: messages, ephemeral notes, opened views, App Homes, people. */
export interface WorkspaceState {
  readonly origin: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly messages: SlackMessage[];
  readonly ephemerals: EphemeralMessage[];
  /** By trigger_id. */
  readonly views: Map<string, OpenedView>;
  /** By user id. */
  readonly homes: Map<string, Record<string, unknown>>;
  readonly users: Map<string, SlackUserProfile>;
  readonly unfurls: UnfurlRecord[];
  /** unfurl_ids of link_shared events sent, and the message each names. */
  readonly unfurlIds: Map<string, { channel: string; ts: string }>;
  /** trigger_ids of entity_details_requested events sent, and whose they are. */
  readonly detailsTriggers: Map<string, { user: string }>;
  /** entity.presentDetails answers, by trigger_id. */
  readonly details: Map<string, PresentedDetails>;
  /** A fresh message ts, later than every ts handed out before. */
  nextTs(): string;
  /** A fresh number for ids (views, OAuth codes). */
  nextId(): number;
  /** What a later run needs to carry on: the messages, the Homes, and where ts numbering got to. */
  snapshot(): SlackSnapshot;
  restore(snapshot: SlackSnapshot): void;
}

export function createWorkspaceState(ids: { origin: string; botUserId: string; botId: string; teamId: string }) {
  let counter = 0;
  const state: WorkspaceState = {
    ...ids,
    messages: [],
    ephemerals: [],
    views: new Map(),
    homes: new Map(),
    users: new Map(),
    unfurls: [],
    unfurlIds: new Map(),
    detailsTriggers: new Map(),
    details: new Map(),
    nextTs: () => `${1_700_000_000 + Math.floor(counter / 1000)}.${String(++counter).padStart(6, '0')}`,
    nextId: () => ++counter,
    snapshot: () =>
      structuredClone({ messages: state.messages, homes: [...state.homes], unfurls: state.unfurls, counter }),
    restore(snapshot) {
      // A message still streaming when the last run stopped can never be finished now.
      state.messages.splice(0, state.messages.length, ...snapshot.messages.map((m) => ({ ...m, streaming: false })));
      state.homes.clear();
      for (const [user, view] of snapshot.homes) state.homes.set(user, view);
      state.unfurls.splice(0, state.unfurls.length, ...(snapshot.unfurls ?? []));
      counter = Math.max(counter, snapshot.counter);
    },
  };
  return state;
}

export function messagesInThread(state: WorkspaceState, channel: string, threadTs: string): SlackMessage[] {
  return state.messages
    .filter((m) => m.channel === channel && (m.ts === threadTs || m.thread_ts === threadTs))
    .sort((a, b) => Number(a.ts) - Number(b.ts));
}
