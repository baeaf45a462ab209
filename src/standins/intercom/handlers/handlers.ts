import { SAMPLE_ARTICLES, SAMPLE_MACROS, SAMPLE_TICKET_TYPES } from '../help-center.ts';
import {
  adminAuthor,
  contactAuthor,
  HOUR,
  type IntercomConversation,
  type IntercomNote,
  makePart,
  SEED_EPOCH,
} from '../records.ts';
import type { ToolHandler } from '../types.ts';
import {
  appendPart,
  asHtml,
  dottedPath,
  invalid,
  matchesQuery,
  notFound,
  paginate,
  paginationOf,
  requireAdmin,
  requireConversation,
  requireString,
  resolveConversationField,
  stringParam,
  summarize,
  toPlaintext,
} from './query.ts';

const searchContacts: ToolHandler = (params, { workspace }) => {
  const matching = workspace.contacts.filter((contact) => matchesQuery(contact, params.query, dottedPath));
  const { per_page, starting_after } = paginationOf(params);
  const page = paginate(matching, per_page, starting_after, 50);
  return { type: 'list', data: structuredClone(page.items), total_count: matching.length, pages: page.pages };
};

const searchConversations: ToolHandler = (params, { workspace }) => {
  const matching = workspace.conversations.filter((conversation) =>
    matchesQuery(conversation, params.query, resolveConversationField),
  );
  const { per_page, starting_after } = paginationOf(params);
  return conversationList(matching, paginate(matching, per_page, starting_after, 20));
};

const listConversations: ToolHandler = (params, { workspace }) => {
  const newestFirst = [...workspace.conversations].sort((a, b) => b.updated_at - a.updated_at);
  return conversationList(newestFirst, paginate(newestFirst, params.per_page, params.starting_after, 20));
};

/** Intercom's list envelope around one page of conversations. */
function conversationList(
  all: readonly IntercomConversation[],
  page: ReturnType<typeof paginate<IntercomConversation>>,
) {
  return {
    type: 'conversation.list',
    conversations: page.items.map(summarize),
    total_count: all.length,
    pages: page.pages,
  };
}

const retrieveConversation: ToolHandler = (params, { workspace, identifier }) => {
  const found = requireConversation(workspace, params);
  if (!workspace.canSee(workspace.adminFor(identifier).id, found.id)) throw notFound('Conversation');
  const conversation = structuredClone(found);
  if (params.display_as === 'plaintext') {
    conversation.source.body = toPlaintext(conversation.source.body) ?? '';
    for (const part of conversation.conversation_parts.conversation_parts) part.body = toPlaintext(part.body);
  }
  return conversation;
};

const replyToConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  const admin = requireAdmin(workspace, requireString(params, 'admin_id'));
  const body = stringParam(params, 'body');
  if (body === undefined) throw invalid('body is required');
  let author = adminAuthor(admin);
  if (params.type === 'user') {
    const contactRef = conversation.contacts.contacts[0];
    const contact = contactRef && workspace.findContact(contactRef.id);
    if (!contact) throw invalid('conversation has no contact to reply as');
    author = contactAuthor(contact);
  }
  const createdAt = typeof params.created_at === 'number' ? params.created_at : workspace.nowSeconds();
  appendPart(conversation, makePart(workspace.newId(), String(params.message_type), author, asHtml(body), createdAt));
  workspace.changed();
  return structuredClone(conversation);
};

const manageConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  const admin = requireAdmin(workspace, requireString(params, 'admin_id'));
  const body = stringParam(params, 'body');
  const part = makePart(
    workspace.newId(),
    String(params.message_type),
    adminAuthor(admin),
    body === undefined ? null : asHtml(body),
    workspace.nowSeconds(),
  );
  switch (params.message_type) {
    case 'close':
      Object.assign(conversation, { state: 'closed', open: false, snoozed_until: null });
      break;
    case 'open':
      Object.assign(conversation, { state: 'open', open: true, snoozed_until: null });
      break;
    case 'snoozed': {
      const until = Number(params.snoozed_until);
      if (!Number.isInteger(until) || until <= 0) throw invalid('snoozed_until is required to snooze');
      Object.assign(conversation, { state: 'snoozed', open: true, snoozed_until: until });
      break;
    }
    case 'assignment': {
      const assigneeId = requireString(params, 'assignee_id');
      // Intercom uses assignee_id 0 to unassign.
      if (assigneeId === '0') {
        conversation.admin_assignee_id = null;
      } else {
        requireAdmin(workspace, assigneeId);
        conversation.admin_assignee_id = assigneeId;
        part.assigned_to = { type: 'admin', id: assigneeId };
      }
      break;
    }
    default:
      throw invalid(`unknown message_type ${String(params.message_type)}`);
  }
  appendPart(conversation, part);
  workspace.changed();
  return structuredClone(conversation);
};

const updateConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  if (params.priority === 'priority' || params.priority === 'not_priority') conversation.priority = params.priority;
  if (params.read === true) conversation.read = true;
  workspace.changed();
  return structuredClone(conversation);
};

const attachTagToConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  requireAdmin(workspace, requireString(params, 'admin_id'));
  const tag = workspace.findTag(requireString(params, 'id'));
  if (!tag) throw notFound('Tag');
  if (!conversation.tags.tags.some((existing) => existing.id === tag.id)) conversation.tags.tags.push({ ...tag });
  workspace.changed();
  return { ...tag };
};

const detachTagFromConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  requireAdmin(workspace, requireString(params, 'admin_id'));
  const tag = workspace.findTag(requireString(params, 'tag_id'));
  if (!tag) throw notFound('Tag');
  conversation.tags.tags = conversation.tags.tags.filter((existing) => existing.id !== tag.id);
  workspace.changed();
  return { ...tag };
};

const createContactNote: ToolHandler = (params, { workspace, identifier }) => {
  const contact = workspace.findContact(requireString(params, 'contact_id'));
  if (!contact) throw notFound('User');
  const adminId = stringParam(params, 'admin_id');
  // Without admin_id Intercom attributes the note to the admin who owns the access token.
  const author = adminId === undefined ? workspace.adminFor(identifier) : requireAdmin(workspace, adminId);
  const note: IntercomNote = {
    type: 'note',
    id: workspace.newId(),
    created_at: workspace.nowSeconds(),
    contact: { type: 'contact', id: contact.id },
    author,
    body: asHtml(requireString(params, 'body')),
  };
  workspace.notes.push(note);
  workspace.changed();
  return structuredClone(note);
};

const listContactNotes: ToolHandler = (params, { workspace }) => {
  const contactId = requireString(params, 'contact_id');
  if (!workspace.findContact(contactId)) throw notFound('User');
  const notes = workspace.notes.filter((note) => note.contact.id === contactId);
  return { type: 'list', data: structuredClone(notes), total_count: notes.length };
};

const retrieveContact: ToolHandler = (params, { workspace }) => {
  const contact = workspace.findContact(requireString(params, 'contact_id'));
  if (!contact) throw notFound('User');
  return structuredClone(contact);
};

const deleteContact: ToolHandler = (params, { workspace }) => {
  const index = workspace.contacts.findIndex((contact) => contact.id === requireString(params, 'contact_id'));
  const [contact] = index === -1 ? [] : workspace.contacts.splice(index, 1);
  if (!contact) throw notFound('User');
  workspace.changed();
  return { id: contact.id, external_id: contact.external_id, type: 'contact', deleted: true };
};

const identifyAdmin: ToolHandler = (_params, { workspace, identifier }) => {
  const admin = workspace.adminFor(identifier);
  return {
    type: 'admin',
    id: admin.id,
    email: admin.email,
    name: admin.name,
    email_verified: true,
    app: {
      type: 'app',
      id_code: 'emu1a2b3',
      name: 'Emulated Support Workspace',
      created_at: SEED_EPOCH - 365 * 24 * HOUR,
      secure: false,
      identity_verification: false,
      timezone: 'Europe/London',
      region: 'US',
    },
    avatar: { type: 'avatar', image_url: null },
    has_inbox_seat: admin.has_inbox_seat,
  };
};

const listAdmins: ToolHandler = (_params, { workspace }) => ({
  type: 'admin.list',
  admins: structuredClone(workspace.admins),
});

const retrieveAdmin: ToolHandler = (params, { workspace }) =>
  structuredClone(requireAdmin(workspace, requireString(params, 'admin_id')));

/** Intercom's article search: every word of the phrase in the title, description or body. */
const searchArticles: ToolHandler = (params) => {
  const words = (stringParam(params, 'phrase') ?? '').toLowerCase().split(/\W+/).filter(Boolean);
  const found = SAMPLE_ARTICLES.filter((article) => {
    const text = `${article.title} ${article.description} ${article.body}`.toLowerCase();
    return words.some((word) => text.includes(word.replace(/s$/, '')));
  }).map((article) => ({ type: 'article', state: 'published', ...article }));
  return { type: 'list', total_count: found.length, data: { articles: found } };
};

const listMacros: ToolHandler = () => ({ type: 'list', data: SAMPLE_MACROS.map((m) => ({ type: 'macro', ...m })) });

const getMacro: ToolHandler = (params) => {
  const macro = SAMPLE_MACROS.find((m) => m.id === requireString(params, 'macro_id'));
  if (!macro) throw notFound('Macro');
  return { type: 'macro', ...macro };
};

const listTicketTypes: ToolHandler = () => ({
  type: 'list',
  data: SAMPLE_TICKET_TYPES.map((t) => ({ type: 'ticket_type', ...t })),
});

const convertConversationToTicket: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  const ticketType = SAMPLE_TICKET_TYPES.find((t) => t.id === requireString(params, 'ticket_type_id'));
  if (!ticketType) throw notFound('Ticket type');
  workspace.changed();
  return {
    type: 'ticket',
    id: workspace.newId(),
    ticket_id: conversation.id,
    ticket_type: { type: 'ticket_type', ...ticketType },
    ticket_state: 'submitted',
    open: true,
  };
};

const listTags: ToolHandler = (_params, { workspace }) => ({ type: 'list', data: structuredClone(workspace.tags) });

/** Behaviour for the support tools; tools without a handler answer `{ ok: true }`. */
export const intercomHandlers: Readonly<Record<string, ToolHandler>> = {
  intercom_search_contacts: searchContacts,
  intercom_search_conversations: searchConversations,
  intercom_list_conversations: listConversations,
  intercom_retrieve_conversation: retrieveConversation,
  intercom_reply_to_conversation: replyToConversation,
  intercom_manage_conversation: manageConversation,
  intercom_update_conversation: updateConversation,
  intercom_attach_tag_to_conversation: attachTagToConversation,
  intercom_detach_tag_from_conversation: detachTagFromConversation,
  intercom_create_contact_note: createContactNote,
  intercom_list_contact_notes: listContactNotes,
  intercom_retrieve_contact: retrieveContact,
  intercom_delete_contact: deleteContact,
  intercom_identify_admin: identifyAdmin,
  intercom_list_admins: listAdmins,
  intercom_retrieve_admin: retrieveAdmin,
  intercom_list_tags: listTags,
  intercom_search_articles: searchArticles,
  intercom_list_macros: listMacros,
  intercom_get_macro: getMacro,
  intercom_list_ticket_types: listTicketTypes,
  intercom_convert_conversation_to_ticket: convertConversationToTicket,
};
