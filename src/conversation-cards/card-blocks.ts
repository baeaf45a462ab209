import type { types } from '@slack/bolt';
import { type Conversation, customerLabel, TEAM_AUTHORS } from '../intercom/models.ts';
import { escapeMrkdwn, plainText } from '../shared/escape.ts';
import { SNOOZE_CHOICES, type SnoozeChoice } from './snooze.ts';

/** What each control of a card does; the value of every control names only the conversation. */
export const CARD_ACTIONS = {
  reply: 'conv_reply',
  note: 'conv_note',
  assign: 'conv_assign_me',
  snooze: 'conv_snooze',
  close: 'conv_close',
  open: 'conv_open',
  tag: 'conv_tag',
  more: 'conv_more',
} as const;
export type CardAction = keyof typeof CARD_ACTIONS;

/** The overflow menu's entries. */
export const MORE_CHOICES = {
  priority: 'Mark as priority',
  not_priority: 'Remove priority',
  ticket: 'Convert to ticket…',
} as const;
export type MoreChoice = keyof typeof MORE_CHOICES;

/** The modal Reply…, Note… and Tag… open. */
export const CARD_VIEW = 'conv_card_view';
export const CARD_TEXT_BLOCK = 'conv_text';
export const CARD_TEXT_INPUT = 'text';
export const CARD_PICK_BLOCK = 'conv_pick';
export const CARD_PICK_INPUT = 'choice';

/** Block ids of a card start with this and the conversation's id, so a card is found and replaced inside a message. */
const CARD_BLOCK_PREFIX = 'convcard';

export interface CardView {
  conversation: Conversation;
  /** The assignee's name, when the conversation is assigned and the name is known. */
  assigneeName?: string;
  /** Where the conversation opens in Intercom. */
  url?: string;
  /** What was last done from the card (mrkdwn the bot wrote, e.g. "Closed by <@U1>"). */
  lastAction?: string;
  now: number;
}

/** One conversation, compactly, with what a teammate does to it next: each control acts as whoever uses it. */
export function buildConversationCard(view: CardView): types.KnownBlock[] {
  const { conversation: c } = view;
  const id = c.id;
  const subject = escapeMrkdwn(oneLine(c.title ?? c.opening ?? `Conversation ${id}`, 150));
  const heading = view.url ? `*<${view.url}|${subject}>*` : `*${subject}*`;
  const facts = [
    customerText(c),
    stateText(c),
    c.assignee === null ? 'Unassigned' : `Assigned to ${escapeMrkdwn(view.assigneeName ?? `admin ${c.assignee}`)}`,
    waitingText(c, view.now),
    c.priority ? ':small_red_triangle: Priority' : undefined,
  ].filter(Boolean);
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      block_id: blockId(id, 'main'),
      text: { type: 'mrkdwn', text: `${heading}\n${facts.join(' · ')}` },
    },
  ];
  if (view.lastAction) {
    blocks.push({
      type: 'context',
      block_id: blockId(id, 'last'),
      elements: [{ type: 'mrkdwn', text: view.lastAction }],
    });
  }
  const closed = c.state === 'closed';
  blocks.push({
    type: 'actions',
    block_id: blockId(id, 'actions'),
    elements: [
      button('reply', 'Reply…', id, 'primary'),
      button('note', 'Note…', id),
      button('assign', 'Assign to me', id),
      {
        type: 'static_select',
        action_id: CARD_ACTIONS.snooze,
        placeholder: { type: 'plain_text', text: 'Snooze' },
        options: (Object.keys(SNOOZE_CHOICES) as SnoozeChoice[]).map((choice) => ({
          text: { type: 'plain_text', text: SNOOZE_CHOICES[choice] },
          value: `${choice}:${id}`,
        })),
      },
      closed ? button('open', 'Reopen', id) : button('close', 'Close', id),
      button('tag', 'Tag…', id),
      {
        type: 'overflow',
        action_id: CARD_ACTIONS.more,
        options: (Object.keys(MORE_CHOICES) as MoreChoice[])
          .filter((choice) => choice === 'ticket' || (choice === 'priority') !== (c.priority === true))
          .map((choice) => ({ text: { type: 'plain_text', text: MORE_CHOICES[choice] }, value: `${choice}:${id}` })),
      },
    ],
  });
  return blocks;
}

/** The message's blocks with this conversation's card replaced (or appended when the message had none). */
export function replaceCard(
  blocks: readonly types.KnownBlock[],
  conversationId: string,
  card: types.KnownBlock[],
): types.KnownBlock[] {
  const prefix = blockId(conversationId, '');
  const isCard = (b: types.KnownBlock) => typeof b.block_id === 'string' && b.block_id.startsWith(prefix);
  const first = blocks.findIndex(isCard);
  if (first === -1) return [...blocks, ...card];
  const rest = blocks.filter((b) => !isCard(b));
  return [...rest.slice(0, first), ...card, ...rest.slice(first)];
}

/** Reply… and Note…: the customer's last message for context, and a box whose text is sent as typed. */
export function buildTextModal(params: {
  kind: 'reply' | 'note';
  conversation: Conversation;
  metadata: string;
}): types.View {
  const { kind, conversation, metadata } = params;
  const last = lastCustomerMessage(conversation);
  const who = customerLabel(conversation) ?? 'the customer';
  return {
    type: 'modal',
    callback_id: CARD_VIEW,
    private_metadata: metadata,
    title: { type: 'plain_text', text: kind === 'reply' ? 'Reply' : 'Internal note' },
    submit: { type: 'plain_text', text: kind === 'reply' ? 'Send reply' : 'Add note' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: last
            ? `*${escapeMrkdwn(who)} wrote:*\n${quote(oneLineLimit(last, 2500))}`
            : `No message from ${escapeMrkdwn(who)} yet.`,
        },
      },
      {
        type: 'input',
        block_id: CARD_TEXT_BLOCK,
        label: {
          type: 'plain_text',
          text: kind === 'reply' ? `Your reply to ${plainText(oneLine(who, 100))}` : 'Note (only your team sees it)',
        },
        element: { type: 'plain_text_input', action_id: CARD_TEXT_INPUT, multiline: true, max_length: 3000 },
      },
    ],
  };
}

/** Tag… and Convert to ticket…: one of the workspace's tags (or ticket types) to pick. */
export function buildPickModal(params: {
  kind: 'tag' | 'ticket';
  options: Array<{ id: string; name: string }>;
  metadata: string;
}): types.View {
  const tag = params.kind === 'tag';
  return {
    type: 'modal',
    callback_id: CARD_VIEW,
    private_metadata: params.metadata,
    title: { type: 'plain_text', text: tag ? 'Tag conversation' : 'Convert to ticket' },
    submit: { type: 'plain_text', text: tag ? 'Add tag' : 'Convert' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: CARD_PICK_BLOCK,
        label: { type: 'plain_text', text: tag ? 'Tag' : 'Ticket type' },
        element: {
          type: 'static_select',
          action_id: CARD_PICK_INPUT,
          options: params.options.slice(0, 100).map((option) => ({
            text: { type: 'plain_text', text: plainText(oneLine(option.name, 75)) },
            value: option.id,
          })),
        },
      },
    ],
  };
}

/** The customer's latest message, else the text that opened the conversation. */
export function lastCustomerMessage(conversation: Conversation): string | undefined {
  const parts = conversation.parts.filter((p) => !TEAM_AUTHORS.has(p.authorType) && p.body);
  return parts.at(-1)?.body ?? (conversation.customer ? conversation.opening : undefined);
}

function customerText(c: Conversation): string {
  const { name, email } = c.customer ?? {};
  if (name && email) return `${escapeMrkdwn(name)} (${escapeMrkdwn(email)})`;
  return escapeMrkdwn(name ?? email ?? 'Unknown customer');
}

function stateText(c: Conversation): string {
  if (c.state === 'snoozed' && c.snoozedUntil) {
    return `Snoozed until <!date^${Math.floor(c.snoozedUntil / 1000)}^{date_short_pretty} {time}|${new Date(c.snoozedUntil).toISOString()}>`;
  }
  return c.state.charAt(0).toUpperCase() + c.state.slice(1);
}

/** "Waiting 45 min" when the customer spoke last and the conversation is not closed. */
export function waitingText(c: Conversation, now: number): string | undefined {
  if (c.state === 'closed') return undefined;
  // Notes are the team talking among itself: they do not answer the customer.
  const last = c.parts.filter((p) => p.body && p.type !== 'note').at(-1);
  if (!last || TEAM_AUTHORS.has(last.authorType) || last.at === undefined) return undefined;
  const minutes = Math.max(0, Math.floor((now - last.at) / 60_000));
  if (minutes < 60) return `Waiting ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `Waiting ${hours} h` : `Waiting ${Math.floor(hours / 24)} days`;
}

function button(action: CardAction, text: string, id: string, style?: 'primary'): types.Button {
  return {
    type: 'button',
    action_id: CARD_ACTIONS[action],
    text: { type: 'plain_text', text },
    value: id,
    ...(style && { style }),
  };
}

function blockId(conversationId: string, part: string): string {
  return `${CARD_BLOCK_PREFIX}:${conversationId}:${part}`;
}

function oneLine(text: string, max: number): string {
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  return line.length <= max ? line.trim() : `${line.slice(0, max - 1).trim()}…`;
}

function oneLineLimit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function quote(text: string): string {
  return escapeMrkdwn(text)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}
