import type { types } from '@slack/bolt';
import { type Admin, type Conversation, type ConversationPart, customerLabel, inboxUrl } from '../intercom/models.ts';

/** What App Home shows of My queue: off, or on (paused or not) with the open assigned conversations. */
export type QueueHomeState =
  | { on: false }
  | { on: true; paused: boolean; conversations?: Conversation[]; workspace?: Admin['workspace'] };

import { escapeMrkdwn, plainText } from '../shared/escape.ts';
import { preview, shorten } from '../shared/slack-limits.ts';

export const QUEUE_ACTIONS = { on: 'queue_on', off: 'queue_off' } as const;

/** "45 min", "3 h 5 min", "2 d 4 h": how long a customer has waited. */
export function waitingFor(sinceMs: number, nowMs: number): string {
  const minutes = Math.max(0, Math.floor((nowMs - sinceMs) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

const subjectOf = (c: Conversation) => shorten(c.title ?? `Conversation ${c.id}`, 120);

/** The DM about one new customer reply on a conversation assigned to the teammate. */
export function buildReplyNotice(
  conversation: Conversation,
  part: ConversationPart,
  card: types.KnownBlock[],
): { text: string; blocks: types.KnownBlock[] } {
  const who = part.authorName ?? customerLabel(conversation) ?? 'The customer';
  const quoted = escapeMrkdwn(preview(part.body ?? ''))
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return {
    text: `${plainText(who)} replied in "${plainText(subjectOf(conversation))}" (conversation ${conversation.id})`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:speech_balloon: *${escapeMrkdwn(who)}* replied on a conversation assigned to you:\n${quoted}`,
        },
      },
      ...card,
    ],
  };
}

/** The one reminder about a conversation that has waited on the teammate too long. */
export function buildNudge(
  conversation: Conversation,
  now: number,
  card: types.KnownBlock[],
): { text: string; blocks: types.KnownBlock[] } {
  const waited = conversation.waitingSince ? waitingFor(conversation.waitingSince, now) : 'a while';
  return {
    text: `Waiting on you for ${waited}: "${plainText(subjectOf(conversation))}" (conversation ${conversation.id})`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:hourglass_flowing_sand: A customer has been waiting on you for *${waited}*.`,
        },
      },
      ...card,
    ],
  };
}

/** App Home's My queue section: the on/off button and, when on, the open conversations, longest waiting first. */
export function queueHomeBlocks(state: QueueHomeState, now: number): types.KnownBlock[] {
  const header: types.KnownBlock = { type: 'header', text: { type: 'plain_text', text: 'My queue' } };
  if (!state.on) {
    return [
      header,
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'Off. Turn it on and I DM you when a customer replies on an open conversation assigned to you in Intercom.',
        },
        accessory: {
          type: 'button',
          action_id: QUEUE_ACTIONS.on,
          style: 'primary',
          text: { type: 'plain_text', text: 'Turn on' },
        },
      },
      { type: 'divider' },
    ];
  }
  const list = state.conversations;
  const lines =
    list === undefined
      ? ['_Intercom did not answer just now; the list comes back next time you open Home._']
      : list.length === 0
        ? ['Nothing open is assigned to you.']
        : list.slice(0, 20).map((c) => {
            const customer = customerLabel(c);
            const waiting = c.waitingSince ? `waiting ${waitingFor(c.waitingSince, now)}` : 'answered';
            const subject = escapeMrkdwn(subjectOf(c));
            const linked = state.workspace ? `<${inboxUrl(state.workspace, c.id)}|${subject}>` : subject;
            return `• ${linked}${customer ? ` · ${escapeMrkdwn(customer)}` : ''} · ${waiting}`;
          });
  return [
    header,
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: state.paused
          ? 'On, *paused* until you reconnect Intercom.'
          : 'On: I DM you each new customer reply on your open assigned conversations.',
      },
      accessory: {
        type: 'button',
        action_id: QUEUE_ACTIONS.off,
        text: { type: 'plain_text', text: 'Turn off' },
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    ...(list && list.length > 20
      ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: `And ${list.length - 20} more.` }] }]
      : []),
    { type: 'divider' },
  ];
}
