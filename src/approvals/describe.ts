import { personLabel } from '../intercom/known-names.ts';
import type { Admin, Conversation } from '../intercom/models.ts';
import { describeConversationChange, inWords } from './describe-changes.ts';
import type { ActionPreview, ConversationSnapshot } from './pending-actions.ts';

const REPLY_TOOLS = new Set(['intercom_reply_to_conversation', 'intercom_reply_to_ticket']);

export function isReplyTool(toolName: string): boolean {
  return REPLY_TOOLS.has(toolName);
}

export function snapshotOf(conversation: Conversation): ConversationSnapshot {
  return { parts: conversation.partsTotal, state: conversation.state, assignee: conversation.assignee };
}

/** Why a reply should not go out as previewed, or undefined when nothing changed. */
export function collision(before: ConversationSnapshot, now: ConversationSnapshot): string | undefined {
  if (now.parts > before.parts) return 'a new message arrived in the conversation';
  if (now.state !== before.state) return `the conversation is now ${now.state}`;
  if (now.assignee !== before.assignee) return 'the conversation was reassigned';
  return undefined;
}

/** A preview a person can decide on: what happens, to whom, as whom, and the exact text. */
export function describeAction(params: {
  toolName: string;
  title: string;
  args: Record<string, unknown>;
  admin?: Admin;
  conversation?: Conversation;
  /** Names for the ids in the arguments (contacts, tags, admins), as Intercom gave them. */
  names?: ReadonlyMap<string, string>;
  /** The requester's time zone (IANA), so times are said as their clock shows them. */
  timeZone?: string;
}): ActionPreview {
  const { toolName, args, admin, conversation } = params;
  const nameOf = (id: unknown) =>
    id === undefined || id === null ? '?' : (params.names?.get(String(id)) ?? String(id));
  const facts: Array<[string, string]> = [];
  const who = conversation?.customer ? personLabel(conversation.customer.name, conversation.customer.email) : undefined;
  if (who) facts.push(['To', who]);
  if (conversation) {
    facts.push([
      'Conversation',
      `#${conversation.id} (${conversation.state})${conversation.title ? `: ${conversation.title}` : ''}`,
    ]);
  } else if (args.conversation_id !== undefined) {
    facts.push(['Conversation', `#${String(args.conversation_id)}`]);
  }
  if (admin) facts.push(['As', `${admin.name}${admin.email ? ` (${admin.email})` : ''}, your Intercom account`]);

  const body = typeof args.body === 'string' ? args.body : undefined;
  if (toolName === 'intercom_reply_to_conversation' || toolName === 'intercom_reply_to_ticket') {
    const note = args.message_type === 'note';
    return {
      summary: note
        ? `Add an internal note${who ? ` on ${who}'s conversation` : ''}`
        : `Reply to ${who ?? 'the customer'}`,
      facts: [...facts, ['Visible to', note ? 'your team only' : 'the customer']],
      text: body,
      customerVisible: !note,
      textField: 'body',
    };
  }
  if (toolName === 'intercom_create_contact_note') {
    const contact = nameOf(args.contact_id);
    const named = params.names?.has(String(args.contact_id));
    return {
      summary: `Add a note to ${named ? contact : 'the contact'}`,
      facts: [...facts, ['Contact', contact], ['Visible to', 'your team only']],
      text: body,
      customerVisible: false,
      textField: 'body',
    };
  }
  const change = describeConversationChange({
    toolName,
    args,
    nameOf,
    timeZone: params.timeZone,
  });
  if (change && body === undefined)
    return { summary: change.summary, facts: [...facts, ...change.facts], customerVisible: false };
  if (toolName === 'intercom_manage_conversation') {
    // A Map, not an object literal: the model's message_type must not reach Object.prototype ('toString').
    const what = new Map([
      ['close', 'Close the conversation'],
      ['open', 'Reopen the conversation'],
      ['snoozed', 'Snooze the conversation'],
      [
        'assignment',
        // Intercom's assignee 0 means nobody.
        String(args.assignee_id) === '0'
          ? 'Unassign the conversation'
          : `Assign the conversation to ${nameOf(args.assignee_id)}`,
      ],
    ]);
    const summary = change?.summary ?? what.get(String(args.message_type)) ?? params.title;
    if (body === undefined) return { summary, facts, customerVisible: false };
    // Intercom posts an assignment's message as a note, but a closing message is shown to the customer; for any
    // other action, say the customer may see it rather than promise they won't.
    const customerVisible = args.message_type !== 'assignment';
    return {
      summary,
      facts: [...facts, ...(change?.facts ?? []), ['Visible to', customerVisible ? 'the customer' : 'your team only']],
      text: body,
      customerVisible,
      textField: 'body',
    };
  }
  const tagId = toolName === 'intercom_attach_tag_to_conversation' ? args.id : args.tag_id;
  if (toolName === 'intercom_attach_tag_to_conversation' || toolName === 'intercom_detach_tag_from_conversation') {
    const tag = nameOf(tagId);
    return {
      summary:
        toolName === 'intercom_attach_tag_to_conversation'
          ? `Tag the conversation “${tag}”`
          : `Remove the tag “${tag}” from the conversation`,
      facts: [...facts, ['Tag', tag]],
      customerVisible: false,
    };
  }
  const shown = inWords(Object.fromEntries(Object.entries(args).filter(([key]) => key !== 'conversation_id')));
  return { summary: params.title, facts: [...facts, ...shown], customerVisible: false };
}
