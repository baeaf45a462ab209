/** Intercom's app hosts: the US one and the regional ones (the manifest's unfurl_domains). */
export const INTERCOM_APP_HOSTS: ReadonlySet<string> = new Set([
  'app.intercom.com',
  'app.eu.intercom.com',
  'app.au.intercom.com',
]);

/** A link to one conversation in an Intercom inbox. */
export interface ConversationLink {
  /** The workspace's app id (the `<workspace>` segment of the URL). */
  workspaceId: string;
  conversationId: string;
}

// Current: /a/inbox/<workspace>/inbox/…/conversation/<id>; older: /a/apps/<workspace>/inbox/…/conversations/<id>.
const CURRENT = /^\/a\/inbox\/([a-z0-9]+)\/inbox\/(?:[^/]+\/)*conversation\/(\d+)\/?$/i;
const OLDER = /^\/a\/apps\/([a-z0-9]+)\/inbox\/(?:[^/]+\/)*conversations\/(\d+)\/?$/i;

/** The conversation a pasted URL opens, or undefined for anything else (other pages, other hosts, malformed). */
export function parseConversationLink(raw: string): ConversationLink | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || !INTERCOM_APP_HOSTS.has(url.hostname) || url.port) return undefined;
  const match = CURRENT.exec(url.pathname) ?? OLDER.exec(url.pathname);
  if (!match?.[1] || !match[2]) return undefined;
  return { workspaceId: match[1], conversationId: match[2] };
}

/** The Work Object's external_ref: which workspace's which conversation, and nothing the viewer could choose. */
export const ENTITY_REF_TYPE = 'intercom_conversation';

export function entityRefId(link: ConversationLink): string {
  return `${link.workspaceId}/${link.conversationId}`;
}

export function parseEntityRef(ref: { id?: unknown; type?: unknown } | undefined): ConversationLink | undefined {
  if (!ref || ref.type !== ENTITY_REF_TYPE || typeof ref.id !== 'string') return undefined;
  const match = /^([a-z0-9]+)\/(\d+)$/i.exec(ref.id);
  return match?.[1] && match[2] ? { workspaceId: match[1], conversationId: match[2] } : undefined;
}
