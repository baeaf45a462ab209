import type { LastSeen } from './watch-store.ts';

/** What a watch needs of a conversation, read from `intercom_retrieve_conversation` (plaintext). */
export interface ConversationState {
  id: string;
  state: string;
  assignee: string | null;
  parts: Part[];
  /** Intercom's count of all parts (the list it returns may be the most recent ones only). */
  partsTotal: number;
  snoozedUntil?: number;
  /** The customer who started it: name or email, for lists. */
  customer?: string;
}

interface Part {
  id: string;
  type: string;
  authorType: string;
  authorName?: string;
  body?: string;
  /** ms since the epoch. */
  at?: number;
}

/** Something the watcher hears about. Names and text are Intercom's: untrusted, escaped where they are shown. */
export type WatchEvent =
  | { kind: 'customer_reply'; author: string; at?: number; text: string; count: number }
  | { kind: 'closed'; by?: string }
  | { kind: 'snoozed'; until?: number }
  | { kind: 'reopened' }
  | { kind: 'reassigned'; to: string | null; by?: string };

export interface Changes {
  events: WatchEvent[];
  /** Anything new at all (a teammate's note counts): the watch stays alive and polls at the base interval. */
  activity: boolean;
  seen: LastSeen;
}

const ADMIN_AUTHORS = new Set(['admin', 'bot', 'team']);
const PREVIEW_LINES = 3;
const PREVIEW_CHARS = 300;

export function conversationState(data: unknown): ConversationState | undefined {
  const id = field(data, 'id');
  if (id === undefined || id === null) return undefined;
  const list = field(data, 'conversation_parts', 'conversation_parts');
  const parts = (Array.isArray(list) ? list : []).flatMap((raw): Part[] => {
    const partId = field(raw, 'id');
    if (partId === undefined || partId === null) return [];
    const created = field(raw, 'created_at');
    return [
      {
        id: String(partId),
        type: text(field(raw, 'part_type')) ?? '',
        authorType: text(field(raw, 'author', 'type')) ?? '',
        authorName: text(field(raw, 'author', 'name')) ?? text(field(raw, 'author', 'email')),
        body: text(field(raw, 'body')),
        at: typeof created === 'number' ? created * 1000 : undefined,
      },
    ];
  });
  const total = field(data, 'conversation_parts', 'total_count');
  const assignee = field(data, 'admin_assignee_id');
  const snoozedUntil = field(data, 'snoozed_until');
  const author = field(data, 'source', 'author');
  return {
    id: String(id),
    state: text(field(data, 'state')) ?? (field(data, 'open') === false ? 'closed' : 'open'),
    assignee: assignee === undefined || assignee === null ? null : String(assignee),
    parts,
    partsTotal: typeof total === 'number' ? total : parts.length,
    snoozedUntil: typeof snoozedUntil === 'number' ? snoozedUntil * 1000 : undefined,
    customer: ADMIN_AUTHORS.has(text(field(author, 'type')) ?? '')
      ? undefined
      : (text(field(author, 'name')) ?? text(field(author, 'email'))),
  };
}

/** The baseline a new watch starts from: everything already in the conversation counts as seen. */
export function seenOf(conversation: ConversationState): LastSeen {
  return {
    lastPartId: conversation.parts.at(-1)?.id ?? null,
    partsSeen: conversation.partsTotal,
    state: conversation.state,
    assignee: conversation.assignee,
  };
}

/**
 * What changed since `last`: new customer messages, closing, snoozing, reopening, and reassignment to anyone but
 * the watcher (`watcherAdminId`; an assignment to the watcher themselves is not news to them).
 */
export function changesSince(last: LastSeen, now: ConversationState, watcherAdminId?: string): Changes {
  const fresh = newParts(last, now);
  const events: WatchEvent[] = [];
  const replies = fresh.filter((p) => !ADMIN_AUTHORS.has(p.authorType) && p.body?.trim());
  const latest = replies.at(-1);
  if (latest) {
    events.push({
      kind: 'customer_reply',
      author: latest.authorName ?? 'The customer',
      at: latest.at,
      text: preview(replies.map((p) => p.body ?? '').join('\n')),
      count: replies.length,
    });
  }
  const byLast = (type: string) => fresh.filter((p) => p.type === type).at(-1)?.authorName;
  if (now.state !== last.state) {
    if (now.state === 'closed') events.push({ kind: 'closed', by: byLast('close') });
    else if (now.state === 'snoozed') events.push({ kind: 'snoozed', until: now.snoozedUntil });
    else if (now.state === 'open') events.push({ kind: 'reopened' });
  }
  if (now.assignee !== last.assignee && (watcherAdminId === undefined || now.assignee !== watcherAdminId)) {
    events.push({ kind: 'reassigned', to: now.assignee, by: byLast('assignment') });
  }
  const seen = seenOf(now);
  const activity =
    fresh.length > 0 || seen.partsSeen !== last.partsSeen || now.state !== last.state || now.assignee !== last.assignee;
  return { events, activity, seen };
}

/** Parts after the last one seen; by count when that part is no longer in the list Intercom returned. */
function newParts(last: LastSeen, now: ConversationState): Part[] {
  const index = last.lastPartId === null ? -1 : now.parts.findIndex((p) => p.id === last.lastPartId);
  if (index >= 0) return now.parts.slice(index + 1);
  const unseen = Math.max(0, now.partsTotal - last.partsSeen);
  return unseen === 0 ? [] : now.parts.slice(-unseen);
}

/** The first lines of what the customer wrote, short enough for a notification. */
function preview(body: string): string {
  const lines = body
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const shown = lines.slice(0, PREVIEW_LINES).join('\n');
  const clipped = shown.length > PREVIEW_CHARS ? `${shown.slice(0, PREVIEW_CHARS - 1)}…` : shown;
  return lines.length > PREVIEW_LINES && !clipped.endsWith('…') ? `${clipped}\n…` : clipped;
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}
