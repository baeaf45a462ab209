import type { types } from '@slack/bolt';
import { escapeMrkdwn } from '../shared/escape.ts';
import { slackDate } from '../shared/mrkdwn.ts';
import type { WatchEvent } from './conversation-events.ts';
import type { Watch } from './watch-store.ts';

export const WATCH_ACTIONS = { draft: 'watch_draft', note: 'watch_note', stop: 'watch_stop' } as const;
export type WatchAction = keyof typeof WATCH_ACTIONS;

/** How long a quiet watch lives, as people are told. */
export const WATCH_LIFETIME_TEXT = 'for 7 days without activity';

interface Message {
  text: string;
  blocks: types.KnownBlock[];
}

/**
 * What happened in a watched conversation, then the conversation's card (its state and one-click actions), then the
 * watch's own buttons (none once it is closed).
 */
export function buildAnnouncement(watch: Watch, events: WatchEvent[], card: types.KnownBlock[] = []): Message {
  const lines = events.map((event) => describeEvent(escapeMrkdwn(watch.conversationId), event));
  const closed = events.some((e) => e.kind === 'closed');
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n\n')) } },
    ...card,
  ];
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: closed
          ? `I was watching this for <@${watch.userId}>; the watch has ended.`
          : `Watching conversation ${escapeMrkdwn(watch.conversationId)} for <@${watch.userId}> ${WATCH_LIFETIME_TEXT}.`,
      },
    ],
  });
  if (!closed) blocks.push(actions(watch.id, ['draft', 'note', 'stop']));
  return { text: lines.map(firstLine).join(' '), blocks };
}

/** Posted where a watch starts: what is watched, for whom, for how long, and how to stop it. */
export function buildWatchStarted(watch: Watch): Message {
  const who = watch.customer ? ` (${escapeMrkdwn(watch.customer)})` : '';
  const text = `:eyes: I'll tell <@${watch.userId}> here when the customer answers in conversation ${escapeMrkdwn(watch.conversationId)}${who}, or when it is closed, snoozed, reopened or reassigned. The watch ends when the conversation is closed, ${WATCH_LIFETIME_TEXT}, or when you stop it.`;
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, actions(watch.id, ['stop'])],
  };
}

/** Why a watch ended without anyone asking, said in its thread. */
export function buildWatchEnded(watch: Watch, reason: 'inactive' | 'forbidden'): Message {
  const id = escapeMrkdwn(watch.conversationId);
  const text =
    reason === 'inactive'
      ? `:hourglass: I've stopped watching conversation ${id} for <@${watch.userId}>: nothing happened there for 7 days. Ask me again if you still need it.`
      : `:no_entry_sign: I've stopped watching conversation ${id} for <@${watch.userId}>: Intercom no longer lets your account read it.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The 21st watch: which ones are running, so the teammate can pick one to stop. */
export function describeLimit(open: Watch[], max: number): string {
  const list = open.map(
    (w) => `• ${escapeMrkdwn(w.conversationId)}${w.customer ? ` (${escapeMrkdwn(w.customer)})` : ''}`,
  );
  return `You already watch ${max} conversations, the most I keep for one person. Stop one first (App Home lists them with Stop buttons, or tell me to stop watching one):\n${list.join('\n')}`;
}

function describeEvent(conversationId: string, event: WatchEvent): string {
  switch (event.kind) {
    case 'customer_reply': {
      const when = event.at ? ` ${slackDate(event.at)}` : '';
      const more = event.count > 1 ? ` (${event.count} new messages)` : '';
      const quoted = escapeMrkdwn(event.text)
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
      return `:speech_balloon: *${escapeMrkdwn(event.author)}* answered in conversation ${conversationId}${when}${more}:\n${quoted}`;
    }
    case 'closed':
      return `:white_check_mark: Conversation ${conversationId} was closed${by(event.by)}.`;
    case 'snoozed':
      return `:zzz: Conversation ${conversationId} was snoozed${event.until ? ` until ${slackDate(event.until)}` : ''}.`;
    case 'reopened':
      return `:leftwards_arrow_with_hook: Conversation ${conversationId} was reopened.`;
    case 'reassigned':
      return event.to === null
        ? `:bust_in_silhouette: Conversation ${conversationId} was unassigned${by(event.by)}.`
        : `:bust_in_silhouette: Conversation ${conversationId} was reassigned to someone else (Intercom admin ${escapeMrkdwn(event.to)})${by(event.by)}.`;
  }
}

function by(name: string | undefined): string {
  return name ? ` by ${escapeMrkdwn(name)}` : '';
}

function actions(watchId: string, which: WatchAction[]): types.ActionsBlock {
  const labels: Record<WatchAction, string> = { draft: 'Draft a reply', note: 'Add a note', stop: 'Stop watching' };
  return {
    type: 'actions',
    block_id: 'watch',
    elements: which.map((action) => ({
      type: 'button' as const,
      action_id: WATCH_ACTIONS[action],
      text: { type: 'plain_text' as const, text: labels[action] },
      value: watchId,
      ...(action === 'draft' && { style: 'primary' as const }),
    })),
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function clip(text: string): string {
  return text.length <= 3000 ? text : `${text.slice(0, 2999)}…`;
}
