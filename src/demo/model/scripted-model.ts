import { SNOOZE_CHOICES, snoozeUntil } from '../../conversation-cards/snooze.ts';
import type { ModelReply, ModelRequest, ModelResponder } from '../../standins/model/types.ts';
import { currentTurn, type Step } from './conversation-turn.ts';
import { type ConversationAct, type Intent, readIntent } from './intents.ts';
import { describeContact, describeConversation, type Found, latestConversation, record, records } from './records.ts';

/** Every answer says what it is, so nobody mistakes the demo for the real thing. */
export const SCRIPTED_SIGNATURE =
  '_(Scripted demo model, offline: it understands a few requests. Set `OPENAI_API_KEY` to use a real model.)_';

export const SCRIPTED_HELP = [
  "I'm the playground's scripted model, so I understand only a few requests:",
  '- *look up* a customer: `find john@acme.com`',
  '- *summarize* their latest conversation: `summarize the conversation with john@acme.com`',
  '- *draft a reply* (you approve it): `reply to john@acme.com: We fixed the login bug, please try again.`',
  '- *add a note*: `add a note to priya@initech.example: Prefers email.`',
  '- *tag* their latest conversation: `tag jane@x.com as vip` (or, after naming one, `tag it billing`)',
  '- *assign, snooze, close, reopen, prioritize*: `assign 215470001 to me and snooze it till Monday`',
  '- *turn a conversation into a ticket*: `turn conversation 215470001 into a bug ticket`',
  '- *search the help center*: `find our article on refunds`',
  'Every change waits for your approval; the conversation cards under my answers act at once, as whoever clicks.',
].join('\n');

const NOT_YET = Symbol('not called yet');

/**
 * A model for the demo that needs no key: it reads the request with a few patterns and then drives the real tools
 * step by step over the OpenAI wire protocol (served by the model stand-in), exactly as a real model would, so
 * Mastra, the tool policy, approvals and the answer in Slack are all the real thing.
 */
export function createScriptedModel(options: { now?: () => number } = {}): ModelResponder {
  const now = options.now ?? Date.now;
  return (req) => {
    const { text, earlier, steps } = currentTurn(req);
    return next(readIntent(text, earlier), new Turn(req, steps), now);
  };
}

class Turn {
  readonly #req: ModelRequest;
  readonly #steps: Step[];

  constructor(req: ModelRequest, steps: Step[]) {
    this.#req = req;
    this.#steps = steps;
  }

  /** What `tool` returned in this turn, or NOT_YET. */
  result(tool: string): unknown {
    const step = this.#steps.find((s) => s.name === tool);
    return step ? step.result : NOT_YET;
  }

  /** What every call of `tool` in this turn returned, in order. */
  results(tool: string): unknown[] {
    return this.#steps.filter((s) => s.name === tool).map((s) => s.result);
  }

  call(tool: string, args: Record<string, unknown>): ModelReply {
    if (!this.#req.tools.some((t) => t.name === tool)) {
      return answer(`I can't do that here: the Intercom tool \`${tool}\` is not available to me.`);
    }
    return { toolCalls: [{ name: tool, args }] };
  }
}

function next(intent: Intent, turn: Turn, now: () => number): ModelReply {
  switch (intent.kind) {
    case 'help':
      return answer(SCRIPTED_HELP);
    case 'lookup':
      return lookup(intent.email, turn);
    case 'summarize':
      return withConversation(intent, turn, (id) => summarize(id, turn));
    case 'reply':
      return withConversation(intent, turn, (id, found) => reply(id, found, intent.body, turn));
    case 'note':
      return note(intent.email, intent.body, turn);
    case 'tag':
      return withConversation(intent, turn, (id) => tag(id, intent.tag, turn));
    case 'act':
      return withConversation(intent, turn, (id) => act(id, intent.acts, turn, now));
    case 'ticket':
      return withConversation(intent, turn, (id) => ticket(id, intent.ticketType, turn));
    case 'articles':
      return articles(intent.phrase, turn);
  }
}

/** Each action as its own proposal (its own approval card), one after another. */
function act(conversationId: string, acts: ConversationAct[], turn: Turn, now: () => number): ModelReply {
  const me = turn.result('intercom_identify_admin');
  if (me === NOT_YET) return turn.call('intercom_identify_admin', {});
  const adminId = String(record(me).id ?? '');
  const done = [...turn.results('intercom_manage_conversation'), ...turn.results('intercom_update_conversation')];
  const nextAct = acts[done.length];
  if (!nextAct) {
    const failed = done.map(record).find((r) => r.status !== 'awaiting_approval');
    if (failed) return proposed(failed, `that on conversation ${conversationId}`);
    return answer(
      `I've prepared ${acts.map(actWords).join(', then ')} on conversation ${conversationId}. Nothing is changed yet: each waits for your approval on its card in this thread.`,
    );
  }
  const manage = (input: Record<string, unknown>) =>
    turn.call('intercom_manage_conversation', {
      conversation_id: conversationId,
      admin_id: adminId,
      type: 'admin',
      ...input,
    });
  switch (nextAct.kind) {
    case 'assign_me':
      return manage({ message_type: 'assignment', assignee_id: adminId });
    case 'close':
      return manage({ message_type: 'close' });
    case 'open':
      return manage({ message_type: 'open' });
    case 'snooze':
      return manage({
        message_type: 'snoozed',
        snoozed_until: Math.floor(snoozeUntil({ choice: nextAct.until, nowMs: now() }) / 1000),
      });
    case 'priority':
      return turn.call('intercom_update_conversation', { conversation_id: conversationId, priority: 'priority' });
  }
}

function actWords(act: ConversationAct): string {
  switch (act.kind) {
    case 'assign_me':
      return 'assigning it to you';
    case 'close':
      return 'closing it';
    case 'open':
      return 'reopening it';
    case 'snooze':
      return `snoozing it (${SNOOZE_CHOICES[act.until].toLowerCase()})`;
    case 'priority':
      return 'marking it as priority';
  }
}

function ticket(conversationId: string, wanted: string | undefined, turn: Turn): ModelReply {
  const types = turn.result('intercom_list_ticket_types');
  if (types === NOT_YET) return turn.call('intercom_list_ticket_types', {});
  const failed = failure(types);
  if (failed) return failed;
  const all = records(types, 'data');
  const chosen =
    all.find((t) =>
      String(t.name)
        .toLowerCase()
        .includes(wanted ?? ''),
    ) ?? all[0];
  if (!chosen) return answer('This workspace has no ticket types, so I cannot turn the conversation into a ticket.');
  const converted = turn.result('intercom_convert_conversation_to_ticket');
  if (converted === NOT_YET) {
    return turn.call('intercom_convert_conversation_to_ticket', {
      conversation_id: conversationId,
      ticket_type_id: String(chosen.id),
    });
  }
  return proposed(converted, `turning conversation ${conversationId} into a ${String(chosen.name)} ticket`);
}

function articles(phrase: string, turn: Turn): ModelReply {
  const found = turn.result('intercom_search_articles');
  if (found === NOT_YET) return turn.call('intercom_search_articles', { phrase, state: 'published' });
  const failed = failure(found);
  if (failed) return failed;
  const list = records(record(found).data, 'articles');
  if (list.length === 0) return answer(`I found no help-center article about "${phrase}".`);
  return answer(
    `Help-center articles about "${phrase}":\n${list.map((a) => `- [${String(a.title)}](${String(a.url)}): ${String(a.description ?? '')}`).join('\n')}`,
  );
}

function lookup(email: string, turn: Turn): ModelReply {
  const found = conversationsOf(email, turn);
  if ('reply' in found) return found.reply;
  const { contact, conversations } = found;
  const list = conversations.map((c) => `- ${describeConversation(c)}`).join('\n');
  return answer(`${describeContact(contact)}\n\n${list ? `Their conversations:\n${list}` : 'No conversations yet.'}`);
}

/** The contact with this email, or the reply that gets there (a search, or saying nobody was found). */
function findContact(email: string, turn: Turn): { contact: Found } | { reply: ModelReply } {
  const search = turn.result('intercom_search_contacts');
  if (search === NOT_YET) {
    return { reply: turn.call('intercom_search_contacts', { query: { field: 'email', operator: '=', value: email } }) };
  }
  const failed = failure(search);
  if (failed) return { reply: failed };
  const contact = records(search, 'data')[0];
  return contact ? { contact } : { reply: answer(`I couldn't find anyone with the email ${email} in Intercom.`) };
}

/** The contact with this email and their conversations, or the reply that gets there. */
function conversationsOf(
  email: string,
  turn: Turn,
): { contact: Found; conversations: Found[] } | { reply: ModelReply } {
  const found = findContact(email, turn);
  if ('reply' in found) return found;
  const search = turn.result('intercom_search_conversations');
  if (search === NOT_YET) {
    return {
      reply: turn.call('intercom_search_conversations', {
        query: { field: 'contact_ids', operator: '=', value: String(found.contact.id) },
      }),
    };
  }
  const failed = failure(search);
  return failed ? { reply: failed } : { contact: found.contact, conversations: records(search, 'conversations') };
}

/** Runs `then` on the conversation the request names, or on the customer's latest one (open ones first). */
function withConversation(
  intent: { email?: string; conversationId?: string },
  turn: Turn,
  then: (conversationId: string, contact?: Found) => ModelReply,
): ModelReply {
  if (intent.conversationId) return then(intent.conversationId);
  const found = conversationsOf(intent.email ?? '', turn);
  if ('reply' in found) return found.reply;
  const { contact, conversations } = found;
  const latest = latestConversation(conversations);
  if (!latest) return answer(`${String(contact.name ?? contact.email)} has no conversations in Intercom.`);
  return then(String(latest.id), contact);
}

function summarize(conversationId: string, turn: Turn): ModelReply {
  const conversation = turn.result('intercom_retrieve_conversation');
  if (conversation === NOT_YET) {
    return turn.call('intercom_retrieve_conversation', { conversation_id: conversationId, display_as: 'plaintext' });
  }
  const failed = failure(conversation);
  if (failed) return failed;
  const c = record(conversation);
  const source = record(c.source);
  const parts = records(c.conversation_parts, 'conversation_parts').filter((p) => typeof p.body === 'string' && p.body);
  const lines = [
    `- ${String(record(source.author).name ?? 'The customer')}: ${clip(String(source.body ?? ''))}`,
    ...parts.map(
      (p) =>
        `- ${String(record(p.author).name ?? 'Someone')}${p.part_type === 'note' ? ' (internal note)' : ''}: ${clip(String(p.body))}`,
    ),
  ];
  return answer(`Summary of ${describeConversation(c)}:\n${lines.join('\n')}`);
}

function reply(conversationId: string, contact: Found | undefined, body: string | undefined, turn: Turn): ModelReply {
  const me = turn.result('intercom_identify_admin');
  if (me === NOT_YET) return turn.call('intercom_identify_admin', {});
  const sent = turn.result('intercom_reply_to_conversation');
  if (sent === NOT_YET) {
    const name = String(contact?.name ?? '').split(' ')[0];
    return turn.call('intercom_reply_to_conversation', {
      conversation_id: conversationId,
      admin_id: String(record(me).id ?? ''),
      message_type: 'comment',
      type: 'admin',
      body:
        body ??
        `Hi${name ? ` ${name}` : ''}, thanks for your patience. We are looking into this and will get back to you shortly.`,
    });
  }
  return proposed(sent, `a reply on conversation ${conversationId}`);
}

function note(email: string, body: string | undefined, turn: Turn): ModelReply {
  const found = findContact(email, turn);
  if ('reply' in found) return found.reply;
  const { contact } = found;
  const made = turn.result('intercom_create_contact_note');
  if (made === NOT_YET) {
    return turn.call('intercom_create_contact_note', {
      contact_id: String(contact.id),
      body: body ?? 'Followed up from Slack.',
    });
  }
  return proposed(made, `a note on ${String(contact.name ?? email)}`);
}

function tag(conversationId: string, name: string, turn: Turn): ModelReply {
  const tags = turn.result('intercom_list_tags');
  if (tags === NOT_YET) return turn.call('intercom_list_tags', {});
  const failed = failure(tags);
  if (failed) return failed;
  const all = records(tags, 'data');
  const chosen = all.find((t) => String(t.name).toLowerCase() === name.toLowerCase());
  if (!chosen) return answer(`There is no tag "${name}". Tags: ${all.map((t) => String(t.name)).join(', ')}.`);
  const me = turn.result('intercom_identify_admin');
  if (me === NOT_YET) return turn.call('intercom_identify_admin', {});
  const attached = turn.result('intercom_attach_tag_to_conversation');
  if (attached === NOT_YET) {
    return turn.call('intercom_attach_tag_to_conversation', {
      conversation_id: conversationId,
      admin_id: String(record(me).id ?? ''),
      id: String(chosen.id),
    });
  }
  return proposed(attached, `tagging conversation ${conversationId} as ${String(chosen.name)}`);
}

/** A write tool's answer: waiting for approval (the usual case), or why it could not even be proposed. */
function proposed(result: unknown, what: string): ModelReply {
  const r = record(result);
  if (r.status === 'awaiting_approval') {
    return answer(
      `I've prepared ${what}. Nothing is changed yet: it waits for your approval. Press *Send* on the approval card in this thread (or *Edit* or *Cancel*).`,
    );
  }
  return answer(`I couldn't prepare ${what}: ${String(r.error ?? r.message ?? result)}`);
}

function failure(result: unknown): ModelReply | undefined {
  if (typeof result === 'string') return answer(`Intercom returned an error: ${clip(result)}`);
  const r = record(result);
  if (r.error !== undefined && r.status === undefined) {
    return answer(`Intercom returned an error: ${clip(String(record(r.error).message ?? r.error))}`);
  }
  return undefined;
}

function answer(text: string): ModelReply {
  return { text: `${text}\n\n${SCRIPTED_SIGNATURE}` };
}

function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
