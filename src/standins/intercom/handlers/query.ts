/** Errors, parameters, paging and search filters, as Intercom's API has them. */
import {
  type IntercomAdmin,
  type IntercomConversation,
  type IntercomConversationPart,
  refreshWaitingSince,
} from '../records.ts';
import { IntercomApiError, type ToolParams } from '../types.ts';
import type { IntercomWorkspace } from '../workspace.ts';

export function notFound(what: string): IntercomApiError {
  return new IntercomApiError(404, 'not_found', `${what} Not Found`);
}

export function invalid(message: string): IntercomApiError {
  return new IntercomApiError(400, 'parameter_invalid', message);
}

export function stringParam(params: ToolParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

export function requireString(params: ToolParams, name: string): string {
  const value = stringParam(params, name);
  if (value === undefined) throw invalid(`${name} is required`);
  return value;
}

export function requireConversation(workspace: IntercomWorkspace, params: ToolParams): IntercomConversation {
  const conversation = workspace.findConversation(requireString(params, 'conversation_id'));
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

export function requireAdmin(workspace: IntercomWorkspace, id: string): IntercomAdmin {
  const admin = workspace.findAdmin(id);
  if (!admin) throw notFound('Admin');
  return admin;
}

export function asHtml(body: string): string {
  return body.trimStart().startsWith('<') ? body : `<p>${body}</p>`;
}

export function toPlaintext(html: string | null): string | null {
  if (html === null) return null;
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replaceAll('&nbsp;', ' ')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .trim();
}

export function appendPart(conversation: IntercomConversation, part: IntercomConversationPart): void {
  conversation.conversation_parts.conversation_parts.push(part);
  conversation.conversation_parts.total_count = conversation.conversation_parts.conversation_parts.length;
  conversation.updated_at = part.created_at;
  refreshWaitingSince(conversation);
}

/** Search and list responses carry conversations without their parts, as Intercom's do. */
export function summarize(conversation: IntercomConversation): Omit<IntercomConversation, 'conversation_parts'> {
  const { conversation_parts: _parts, ...summary } = structuredClone(conversation);
  return summary;
}

export interface Page<T> {
  items: T[];
  pages: Record<string, unknown>;
}

export function paginate<T>(
  items: T[],
  perPageParam: unknown,
  startingAfter: unknown,
  defaultPerPage: number,
): Page<T> {
  const perPage = Math.min(Math.max(Number(perPageParam) || defaultPerPage, 1), 150);
  let offset = 0;
  if (startingAfter !== undefined && startingAfter !== null && startingAfter !== '') {
    offset = Number(Buffer.from(String(startingAfter), 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw invalid('starting_after is not a valid cursor');
  }
  const pageItems = items.slice(offset, offset + perPage);
  const next = offset + perPage < items.length ? offset + perPage : undefined;
  return {
    items: pageItems,
    pages: {
      type: 'pages',
      page: Math.floor(offset / perPage) + 1,
      per_page: perPage,
      total_pages: Math.max(1, Math.ceil(items.length / perPage)),
      ...(next !== undefined && {
        next: { page: Math.floor(next / perPage) + 1, starting_after: Buffer.from(String(next)).toString('base64url') },
      }),
    },
  };
}

export function paginationOf(params: ToolParams): { per_page?: unknown; starting_after?: unknown } {
  const pagination = params.pagination;
  return pagination && typeof pagination === 'object' ? pagination : {};
}

export type FieldResolver<T> = (record: T, field: string) => unknown;

export function dottedPath(record: unknown, field: string): unknown {
  let value: unknown = record;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function normalise(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return String(value).toLowerCase();
}

export function compare(actual: unknown, operator: string, expected: unknown): boolean {
  if (Array.isArray(actual)) {
    // Array fields (contact_ids, tag_ids) match when any element does; negations must hold for all of them.
    if (operator === '!=' || operator === 'NIN') {
      return !actual.some((item) => compare(item, operator === '!=' ? '=' : 'IN', expected));
    }
    return actual.some((item) => compare(item, operator, expected));
  }
  const text = normalise(actual) ?? '';
  const wanted = normalise(expected) ?? '';
  switch (operator) {
    case '=':
      return normalise(actual) === normalise(expected);
    case '!=':
      return normalise(actual) !== normalise(expected);
    case 'IN':
    case 'NIN': {
      if (!Array.isArray(expected)) throw invalid(`${operator} expects an array value`);
      const found = expected.some((item) => normalise(item) === normalise(actual));
      return operator === 'IN' ? found : !found;
    }
    case '>':
      return Number(actual) > Number(expected);
    case '<':
      return Number(actual) < Number(expected);
    case '~':
      return text.includes(wanted);
    case '!~':
      return !text.includes(wanted);
    case '^':
      return text.startsWith(wanted);
    case '$':
      return text.endsWith(wanted);
    default:
      throw invalid(`Unsupported operator ${operator}`);
  }
}

export function matchesQuery<T>(record: T, query: unknown, resolve: FieldResolver<T>): boolean {
  if (!query || typeof query !== 'object' || Array.isArray(query)) throw invalid('query must be an object');
  const { field, operator, value } = query as Record<string, unknown>;
  if (operator === 'AND' || operator === 'OR') {
    if (!Array.isArray(value)) throw invalid(`${operator} expects an array of filters`);
    return operator === 'AND'
      ? value.every((nested) => matchesQuery(record, nested, resolve))
      : value.some((nested) => matchesQuery(record, nested, resolve));
  }
  if (typeof field !== 'string' || typeof operator !== 'string') throw invalid('query needs field and operator');
  return compare(resolve(record, field), operator, value);
}

export const resolveConversationField: FieldResolver<IntercomConversation> = (conversation, field) => {
  switch (field) {
    case 'contact_ids':
      return conversation.contacts.contacts.map((contact) => contact.id);
    case 'tag_ids':
      return conversation.tags.tags.map((tag) => tag.id);
    default:
      return dottedPath(conversation, field);
  }
};
