import type { EntityActionButton, EntityMetadata } from '@slack/types';
import { CARD_ACTIONS, lastCustomerMessage, waitingText } from '../conversation-cards/card-blocks.ts';
import { SNOOZE_CHOICES, type SnoozeChoice } from '../conversation-cards/snooze.ts';
import type { Conversation } from '../intercom/models.ts';
import { type ConversationLink, ENTITY_REF_TYPE, entityRefId } from './intercom-links.ts';

export interface ConversationEntityView {
  link: ConversationLink;
  conversation: Conversation;
  /** The assignee's name, when assigned and known. */
  assigneeName?: string;
  /** Where the conversation opens in Intercom. */
  url: string;
  /** The URL exactly as it was pasted (chat.unfurl matches the entity to the link by it). */
  appUnfurlUrl?: string;
  now: number;
}

/**
 * A conversation as a Work Object: customer, subject, state, assignee and waiting time, with the card's controls.
 * Its buttons carry the conversation card's action ids, so a click in the unfurl or the details goes through the
 * card's own handling and acts as whoever clicked. Everything here is Intercom's text, shown as plain text.
 */
export function buildConversationEntity(view: ConversationEntityView): EntityMetadata {
  const { conversation: c, link } = view;
  const customer = [c.customer?.name, c.customer?.email && `(${c.customer.email})`].filter(Boolean).join(' ');
  const last = lastCustomerMessage(c);
  const closed = c.state === 'closed';
  const id = c.id;
  const button = (action: keyof typeof CARD_ACTIONS, text: string, value = id): EntityActionButton => ({
    text,
    action_id: CARD_ACTIONS[action],
    value,
  });
  return {
    entity_type: 'slack#/entities/task',
    url: view.url,
    ...(view.appUnfurlUrl && { app_unfurl_url: view.appUnfurlUrl }),
    external_ref: { id: entityRefId(link), type: ENTITY_REF_TYPE },
    entity_payload: {
      attributes: {
        title: { text: clip(c.title ?? c.opening ?? `Conversation ${id}`, 150) },
        display_id: `#${id}`,
        product_name: 'Intercom',
      },
      fields: {
        status: { value: stateWords(c), label: 'State' },
        ...(last && { description: { value: clip(last, 1000), label: 'Customer wrote', long: true } }),
      },
      custom_fields: [
        { label: 'Customer', key: 'customer', type: 'string', value: clip(customer || 'Unknown customer', 200) },
        {
          label: 'Assignee',
          key: 'assignee',
          type: 'string',
          value: c.assignee === null ? 'Unassigned' : clip(view.assigneeName ?? `admin ${c.assignee}`, 200),
        },
        { label: 'Waiting', key: 'waiting', type: 'string', value: waitingText(c, view.now) ?? 'Not waiting on us' },
        ...(c.priority ? [{ label: 'Priority', key: 'priority', type: 'string', value: 'Priority' }] : []),
      ],
      actions: {
        primary_actions: [
          button('assign', 'Assign to me'),
          closed ? button('open', 'Reopen') : button('close', 'Close'),
        ],
        overflow_actions: [
          button('reply', 'Reply…'),
          button('note', 'Note…'),
          ...(closed
            ? []
            : (Object.keys(SNOOZE_CHOICES) as SnoozeChoice[]).map((choice) =>
                button('snooze', `Snooze: ${SNOOZE_CHOICES[choice]}`, `${choice}:${id}`),
              )),
          button('tag', 'Tag…'),
          c.priority
            ? button('more', 'Remove priority', `not_priority:${id}`)
            : button('more', 'Mark as priority', `priority:${id}`),
        ],
      },
    },
  };
}

function stateWords(c: Conversation): string {
  if (c.state === 'snoozed' && c.snoozedUntil) return `Snoozed until ${new Date(c.snoozedUntil).toISOString()}`;
  return c.state.charAt(0).toUpperCase() + c.state.slice(1);
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
