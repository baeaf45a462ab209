import { z } from 'zod';
import { firstLine } from './known-names.ts';

/**
 * Intercom's records as every feature sees them, parsed once from what its tools return. Intercom's (and Scalekit's)
 * output is loosely typed and fields come and go between API versions, so each field falls back on its own: a
 * missing or odd field is absent, never a failed read. Names and text are Intercom's: untrusted wherever shown.
 */

/** A teammate in Intercom. */
export interface Admin {
  id: string;
  name: string;
  email?: string;
  /** The workspace's app id and region, when Intercom says (identify_admin does): for links into the inbox. */
  workspace?: { id: string; region?: string };
}

/** A customer (user or lead) in Intercom. */
export interface Contact {
  id: string;
  name?: string;
  email?: string;
  role?: string;
}

/** One message or event of a conversation. */
export interface ConversationPart {
  id: string;
  /** comment, note, close, assignment, … */
  type: string;
  /** user, lead, admin, bot, team. */
  authorType: string;
  /** The author's name, or their email. */
  authorName?: string;
  body?: string;
  /** ms since the epoch. */
  at?: number;
}

/** A conversation as `intercom_retrieve_conversation` (plaintext) returns it. */
export interface Conversation {
  id: string;
  state: string;
  /** The assigned admin's id, or null for nobody. */
  assignee: string | null;
  /** The parts Intercom returned (possibly only the most recent ones), oldest first. */
  parts: ConversationPart[];
  /** Intercom's count of all parts. */
  partsTotal: number;
  /** ms since the epoch. */
  snoozedUntil?: number;
  /** The customer who started it, when a customer did. */
  customer?: { name?: string; email?: string };
  title?: string;
  /** Since when the customer has waited for the team's reply (ms since the epoch); absent once answered. */
  waitingSince?: number;
  /** ms since the epoch. */
  updatedAt?: number;
  /** The text that started the conversation (its source's body). */
  opening?: string;
  /** Intercom's priority flag. */
  priority?: boolean;
  /** Scalekit's execution id of the read, for the audit trail. */
  executionId?: string;
}

/** Authors that are the support team's side, not the customer's. */
export const TEAM_AUTHORS: ReadonlySet<string> = new Set(['admin', 'bot', 'team']);

/** A non-blank string, or undefined. */
const text = z
  .unknown()
  .transform((v) => (typeof v === 'string' && v.trim() ? v : undefined))
  .optional();
/** Intercom sends ids as strings or numbers. */
const id = z.union([z.string(), z.number()]).transform(String);
const optionalId = z
  .unknown()
  .transform((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined))
  .optional();
const epochSeconds = z
  .unknown()
  .transform((v) => (typeof v === 'number' ? v * 1000 : undefined))
  .optional();
/** A nested object that may be missing or of another type: parsed when it is an object, else undefined. */
const nested = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const author = z.looseObject({ type: text, name: text, email: text });

const part = z.looseObject({
  id,
  part_type: text,
  author: nested(author),
  body: text,
  created_at: epochSeconds,
});

const conversationSchema = z.looseObject({
  id,
  state: text,
  open: z.unknown().optional(),
  admin_assignee_id: optionalId,
  snoozed_until: epochSeconds,
  waiting_since: epochSeconds,
  updated_at: epochSeconds,
  title: text,
  priority: text,
  source: nested(z.looseObject({ subject: text, body: z.unknown().optional(), author: nested(author) })),
  conversation_parts: nested(
    z.looseObject({
      total_count: z.unknown().optional(),
      conversation_parts: z.unknown().optional(),
    }),
  ),
});

const adminSchema = z.looseObject({
  id,
  name: text,
  email: text,
  app: nested(z.looseObject({ id_code: text, region: text })),
});
const contactSchema = z.looseObject({ id, name: text, email: text, role: text });

export function parseConversation(data: unknown, executionId?: string): Conversation | undefined {
  const parsed = conversationSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  const list = c.conversation_parts?.conversation_parts;
  const parts = (Array.isArray(list) ? list : []).flatMap((raw): ConversationPart[] => {
    const p = part.safeParse(raw);
    if (!p.success) return [];
    return [
      {
        id: p.data.id,
        type: p.data.part_type ?? '',
        authorType: p.data.author?.type ?? '',
        authorName: p.data.author?.name ?? p.data.author?.email,
        body: p.data.body,
        at: p.data.created_at,
      },
    ];
  });
  const total = c.conversation_parts?.total_count;
  const starter = c.source?.author;
  return {
    id: c.id,
    state: c.state ?? (c.open === false ? 'closed' : 'open'),
    assignee: c.admin_assignee_id ?? null,
    parts,
    partsTotal: typeof total === 'number' ? total : Array.isArray(list) ? list.length : 0,
    snoozedUntil: c.snoozed_until,
    customer:
      starter && !TEAM_AUTHORS.has(starter.type ?? '') ? { name: starter.name, email: starter.email } : undefined,
    // What a person knows the conversation by: its title or subject, else how it began.
    title: c.title ?? c.source?.subject ?? firstLine(c.source?.body),
    waitingSince: c.waiting_since,
    updatedAt: c.updated_at,
    opening: typeof c.source?.body === 'string' && c.source.body.trim() ? c.source.body : undefined,
    priority: c.priority === undefined ? undefined : c.priority === 'priority',
    executionId,
  };
}

export function parseAdmin(data: unknown): Admin | undefined {
  const parsed = adminSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { id, name, email, app } = parsed.data;
  return {
    id,
    name: name ?? id,
    email,
    ...(app?.id_code && { workspace: { id: app.id_code, region: app.region } }),
  };
}

const listOf = (key: string) =>
  z.union([z.array(z.unknown()), z.looseObject({ [key]: z.array(z.unknown()) }).transform((o) => o[key] as unknown[])]);
const adminList = listOf('admins');
const contactList = listOf('data');
const conversationList = listOf('conversations');

/** `intercom_search_conversations`: `{ conversations: [...] }` (without their parts), or a bare list. */
export function parseConversations(data: unknown): Conversation[] {
  const list = conversationList.safeParse(data);
  return list.success ? list.data.flatMap((raw) => parseConversation(raw) ?? []) : [];
}

/** `intercom_list_admins`: `{ admins: [...] }`, or a bare list. */
export function parseAdmins(data: unknown): Admin[] {
  const list = adminList.safeParse(data);
  return list.success ? list.data.flatMap((raw) => parseAdmin(raw) ?? []) : [];
}

export function parseContact(data: unknown): Contact | undefined {
  const parsed = contactSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { id, name, email, role } = parsed.data;
  return { id, name, email, role };
}

/** `intercom_search_contacts`: `{ data: [...] }`. */
export function parseContacts(data: unknown): Contact[] {
  const list = contactList.safeParse(data);
  return list.success ? list.data.flatMap((raw) => parseContact(raw) ?? []) : [];
}

/** A customer as a list shows them: their name, else their email. */
export function customerLabel(conversation: Pick<Conversation, 'customer'>): string | undefined {
  return conversation.customer?.name ?? conversation.customer?.email;
}

/** A help-center article as a search finds it. */
export interface Article {
  id: string;
  title: string;
  url: string;
}

const articleSchema = z.looseObject({ id, title: text, url: text });
const articleList = z.union([
  z.array(z.unknown()),
  z.looseObject({ data: z.looseObject({ articles: z.array(z.unknown()) }) }).transform((o) => o.data.articles),
  z.looseObject({ data: z.array(z.unknown()) }).transform((o) => o.data),
]);

/** `intercom_search_articles`: `{ data: { articles: [...] } }` (or a plain list); only articles with a title and a link. */
export function parseArticles(data: unknown): Article[] {
  const list = articleList.safeParse(data);
  if (!list.success) return [];
  return list.data.flatMap((raw) => {
    const parsed = articleSchema.safeParse(raw);
    if (!parsed.success || !parsed.data.title || !parsed.data.url) return [];
    return [{ id: parsed.data.id, title: parsed.data.title, url: parsed.data.url }];
  });
}

/** Where a conversation opens in the Intercom inbox, on the workspace's regional host. */
export function inboxUrl(workspace: { id: string; region?: string }, conversationId: string): string {
  const region = workspace.region?.toLowerCase();
  const host = region === 'eu' || region === 'au' ? `app.${region}.intercom.com` : 'app.intercom.com';
  return `https://${host}/a/inbox/${encodeURIComponent(workspace.id)}/inbox/conversation/${encodeURIComponent(conversationId)}`;
}
