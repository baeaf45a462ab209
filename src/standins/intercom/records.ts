/** Intercom's records as its API returns them, and constructors for them. */

export interface IntercomAdmin {
  type: 'admin';
  id: string;
  name: string;
  email: string;
  job_title: string | null;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
  has_inbox_seat: boolean;
  team_ids: number[];
}

export interface IntercomContact {
  type: 'contact';
  id: string;
  external_id: string | null;
  role: 'user' | 'lead';
  email: string;
  name: string | null;
  phone: string | null;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
}

export interface IntercomAuthor {
  type: 'admin' | 'user' | 'bot';
  id: string;
  name: string | null;
  email: string;
}

export interface IntercomConversationPart {
  type: 'conversation_part';
  id: string;
  part_type: string;
  body: string | null;
  created_at: number;
  updated_at: number;
  author: IntercomAuthor;
  assigned_to: { type: 'admin'; id: string } | null;
  redacted: boolean;
}

export interface IntercomTag {
  type: 'tag';
  id: string;
  name: string;
}

export interface IntercomConversation {
  type: 'conversation';
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  open: boolean;
  state: 'open' | 'closed' | 'snoozed';
  read: boolean;
  priority: 'priority' | 'not_priority';
  snoozed_until: number | null;
  admin_assignee_id: string | null;
  team_assignee_id: string | null;
  /** Since when the customer has waited for a reply from the team (unix seconds); null once the team answered. */
  waiting_since?: number | null;
  source: {
    type: 'conversation';
    id: string;
    delivered_as: 'customer_initiated' | 'admin_initiated';
    subject: string;
    body: string;
    author: IntercomAuthor;
    redacted: boolean;
  };
  contacts: { type: 'contact.list'; contacts: Array<{ type: 'contact'; id: string; external_id: string | null }> };
  tags: { type: 'tag.list'; tags: IntercomTag[] };
  custom_attributes: Record<string, string | number | boolean>;
  conversation_parts: {
    type: 'conversation_part.list';
    conversation_parts: IntercomConversationPart[];
    total_count: number;
  };
}

export interface IntercomNote {
  type: 'note';
  id: string;
  created_at: number;
  contact: { type: 'contact'; id: string };
  author: IntercomAdmin;
  body: string;
}

/** 2026-01-01T00:00:00Z, so seeded timestamps are stable across runs. */
export const SEED_EPOCH = 1_767_225_600;
export const HOUR = 3600;

/** The collections a workspace holds; the sample data fills them. */
export interface WorkspaceRecords {
  admins: IntercomAdmin[];
  contacts: IntercomContact[];
  conversations: IntercomConversation[];
  notes: IntercomNote[];
  tags: IntercomTag[];
}

export function makeAdmin(id: string, name: string, email: string): IntercomAdmin {
  return {
    type: 'admin',
    id,
    name,
    email,
    job_title: null,
    away_mode_enabled: false,
    away_mode_reassign: false,
    has_inbox_seat: true,
    team_ids: [],
  };
}

export function makeContact(
  id: string,
  email: string,
  name: string | null,
  role: 'user' | 'lead',
  externalId: string | null,
) {
  const contact: IntercomContact = {
    type: 'contact',
    id,
    external_id: externalId,
    role,
    email,
    name,
    phone: null,
    created_at: SEED_EPOCH - 90 * 24 * HOUR,
    updated_at: SEED_EPOCH - 24 * HOUR,
    last_seen_at: SEED_EPOCH - 2 * HOUR,
  };
  return contact;
}

export function adminAuthor(admin: IntercomAdmin): IntercomAuthor {
  return { type: 'admin', id: admin.id, name: admin.name, email: admin.email };
}

export function contactAuthor(contact: IntercomContact): IntercomAuthor {
  return { type: 'user', id: contact.id, name: contact.name, email: contact.email };
}

export function makePart(
  id: string,
  partType: string,
  author: IntercomAuthor,
  body: string | null,
  createdAt: number,
): IntercomConversationPart {
  return {
    type: 'conversation_part',
    id,
    part_type: partType,
    body,
    created_at: createdAt,
    updated_at: createdAt,
    author,
    assigned_to: null,
    redacted: false,
  };
}

export interface SeedConversation {
  id: string;
  contact: IntercomContact;
  subject: string;
  body: string;
  createdAt: number;
  state: IntercomConversation['state'];
  assignee: IntercomAdmin | null;
  tags?: IntercomTag[];
  parts: Array<[partType: string, author: IntercomAuthor, body: string | null]>;
}

/**
 * Intercom's `waiting_since`: the customer's first message after the team's last reply (the conversation's start
 * when nobody on the team has replied yet), or null when the team had the last word.
 */
export function refreshWaitingSince(conversation: IntercomConversation): void {
  let since: number | null = conversation.source.author.type === 'user' ? conversation.created_at : null;
  for (const part of conversation.conversation_parts.conversation_parts) {
    if (part.part_type !== 'comment') continue;
    if (part.author.type === 'user') since ??= part.created_at;
    else since = null;
  }
  conversation.waiting_since = since;
}

export function makeConversation(seed: SeedConversation): IntercomConversation {
  const parts = seed.parts.map(([partType, author, body], index) =>
    makePart(
      `${seed.id}${String(index + 1).padStart(2, '0')}`,
      partType,
      author,
      body,
      seed.createdAt + (index + 1) * HOUR,
    ),
  );
  const conversation: IntercomConversation = {
    type: 'conversation',
    id: seed.id,
    title: seed.subject,
    created_at: seed.createdAt,
    updated_at: parts.at(-1)?.created_at ?? seed.createdAt,
    open: seed.state !== 'closed',
    state: seed.state,
    read: true,
    priority: 'not_priority',
    snoozed_until: seed.state === 'snoozed' ? SEED_EPOCH + 7 * 24 * HOUR : null,
    admin_assignee_id: seed.assignee?.id ?? null,
    team_assignee_id: null,
    source: {
      type: 'conversation',
      id: `src${seed.id}`,
      delivered_as: 'customer_initiated',
      subject: seed.subject,
      body: seed.body,
      author: contactAuthor(seed.contact),
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: [{ type: 'contact', id: seed.contact.id, external_id: seed.contact.external_id }],
    },
    tags: { type: 'tag.list', tags: [...(seed.tags ?? [])] },
    custom_attributes: {},
    conversation_parts: { type: 'conversation_part.list', conversation_parts: parts, total_count: parts.length },
  };
  refreshWaitingSince(conversation);
  return conversation;
}
