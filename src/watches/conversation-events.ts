import { type Conversation, type ConversationPart, TEAM_AUTHORS } from '../intercom/models.ts';
import { preview } from '../shared/slack-limits.ts';
import type { LastSeen } from './watch-store.ts';

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

/** The baseline a new watch starts from: everything already in the conversation counts as seen. */
export function seenOf(conversation: Conversation): LastSeen {
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
export function changesSince(last: LastSeen, now: Conversation, watcherAdminId?: string): Changes {
  const fresh = newParts(last, now);
  const events: WatchEvent[] = [];
  const replies = fresh.filter((p) => !TEAM_AUTHORS.has(p.authorType) && p.body?.trim());
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
function newParts(last: LastSeen, now: Conversation): ConversationPart[] {
  const index = last.lastPartId === null ? -1 : now.parts.findIndex((p) => p.id === last.lastPartId);
  if (index >= 0) return now.parts.slice(index + 1);
  const unseen = Math.max(0, now.partsTotal - last.partsSeen);
  return unseen === 0 ? [] : now.parts.slice(-unseen);
}

/** The first lines of what the customer wrote, short enough for a notification. */
